// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Common.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Resource.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Trace.V1;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Implementation.Otlp;

/// <summary>
/// The inverse of <see cref="OtlpSpanConversionExtensions.ToSpanRecords(Proto.Collector.Trace.V1.ExportTraceServiceRequest, int)"/>: <see cref="SpanRecord"/>s as an OTLP
/// <c>ExportTraceServiceRequest</c>, the format of a durable-log record. Converting back gives equal records.
/// </summary>
/// <remarks>
/// Spans that share a resource attribute list (the same list instance, as both front doors produce for one
/// resource) share one <c>ResourceSpans</c>; within it, spans of one scope (name and version) share one
/// <c>ScopeSpans</c>. Order is kept within each group.
/// </remarks>
internal static class SpanRecordOtlpConversionExtensions
{
    /// <summary>Builds an export request holding the spans.</summary>
    /// <param name="spans">The spans.</param>
    /// <returns>The OTLP request.</returns>
    public static ExportTraceServiceRequest ToExportTraceServiceRequest(this IReadOnlyList<SpanRecord> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        var request = new ExportTraceServiceRequest();
        var byResource = new Dictionary<IReadOnlyList<KeyValuePair<string, object?>>, ResourceGroup>(ReferenceEqualityComparer.Instance);
        foreach (var span in spans)
        {
            if (!byResource.TryGetValue(span.ResourceAttributes, out var group))
            {
                var resourceSpans = new ResourceSpans();
                if (span.ResourceAttributes.Count > 0)
                {
                    resourceSpans.Resource = new Resource();
                    AddKeyValues(resourceSpans.Resource.Attributes, span.ResourceAttributes);
                }

                request.ResourceSpans.Add(resourceSpans);
                group = new ResourceGroup(resourceSpans);
                byResource.Add(span.ResourceAttributes, group);
            }

            var scopeKey = (span.ScopeName, span.ScopeVersion);
            if (!group.Scopes.TryGetValue(scopeKey, out var scopeSpans))
            {
                scopeSpans = new ScopeSpans();
                if (span.ScopeName is not null || span.ScopeVersion is not null)
                {
                    scopeSpans.Scope = new InstrumentationScope { Name = span.ScopeName ?? string.Empty, Version = span.ScopeVersion ?? string.Empty };
                }

                group.ResourceSpans.ScopeSpans.Add(scopeSpans);
                group.Scopes.Add(scopeKey, scopeSpans);
            }

            scopeSpans.Spans.Add(ToOtlpSpan(span));
        }

        return request;
    }

    /// <summary>Converts one attribute value (see <see cref="SpanRecord"/> for the kinds a value may be).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The OTLP value; an empty <c>AnyValue</c> for <see langword="null"/>.</returns>
    internal static AnyValue ToAnyValue(object? value)
    {
        switch (value)
        {
            case null:
                return new AnyValue();
            case string text:
                return new AnyValue { StringValue = text };
            case bool flag:
                return new AnyValue { BoolValue = flag };
            case long number:
                return new AnyValue { IntValue = number };
            case int number:
                return new AnyValue { IntValue = number };
            case short number:
                return new AnyValue { IntValue = number };
            case byte number:
                return new AnyValue { IntValue = number };
            case double number:
                return new AnyValue { DoubleValue = number };
            case float number:
                return new AnyValue { DoubleValue = number };
            case byte[] bytes:
                return new AnyValue { BytesValue = ByteString.CopyFrom(bytes) };
            case IReadOnlyList<KeyValuePair<string, object?>> list:
                var kvlist = new KeyValueList();
                AddKeyValues(kvlist.Values, list);
                return new AnyValue { KvlistValue = kvlist };
            case object?[] items:
                var array = new ArrayValue();
                foreach (var item in items)
                {
                    array.Values.Add(ToAnyValue(item));
                }

                return new AnyValue { ArrayValue = array };
            default:
                return new AnyValue { StringValue = Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty };
        }
    }

    private static Span ToOtlpSpan(SpanRecord record)
    {
        var span = new Span
        {
            TraceId = ToByteString(record.TraceId),
            SpanId = ToByteString(record.SpanId),
            ParentSpanId = record.ParentSpanId == default ? ByteString.Empty : ToByteString(record.ParentSpanId),
            Name = record.Name,
            Kind = ToSpanKind(record.Kind),
            StartTimeUnixNano = ToUInt64(record.StartTimeUnixNano),
            EndTimeUnixNano = ToUInt64(record.EndTimeUnixNano),
        };
        AddKeyValues(span.Attributes, record.Attributes);
        if (record.StatusCode != ActivityStatusCode.Unset || record.StatusMessage is not null)
        {
            span.Status = new Status { Code = ToStatusCode(record.StatusCode), Message = record.StatusMessage ?? string.Empty };
        }

        foreach (var e in record.Events)
        {
            var otlpEvent = new Span.Types.Event { Name = e.Name, TimeUnixNano = ToUInt64(e.TimeUnixNano) };
            AddKeyValues(otlpEvent.Attributes, e.Attributes);
            span.Events.Add(otlpEvent);
        }

        foreach (var link in record.Links)
        {
            var otlpLink = new Span.Types.Link { TraceId = ToByteString(link.TraceId), SpanId = ToByteString(link.SpanId) };
            AddKeyValues(otlpLink.Attributes, link.Attributes);
            span.Links.Add(otlpLink);
        }

        return span;
    }

    private static void AddKeyValues(Google.Protobuf.Collections.RepeatedField<KeyValue> target, IReadOnlyList<KeyValuePair<string, object?>> values)
    {
        foreach (var (key, value) in values)
        {
            target.Add(new KeyValue { Key = key, Value = ToAnyValue(value) });
        }
    }

    private static ByteString ToByteString(ActivityTraceId id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.CopyTo(bytes);
        return ByteString.CopyFrom(bytes);
    }

    private static ByteString ToByteString(ActivitySpanId id)
    {
        Span<byte> bytes = stackalloc byte[8];
        id.CopyTo(bytes);
        return ByteString.CopyFrom(bytes);
    }

    private static Span.Types.SpanKind ToSpanKind(ActivityKind kind) => kind switch
    {
        ActivityKind.Server => Span.Types.SpanKind.Server,
        ActivityKind.Client => Span.Types.SpanKind.Client,
        ActivityKind.Producer => Span.Types.SpanKind.Producer,
        ActivityKind.Consumer => Span.Types.SpanKind.Consumer,
        _ => Span.Types.SpanKind.Internal,
    };

    private static Status.Types.StatusCode ToStatusCode(ActivityStatusCode code) => code switch
    {
        ActivityStatusCode.Ok => Status.Types.StatusCode.Ok,
        ActivityStatusCode.Error => Status.Types.StatusCode.Error,
        _ => Status.Types.StatusCode.Unset,
    };

    private static ulong ToUInt64(long unixNano) => unixNano < 0 ? 0 : (ulong)unixNano;

    private sealed class ResourceGroup(ResourceSpans resourceSpans)
    {
        public ResourceSpans ResourceSpans { get; } = resourceSpans;

        public Dictionary<(string? Name, string? Version), ScopeSpans> Scopes { get; } = [];
    }
}
