// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Security.Cryptography;
using Google.Protobuf;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Common.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Resource.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Trace.V1;

namespace HoneyHive.OtelBridge.Receiver.Tests.Otlp;

/// <summary>Builds OTLP trace export requests for the receiver tests (times are Unix ms offsets from a fixed epoch).</summary>
internal static class OtlpRequests
{
    public const long EpochMs = 1_714_492_800_000;

    public static byte[] NewTraceId() => RandomNumberGenerator.GetBytes(16);

    public static byte[] NewSpanId() => RandomNumberGenerator.GetBytes(8);

    public static Span Span(byte[] traceId, byte[]? parentSpanId, string name, long startMs, long endMs, params (string Key, string Value)[] attributes)
    {
        var span = new Span
        {
            TraceId = ByteString.CopyFrom(traceId),
            SpanId = ByteString.CopyFrom(NewSpanId()),
            ParentSpanId = parentSpanId is null ? ByteString.Empty : ByteString.CopyFrom(parentSpanId),
            Name = name,
            Kind = HoneyHive.OtelBridge.Implementation.Otlp.Proto.Trace.V1.Span.Types.SpanKind.Internal,
            StartTimeUnixNano = (ulong)((EpochMs + startMs) * 1_000_000),
            EndTimeUnixNano = (ulong)((EpochMs + endMs) * 1_000_000),
        };
        foreach (var (key, value) in attributes)
        {
            span.Attributes.Add(new KeyValue { Key = key, Value = new AnyValue { StringValue = value } });
        }

        return span;
    }

    public static ExportTraceServiceRequest Request(params Span[] spans)
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "receiver-tests" } };
        scope.Spans.AddRange(spans);
        var resource = new ResourceSpans { Resource = new Resource() };
        resource.Resource.Attributes.Add(new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "receiver-tests" } });
        resource.ScopeSpans.Add(scope);
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(resource);
        return request;
    }

    /// <summary>A trace of a root and one child chat span: two spans, one request.</summary>
    public static (ExportTraceServiceRequest Request, byte[] TraceId) RootWithChild(string name = "agent")
    {
        var traceId = NewTraceId();
        var root = Span(traceId, null, name, 0, 900, ("gen_ai.operation.name", "invoke_agent"));
        var child = Span(traceId, root.SpanId.ToByteArray(), "chat", 100, 400, ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o-mini"));
        return (Request(child, root), traceId);
    }
}
