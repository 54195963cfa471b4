// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Implementation.Otlp;

/// <summary>
/// The limits of <see cref="OtlpSpanConversionExtensions.ToSpanRecords(Proto.Collector.Trace.V1.ExportTraceServiceRequest, OtlpConversionLimits)"/>.
/// A span past a count limit is rejected on its own (counted, with its reason, in <c>partial_success</c>); a value nested
/// past the depth limit is replaced by a marker. The defaults bound nothing but the depth: the receiver sets its own.
/// </summary>
internal sealed class OtlpConversionLimits
{
    /// <summary>Gets the default limits (no count limit; depth <see cref="OtlpSpanConversionExtensions.DefaultMaxAttributeDepth"/>).</summary>
    public static OtlpConversionLimits Default { get; } = new();

    /// <summary>Gets the most spans taken from one request; the ones after are rejected. Default: no limit.</summary>
    public int MaxSpans { get; init; } = int.MaxValue;

    /// <summary>Gets the most attributes a span may have; a span with more is rejected. Default: no limit.</summary>
    public int MaxAttributesPerSpan { get; init; } = int.MaxValue;

    /// <summary>Gets the nesting depth beyond which attribute values become
    /// <see cref="OtlpSpanConversionExtensions.DepthLimitMarker"/> (a top-level value is depth 1). Default 32.</summary>
    public int MaxAttributeDepth { get; init; } = OtlpSpanConversionExtensions.DefaultMaxAttributeDepth;
}
