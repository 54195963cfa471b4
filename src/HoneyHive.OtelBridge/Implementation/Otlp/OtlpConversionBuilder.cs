// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Globalization;
using System.Text;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Implementation.Otlp;

/// <summary>
/// The rules both OTLP decoders share (the generated messages' <see cref="OtlpSpanConversionExtensions.ToSpanRecords(Proto.Collector.Trace.V1.ExportTraceServiceRequest, OtlpConversionLimits)"/>
/// and the protobuf decoder): which span is taken or rejected and why, the span limits, duplicate ids, the
/// error message, and the small conversions of ids, times, kinds and status codes. A decoder offers each span's ids,
/// start time and attribute count to <see cref="TryTake"/>, and adds the record of a span taken.
/// </summary>
internal sealed class OtlpConversionBuilder
{
    private const int TraceIdLength = 16;
    private const int SpanIdLength = 8;

    private readonly OtlpConversionLimits limits;
    private readonly List<SpanRecord> spans;
    private readonly HashSet<(ActivityTraceId, ActivitySpanId)>? seen;
    private StringBuilder? reasons;
    private int rejected;

    /// <summary>Initializes a new instance of the <see cref="OtlpConversionBuilder"/> class.</summary>
    /// <param name="limits">The limits (checked here).</param>
    /// <param name="spanCount">How many spans the request holds.</param>
    public OtlpConversionBuilder(OtlpConversionLimits limits, int spanCount)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.MaxAttributeDepth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.MaxSpans, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.MaxAttributesPerSpan, 0);
        this.limits = limits;
        this.spans = new List<SpanRecord>(Math.Min(spanCount, limits.MaxSpans));
        this.seen = spanCount > 1 ? new(Math.Min(spanCount, limits.MaxSpans)) : null;
    }

    /// <summary>Gets the limits.</summary>
    public OtlpConversionLimits Limits => this.limits;

    /// <summary>Decides whether a span is taken: counts it with its reason when it is not.</summary>
    /// <param name="r">The index of its <c>resource_spans</c>.</param>
    /// <param name="s">The index of its <c>scope_spans</c>.</param>
    /// <param name="i">The index of the span.</param>
    /// <param name="traceId">Its trace id bytes.</param>
    /// <param name="spanId">Its span id bytes.</param>
    /// <param name="parentSpanIdLength">The length of its parent span id.</param>
    /// <param name="startTimeUnixNano">Its start time.</param>
    /// <param name="attributeCount">Its number of attributes.</param>
    /// <param name="ids">The span's ids, when it is taken.</param>
    /// <returns><see langword="true"/> when the span is to be converted and added.</returns>
    public bool TryTake(int r, int s, int i, ReadOnlySpan<byte> traceId, ReadOnlySpan<byte> spanId, int parentSpanIdLength, ulong startTimeUnixNano, int attributeCount, out (ActivityTraceId TraceId, ActivitySpanId SpanId) ids)
    {
        ids = default;
        var reason = this.spans.Count >= this.limits.MaxSpans
            ? string.Create(CultureInfo.InvariantCulture, $"past the limit of {this.limits.MaxSpans} spans per request")
            : this.Validate(traceId, spanId, parentSpanIdLength, startTimeUnixNano, attributeCount);
        if (reason is null)
        {
            ids = (ActivityTraceId.CreateFromBytes(traceId), ActivitySpanId.CreateFromBytes(spanId));
            if (this.seen is not null && !this.seen.Add(ids))
            {
                reason = "duplicate span_id in this request (the first is kept)";
            }
        }

        if (reason is null)
        {
            return true;
        }

        this.rejected++;
        this.AppendReason(r, s, i, reason);
        return false;
    }

    /// <summary>Adds the record of a span taken.</summary>
    /// <param name="span">The record.</param>
    public void Add(SpanRecord span) => this.spans.Add(span);

    /// <summary>Builds the result.</summary>
    /// <returns>The spans taken, and the count and reasons of those rejected.</returns>
    public OtlpConversionResult ToResult()
    {
        string? errorMessage = null;
        if (this.rejected > 0)
        {
            if (this.rejected > OtlpSpanConversionExtensions.MaxReasonsInMessage)
            {
                this.reasons!.Append(CultureInfo.InvariantCulture, $"; and {this.rejected - OtlpSpanConversionExtensions.MaxReasonsInMessage} more");
            }

            errorMessage = string.Create(
                CultureInfo.InvariantCulture,
                $"Rejected {this.rejected} of {this.rejected + this.spans.Count} spans: {this.reasons}.");
        }

        return new OtlpConversionResult(this.spans, this.rejected, errorMessage);
    }

    /// <summary>Reads a parent span id: all zeros or not 8 bytes means no parent.</summary>
    /// <param name="parentSpanId">The bytes.</param>
    /// <returns>The parent id, or <see langword="default"/>.</returns>
    internal static ActivitySpanId ToParentSpanId(ReadOnlySpan<byte> parentSpanId) =>
        parentSpanId.Length == SpanIdLength && !IsAllZero(parentSpanId) ? ActivitySpanId.CreateFromBytes(parentSpanId) : default;

    /// <summary>Tells whether a link's ids are valid (links with invalid ids are left out).</summary>
    /// <param name="traceId">The trace id bytes.</param>
    /// <param name="spanId">The span id bytes.</param>
    /// <returns><see langword="true"/> when both are valid.</returns>
    internal static bool IsValidLink(ReadOnlySpan<byte> traceId, ReadOnlySpan<byte> spanId) =>
        traceId.Length == TraceIdLength && !IsAllZero(traceId) && spanId.Length == SpanIdLength && !IsAllZero(spanId);

    /// <summary>Reads an OTLP time (a <c>fixed64</c>) as a signed number, saturating.</summary>
    /// <param name="unixNano">The time.</param>
    /// <returns>The time as a <see cref="long"/>.</returns>
    internal static long ToInt64(ulong unixNano) => unixNano > long.MaxValue ? long.MaxValue : (long)unixNano;

    /// <summary>Maps an OTLP span kind number (UNSPECIFIED and unknown numbers are internal).</summary>
    /// <param name="kind">The number.</param>
    /// <returns>The kind.</returns>
    internal static ActivityKind ToActivityKind(int kind) => kind switch
    {
        2 => ActivityKind.Server,
        3 => ActivityKind.Client,
        4 => ActivityKind.Producer,
        5 => ActivityKind.Consumer,
        _ => ActivityKind.Internal,
    };

    /// <summary>Maps an OTLP status code number (unknown numbers are unset).</summary>
    /// <param name="code">The number.</param>
    /// <returns>The status code.</returns>
    internal static ActivityStatusCode ToStatusCode(int code) => code switch
    {
        1 => ActivityStatusCode.Ok,
        2 => ActivityStatusCode.Error,
        _ => ActivityStatusCode.Unset,
    };

    /// <summary>Turns an empty string into <see langword="null"/>.</summary>
    /// <param name="value">The string.</param>
    /// <returns>The string, or <see langword="null"/>.</returns>
    internal static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static bool IsAllZero(ReadOnlySpan<byte> bytes) => !bytes.ContainsAnyExcept((byte)0);

    private string? Validate(ReadOnlySpan<byte> traceId, ReadOnlySpan<byte> spanId, int parentLength, ulong startTimeUnixNano, int attributeCount)
    {
        if (traceId.Length != TraceIdLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"trace_id must be 16 bytes, got {traceId.Length}");
        }

        if (IsAllZero(traceId))
        {
            return "trace_id is all zeros";
        }

        if (spanId.Length != SpanIdLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"span_id must be 8 bytes, got {spanId.Length}");
        }

        if (IsAllZero(spanId))
        {
            return "span_id is all zeros";
        }

        if (parentLength != 0 && parentLength != SpanIdLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"parent_span_id must be empty or 8 bytes, got {parentLength}");
        }

        if (startTimeUnixNano == 0)
        {
            return "start_time_unix_nano is 0";
        }

        if (attributeCount > this.limits.MaxAttributesPerSpan)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{attributeCount} attributes, more than the limit of {this.limits.MaxAttributesPerSpan}");
        }

        return null;
    }

    private void AppendReason(int r, int s, int i, string reason)
    {
        if (this.rejected > OtlpSpanConversionExtensions.MaxReasonsInMessage)
        {
            return;
        }

        this.reasons ??= new StringBuilder();
        if (this.rejected > 1)
        {
            this.reasons.Append("; ");
        }

        this.reasons.Append(CultureInfo.InvariantCulture, $"resource_spans[{r}].scope_spans[{s}].spans[{i}]: {reason}");
    }
}
