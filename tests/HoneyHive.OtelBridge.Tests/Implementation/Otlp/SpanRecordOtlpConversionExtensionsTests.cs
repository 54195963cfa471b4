// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using Google.Protobuf;
using HoneyHive.OtelBridge.Implementation.Otlp;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Implementation.Spans;
using HoneyHive.OtelBridge.Tests.Implementation.Spans;

namespace HoneyHive.OtelBridge.Tests.Implementation.Otlp;

public sealed class SpanRecordOtlpConversionExtensionsTests
{
    private static readonly KeyValuePair<string, object?>[] ServiceA = [new("service.name", "a"), new("host.count", 3L)];
    private static readonly KeyValuePair<string, object?>[] ServiceB = [new("service.name", "b")];

    [Fact]
    public void ToExportTraceServiceRequest_ThroughProtobufBytes_ToSpanRecordsGivesEqualRecords()
    {
        // Arrange
        var traceId = ActivityTraceId.CreateRandom();
        var root = Record(traceId, default, ServiceA, "agent", "1.0");
        var spans = new List<SpanRecord>
        {
            root,
            new()
            {
                TraceId = traceId,
                SpanId = ActivitySpanId.CreateRandom(),
                ParentSpanId = root.SpanId,
                Name = "chat gpt-4o",
                Kind = ActivityKind.Client,
                StartTimeUnixNano = 1_714_492_800_000_000_123,
                EndTimeUnixNano = 1_714_492_801_000_000_456,
                StatusCode = ActivityStatusCode.Error,
                StatusMessage = "rate limited",
                Attributes =
                [
                    new("text", "héllo"),
                    new("flag", true),
                    new("count", 42L),
                    new("ratio", 0.25),
                    new("bytes", new byte[] { 1, 2, 255 }),
                    new("array", new object?[] { "x", 1L, null, new object?[] { 2.5 } }),
                    new("map", new KeyValuePair<string, object?>[] { new("inner", "v"), new("n", -7L) }),
                    new("empty", null),
                ],
                Events = [new SpanEventRecord("gen_ai.choice", 1_714_492_800_500_000_000, [new("index", 0L)])],
                Links = [new SpanLinkRecord(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), [new("why", "retry")])],
                ResourceAttributes = ServiceA,
                ScopeName = "agent",
                ScopeVersion = "1.0",
            },
            Record(traceId, root.SpanId, ServiceA, "other-scope", null),
            Record(ActivityTraceId.CreateRandom(), default, ServiceB, null, null),
        };

        // Act
        var bytes = spans.ToExportTraceServiceRequest().ToByteArray();
        var result = ExportTraceServiceRequest.Parser.ParseFrom(bytes).ToSpanRecords();

        // Assert
        Assert.Equal(0, result.RejectedSpans);
        Assert.Equal(spans.Count, result.Spans.Count);
        var byId = result.Spans.ToDictionary(s => s.SpanId);
        foreach (var expected in spans)
        {
            SpanRecordAssert.Equal(expected, byId[expected.SpanId]);
        }
    }

    [Fact]
    public void ToExportTraceServiceRequest_SharedResourceAndScope_GroupedIntoOneResourceAndScopeSpans()
    {
        // Arrange
        var traceId = ActivityTraceId.CreateRandom();
        var spans = new[]
        {
            Record(traceId, default, ServiceA, "s", "1"),
            Record(traceId, ActivitySpanId.CreateRandom(), ServiceA, "s", "1"),
            Record(traceId, ActivitySpanId.CreateRandom(), ServiceA, "t", null),
            Record(traceId, ActivitySpanId.CreateRandom(), ServiceB, "s", "1"),
        };

        // Act
        var request = spans.ToExportTraceServiceRequest();

        // Assert
        Assert.Equal(2, request.ResourceSpans.Count);
        Assert.Equal([2, 1], request.ResourceSpans[0].ScopeSpans.Select(s => s.Spans.Count));
        Assert.Equal(["s", "t"], request.ResourceSpans[0].ScopeSpans.Select(s => s.Scope.Name));
        Assert.Single(request.ResourceSpans[1].ScopeSpans);
    }

    [Fact]
    public void ToExportTraceServiceRequest_NoSpans_EmptyRequest()
    {
        // Act
        var request = Array.Empty<SpanRecord>().ToExportTraceServiceRequest();

        // Assert
        Assert.Empty(request.ResourceSpans);
        Assert.Empty(request.ToSpanRecords().Spans);
    }

    private static SpanRecord Record(ActivityTraceId traceId, ActivitySpanId parent, IReadOnlyList<KeyValuePair<string, object?>> resource, string? scope, string? version) => new()
    {
        TraceId = traceId,
        SpanId = ActivitySpanId.CreateRandom(),
        ParentSpanId = parent,
        Name = "span",
        StartTimeUnixNano = 1_714_492_800_000_000_000,
        EndTimeUnixNano = 1_714_492_800_100_000_000,
        ResourceAttributes = resource,
        ScopeName = scope,
        ScopeVersion = version,
    };
}
