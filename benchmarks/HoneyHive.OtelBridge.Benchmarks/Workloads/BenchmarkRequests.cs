// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Text;
using Google.Protobuf;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Implementation.Otlp;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Common.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Resource.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Trace.V1;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Benchmarks.Workloads;

/// <summary>
/// Larger inputs built from <see cref="BenchmarkSpans"/>: a 100-span OTLP export request (ten
/// agent traces, one resource, one scope) as protobuf bytes and as OTLP/JSON, and a 100-event
/// HoneyHive batch.
/// </summary>
internal static class BenchmarkRequests
{
    public const int Traces = 10;

    /// <summary>Gets the 100 spans of <see cref="Traces"/> agent traces.</summary>
    public static SpanRecord[] Spans(int traces = Traces)
    {
        var spans = new List<SpanRecord>(traces * BenchmarkSpans.SpansPerTrace);
        for (var t = 1; t <= traces; t++)
        {
            spans.AddRange(BenchmarkSpans.Trace(BenchmarkSpans.TraceId(t)));
        }

        return [.. spans];
    }

    /// <summary>Gets the spans as one OTLP export request.</summary>
    public static ExportTraceServiceRequest OtlpRequest(IReadOnlyList<SpanRecord> spans)
    {
        var resource = new Resource();
        foreach (var pair in spans[0].ResourceAttributes)
        {
            resource.Attributes.Add(ToKeyValue(pair));
        }

        var scopeSpans = new ScopeSpans { Scope = new InstrumentationScope { Name = "Microsoft.Extensions.AI", Version = "9.5.0" } };
        foreach (var span in spans)
        {
            scopeSpans.Spans.Add(ToOtlp(span));
        }

        var resourceSpans = new ResourceSpans { Resource = resource };
        resourceSpans.ScopeSpans.Add(scopeSpans);
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(resourceSpans);
        return request;
    }

    /// <summary>Gets the request as protobuf bytes (what gRPC and OTLP/HTTP protobuf carry).</summary>
    public static byte[] OtlpProtobuf(ExportTraceServiceRequest request) => request.ToByteArray();

    /// <summary>Gets the request as OTLP/JSON UTF-8 bytes (what OTLP/HTTP JSON carries).</summary>
    public static byte[] OtlpJson(ExportTraceServiceRequest request) =>
        Encoding.UTF8.GetBytes(OtlpJsonSerializer.FormatRequest(request));

    /// <summary>Gets the spans mapped to events, as the batch body of one session.</summary>
    public static SessionEventBatchRequest EventBatch(IReadOnlyList<SpanRecord> spans)
    {
        var events = new List<EventRequest>(spans.Count);
        var sessionId = HoneyHiveIds.SessionIdForTrace(spans[0].TraceId);
        foreach (var span in spans)
        {
            var parent = span.IsRoot ? sessionId : HoneyHiveIds.EventIdForSpan(span.TraceId, span.ParentSpanId);
            events.Add(TraceMapper.Event(new PlannedEvent(span, parent, AsRootEvent: span.IsRoot), sessionId, MappingOptions.Default));
        }

        return new SessionEventBatchRequest { Events = events };
    }

    private static Span ToOtlp(SpanRecord record)
    {
        var span = new Span
        {
            TraceId = ByteString.CopyFrom(TraceBytes(record.TraceId)),
            SpanId = ByteString.CopyFrom(SpanBytes(record.SpanId)),
            ParentSpanId = record.IsRoot ? ByteString.Empty : ByteString.CopyFrom(SpanBytes(record.ParentSpanId)),
            Name = record.Name,
            Kind = record.Kind switch
            {
                ActivityKind.Server => Span.Types.SpanKind.Server,
                ActivityKind.Client => Span.Types.SpanKind.Client,
                ActivityKind.Producer => Span.Types.SpanKind.Producer,
                ActivityKind.Consumer => Span.Types.SpanKind.Consumer,
                _ => Span.Types.SpanKind.Internal,
            },
            StartTimeUnixNano = (ulong)record.StartTimeUnixNano,
            EndTimeUnixNano = (ulong)record.EndTimeUnixNano,
            Status = new Status(),
        };
        foreach (var pair in record.Attributes)
        {
            span.Attributes.Add(ToKeyValue(pair));
        }

        return span;
    }

    private static KeyValue ToKeyValue(KeyValuePair<string, object?> pair) =>
        new() { Key = pair.Key, Value = ToAnyValue(pair.Value) };

    private static AnyValue ToAnyValue(object? value)
    {
        switch (value)
        {
            case string s:
                return new AnyValue { StringValue = s };
            case bool b:
                return new AnyValue { BoolValue = b };
            case long l:
                return new AnyValue { IntValue = l };
            case double d:
                return new AnyValue { DoubleValue = d };
            case object?[] items:
                var array = new ArrayValue();
                foreach (var item in items)
                {
                    array.Values.Add(ToAnyValue(item));
                }

                return new AnyValue { ArrayValue = array };
            default:
                throw new NotSupportedException("The benchmark spans hold strings, bools, longs, doubles and arrays only.");
        }
    }

    private static byte[] TraceBytes(ActivityTraceId id)
    {
        var bytes = new byte[16];
        id.CopyTo(bytes);
        return bytes;
    }

    private static byte[] SpanBytes(ActivitySpanId id)
    {
        var bytes = new byte[8];
        id.CopyTo(bytes);
        return bytes;
    }
}
