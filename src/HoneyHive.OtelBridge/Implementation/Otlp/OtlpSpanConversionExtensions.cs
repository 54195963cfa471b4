// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using Google.Protobuf.Collections;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Common.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Trace.V1;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Implementation.Otlp;

/// <summary>
/// Turns OTLP trace export requests into <see cref="SpanRecord"/>s (the receiver's front door).
/// </summary>
/// <remarks>
/// Spans are taken or rejected one by one: a span with an invalid trace id (not 16 bytes, or all
/// zeros), an invalid span id (not 8 bytes, or all zeros) or an invalid parent span id (neither
/// empty nor 8 bytes) is counted with its reason and its neighbours are still taken. A parent
/// id of all zeros means "no parent". Links with invalid ids are left out of the record (the span
/// itself is kept). A top-level attribute value is at depth 1, the elements of an array or
/// key/value list one deeper; an array or list whose elements would lie deeper than the limit is
/// replaced by <see cref="DepthLimitMarker"/>, so the conversion never recurses past the limit.
/// <para>Hostile or broken input has one defined answer each: a span whose start time is 0 is rejected; a span whose
/// end time is 0 or before its start is kept with its end set to its start (duration 0) and the attribute
/// <see cref="EndTimeClampedAttribute"/> (it lands in the event's metadata); a span whose id repeats an earlier span
/// of the same trace in the same request is rejected (the first is kept); a span that is its own parent is kept
/// and placed under the session by the assembler; spans past <see cref="OtlpConversionLimits.MaxSpans"/> and spans
/// with more than <see cref="OtlpConversionLimits.MaxAttributesPerSpan"/> attributes are rejected.</para>
/// </remarks>
internal static class OtlpSpanConversionExtensions
{
    /// <summary>The default nesting depth of attribute values (a top-level value is depth 1).</summary>
    public const int DefaultMaxAttributeDepth = 32;

    /// <summary>The string that replaces a value nested deeper than the depth limit.</summary>
    public const string DepthLimitMarker = "[value nested too deep]";

    /// <summary>The attribute added to a span whose end time was 0 or before its start (end set to start).</summary>
    public const string EndTimeClampedAttribute = "honeyhive_metadata.end_time_clamped";

    /// <summary>How many rejection reasons the error message lists before summarising the rest.</summary>
    internal const int MaxReasonsInMessage = 10;

    /// <summary>The attribute <see cref="EndTimeClampedAttribute"/> as it is added.</summary>
    internal static readonly KeyValuePair<string, object?> EndTimeClamped = new(EndTimeClampedAttribute, true);

    /// <summary>Converts every span of an export request.</summary>
    /// <param name="request">The OTLP request.</param>
    /// <param name="maxAttributeDepth">The nesting depth beyond which attribute values become <see cref="DepthLimitMarker"/>.</param>
    /// <returns>The spans taken, and the count and reasons of those rejected.</returns>
    public static OtlpConversionResult ToSpanRecords(this ExportTraceServiceRequest request, int maxAttributeDepth = DefaultMaxAttributeDepth)
        => request.ToSpanRecords(maxAttributeDepth == DefaultMaxAttributeDepth ? OtlpConversionLimits.Default : new OtlpConversionLimits { MaxAttributeDepth = maxAttributeDepth });

