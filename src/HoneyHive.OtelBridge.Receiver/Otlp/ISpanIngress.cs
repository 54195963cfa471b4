// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Receiver.Otlp;

/// <summary>Where the receiver hands the spans of an export request (the bridge pipeline; a fake in tests).</summary>
internal interface ISpanIngress
{
    /// <summary>Takes the spans of one request, or none of them.</summary>
    /// <param name="spans">The spans.</param>
    /// <returns><see langword="true"/> when they were taken (the request may be acknowledged); <see langword="false"/>
    /// when the bridge cannot take more now (the client is told to retry).</returns>
    bool TryAccept(IReadOnlyList<SpanRecord> spans);

    /// <summary>Gets a value indicating whether the ingress would refuse spans now (front doors then refuse a request
    /// before reading it).</summary>
    bool IsSaturated => false;

    /// <summary>Takes the spans of one request, or none of them, given the OTLP protobuf bytes that hold exactly
    /// these spans (what a durable ingress records instead of encoding them again).</summary>
    /// <param name="spans">The spans.</param>
    /// <param name="encodedRequest">The request's protobuf bytes.</param>
    /// <returns>As <see cref="TryAccept(IReadOnlyList{SpanRecord})"/>.</returns>
    bool TryAccept(IReadOnlyList<SpanRecord> spans, ReadOnlySpan<byte> encodedRequest) => this.TryAccept(spans);
}
