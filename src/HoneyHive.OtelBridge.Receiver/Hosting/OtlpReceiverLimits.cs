// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Assembly;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Implementation.Otlp;

namespace HoneyHive.OtelBridge.Receiver.Hosting;

/// <summary>
/// What one client can make the receiver take. The request size is <see cref="OtlpReceiverOptions.MaxRequestBytes"/>.
/// A limit hit by one span rejects that span only (counted, with its reason, in <c>partial_success.rejected_spans</c>);
/// strings and nesting past their limits are cut with a marker; the hold limits emit traces early, never drop them.
/// </summary>
internal sealed class OtlpReceiverLimits
{
    /// <summary>Default of <see cref="MaxSpansPerRequest"/>.</summary>
    internal const int DefaultMaxSpansPerRequest = 50_000;

    /// <summary>Default of <see cref="MaxAttributesPerSpan"/>.</summary>
    internal const int DefaultMaxAttributesPerSpan = 2_048;

    /// <summary>
    /// Gets the most spans taken from one request (default 50,000). The spans after it are rejected in
    /// <c>partial_success</c> with their reason and the ones before it are taken: the client learns what was dropped
    /// and why, and does not resend a request that would fail again.
    /// </summary>
    public int MaxSpansPerRequest { get; init; } = DefaultMaxSpansPerRequest;

    /// <summary>Gets the most attributes a span may carry (default 2,048; the OpenTelemetry SDKs keep 128). A span with
    /// more is rejected in <c>partial_success</c>.</summary>
    public int MaxAttributesPerSpan { get; init; } = DefaultMaxAttributesPerSpan;

    /// <summary>Gets the nesting depth of attribute values (default 32); deeper values become
    /// <see cref="OtlpSpanConversionExtensions.DepthLimitMarker"/>. Protobuf itself refuses a message nested past 100
    /// levels (400 / <c>INVALID_ARGUMENT</c>).</summary>
    public int MaxAttributeDepth { get; init; } = OtlpSpanConversionExtensions.DefaultMaxAttributeDepth;

    /// <summary>Gets the longest string sent to HoneyHive (default 100,000 characters); longer ones are cut and end
    /// with <see cref="MappingOptions.TruncationMarker"/>.</summary>
    public int MaxStringLength { get; init; } = MappingOptions.DefaultMaxStringLength;

    /// <summary>Gets the most spans held for one trace waiting for its root (default 10,000); at that count the trace
    /// is emitted with what is there.</summary>
    public int MaxHeldSpansPerTrace { get; init; } = new TraceAssemblerOptions().MaxHeldSpansPerTrace;

    /// <summary>Gets the most spans held in total (default 100,000); past it the oldest traces are emitted early.</summary>
    public int MaxHeldSpans { get; init; } = new TraceAssemblerOptions().MaxHeldSpans;

    /// <summary>Gets the conversion limits of these settings.</summary>
    /// <returns>The limits.</returns>
    internal OtlpConversionLimits ToConversionLimits() => new()
    {
        MaxSpans = this.MaxSpansPerRequest,
        MaxAttributesPerSpan = this.MaxAttributesPerSpan,
        MaxAttributeDepth = this.MaxAttributeDepth,
    };

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(this.MaxSpansPerRequest, 1, nameof(this.MaxSpansPerRequest));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.MaxAttributesPerSpan, 0, nameof(this.MaxAttributesPerSpan));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.MaxAttributeDepth, 1, nameof(this.MaxAttributeDepth));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(this.MaxAttributeDepth, 90, nameof(this.MaxAttributeDepth));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.MaxStringLength, 64, nameof(this.MaxStringLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.MaxHeldSpansPerTrace, 1, nameof(this.MaxHeldSpansPerTrace));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.MaxHeldSpans, 1, nameof(this.MaxHeldSpans));
    }
}
