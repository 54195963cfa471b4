// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Pipeline;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Receiver.Otlp;

/// <summary>The receiver's ingress over the shared <see cref="BridgePipeline"/>.</summary>
internal sealed class PipelineSpanIngress(BridgePipeline pipeline) : ISpanIngress
{
    /// <inheritdoc/>
    public bool IsSaturated => pipeline.IsSaturated;

    /// <inheritdoc/>
    public bool TryAccept(IReadOnlyList<SpanRecord> spans) => pipeline.TryAccept(spans);

    /// <inheritdoc/>
    public bool TryAccept(IReadOnlyList<SpanRecord> spans, ReadOnlySpan<byte> encodedRequest) => pipeline.TryAccept(spans, encodedRequest);
}