    /// <summary>Converts every span of an export request within limits.</summary>
    /// <param name="request">The OTLP request.</param>
    /// <param name="limits">The limits.</param>
    /// <returns>The spans taken, and the count and reasons of those rejected.</returns>
    public static OtlpConversionResult ToSpanRecords(this ExportTraceServiceRequest request, OtlpConversionLimits limits)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(limits);
        var capacity = 0;
        foreach (var resourceSpans in request.ResourceSpans)
        {
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                capacity += scopeSpans.Spans.Count;
            }
        }

        var builder = new OtlpConversionBuilder(limits, capacity);
        var maxAttributeDepth = limits.MaxAttributeDepth;
        for (var r = 0; r < request.ResourceSpans.Count; r++)
        {
            var resourceSpans = request.ResourceSpans[r];
            IReadOnlyList<KeyValuePair<string, object?>> resourceAttributes = resourceSpans.Resource is { } resource
                ? ToKeyValues(resource.Attributes, 1, maxAttributeDepth)
                : SpanRecord.NoAttributes;

            for (var s = 0; s < resourceSpans.ScopeSpans.Count; s++)
            {
                var scopeSpans = resourceSpans.ScopeSpans[s];
                var scopeName = OtlpConversionBuilder.NullIfEmpty(scopeSpans.Scope?.Name);
                var scopeVersion = OtlpConversionBuilder.NullIfEmpty(scopeSpans.Scope?.Version);

                for (var i = 0; i < scopeSpans.Spans.Count; i++)
                {
                    var span = scopeSpans.Spans[i];
                    if (builder.TryTake(r, s, i, span.TraceId.Span, span.SpanId.Span, span.ParentSpanId.Length, span.StartTimeUnixNano, span.Attributes.Count, out var ids))
                    {
                        builder.Add(ToSpanRecord(span, ids.TraceId, ids.SpanId, resourceAttributes, scopeName, scopeVersion, maxAttributeDepth));
                    }
                }
            }
        }

        return builder.ToResult();
    }

    /// <summary>Converts one attribute value.</summary>
    /// <param name="value">The OTLP value; <see langword="null"/> or empty gives <see langword="null"/>.</param>
    /// <param name="maxDepth">The nesting depth beyond which values become <see cref="DepthLimitMarker"/>.</param>
    /// <returns>A <see cref="SpanRecord"/> attribute value.</returns>
    internal static object? ToAttributeValue(AnyValue? value, int maxDepth = DefaultMaxAttributeDepth)
        => ConvertValue(value, 1, maxDepth);

    private static SpanRecord ToSpanRecord(
        Span span,
        ActivityTraceId traceId,
        ActivitySpanId spanId,
        IReadOnlyList<KeyValuePair<string, object?>> resourceAttributes,
        string? scopeName,
        string? scopeVersion,
        int maxDepth)
    {
        var start = OtlpConversionBuilder.ToInt64(span.StartTimeUnixNano);
        var end = OtlpConversionBuilder.ToInt64(span.EndTimeUnixNano);
        var attributes = ToKeyValues(span.Attributes, 1, maxDepth);
        if (end < start)
        {
            end = start;
            Array.Resize(ref attributes, attributes.Length + 1);
            attributes[^1] = EndTimeClamped;
        }

        return new SpanRecord
        {
            TraceId = traceId,
            SpanId = spanId,
            ParentSpanId = OtlpConversionBuilder.ToParentSpanId(span.ParentSpanId.Span),
            Name = span.Name,
            Kind = OtlpConversionBuilder.ToActivityKind((int)span.Kind),
            StartTimeUnixNano = start,
            EndTimeUnixNano = end,
            StatusCode = OtlpConversionBuilder.ToStatusCode((int)(span.Status?.Code ?? Status.Types.StatusCode.Unset)),
            StatusMessage = OtlpConversionBuilder.NullIfEmpty(span.Status?.Message),
            Attributes = attributes,
            Events = ToEvents(span.Events, maxDepth),
            Links = ToLinks(span.Links, maxDepth),
            ResourceAttributes = resourceAttributes,
            ScopeName = scopeName,
            ScopeVersion = scopeVersion,
        };
    }

    private static SpanEventRecord[] ToEvents(RepeatedField<Span.Types.Event> events, int maxDepth)
    {
        if (events.Count == 0)
        {
            return [];
        }

        var result = new SpanEventRecord[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            result[i] = new SpanEventRecord(e.Name, OtlpConversionBuilder.ToInt64(e.TimeUnixNano), ToKeyValues(e.Attributes, 1, maxDepth));
        }

        return result;
    }

    private static SpanLinkRecord[] ToLinks(RepeatedField<Span.Types.Link> links, int maxDepth)
    {
        if (links.Count == 0)
        {
            return [];
        }

        var result = new SpanLinkRecord[links.Count];
        var count = 0;
        foreach (var link in links)
        {
            var traceId = link.TraceId.Span;
            var spanId = link.SpanId.Span;
            if (!OtlpConversionBuilder.IsValidLink(traceId, spanId))
            {
                continue;
            }

            result[count++] = new SpanLinkRecord(
                ActivityTraceId.CreateFromBytes(traceId),
                ActivitySpanId.CreateFromBytes(spanId),
                ToKeyValues(link.Attributes, 1, maxDepth));
        }

        if (count < result.Length)
        {
            Array.Resize(ref result, count);
        }

        return result;
    }

    private static KeyValuePair<string, object?>[] ToKeyValues(RepeatedField<KeyValue> values, int depth, int maxDepth)
    {
        if (values.Count == 0)
        {
            return [];
        }

        var result = new KeyValuePair<string, object?>[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            var kv = values[i];
            result[i] = new KeyValuePair<string, object?>(kv.Key, ConvertValue(kv.Value, depth, maxDepth));
        }

        return result;
    }

    // Recursion is bounded by maxDepth: a value deeper than that is replaced, never descended into.
    private static object? ConvertValue(AnyValue? value, int depth, int maxDepth)
    {
        if (value is null)
        {
            return null;
        }

        switch (value.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                return value.StringValue;
            case AnyValue.ValueOneofCase.BoolValue:
                return value.BoolValue;
            case AnyValue.ValueOneofCase.IntValue:
                return BoxedInt64.Box(value.IntValue);
            case AnyValue.ValueOneofCase.DoubleValue:
                return value.DoubleValue;
            case AnyValue.ValueOneofCase.BytesValue:
                return value.BytesValue.ToByteArray();
            case AnyValue.ValueOneofCase.ArrayValue:
                if (depth >= maxDepth)
                {
                    return DepthLimitMarker;
                }

                var items = value.ArrayValue.Values;
                var array = new object?[items.Count];
                for (var i = 0; i < items.Count; i++)
                {
                    array[i] = ConvertValue(items[i], depth + 1, maxDepth);
                }

                return array;
            case AnyValue.ValueOneofCase.KvlistValue:
                return depth >= maxDepth ? DepthLimitMarker : ToKeyValues(value.KvlistValue.Values, depth + 1, maxDepth);
            case AnyValue.ValueOneofCase.None:
            default:
                return null;
        }
    }
}
