// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Tests.Implementation.Mapping;

/// <summary>Builds span records and reads calls back as JSON, for the mapping and assembly tests.</summary>
internal static class TestSpans
{
    public const long BaseNanos = 1_714_492_800_000_000_000;

    public static readonly ActivityTraceId Trace = ActivityTraceId.CreateFromString("0af7651916cd43dd8448eb211c80319c");

    public static ActivitySpanId Id(int n) => ActivitySpanId.CreateFromString(n.ToString("x16"));

    public static SpanRecord Span(
        int id,
        int parent = 0,
        string name = "span",
        params (string Key, object? Value)[] attributes) =>
        Span(Trace, id, parent, name, attributes);

    public static SpanRecord Span(
        ActivityTraceId trace,
        int id,
        int parent,
        string name,
        params (string Key, object? Value)[] attributes) => new()
        {
            TraceId = trace,
            SpanId = Id(id),
            ParentSpanId = parent == 0 ? default : Id(parent),
            Name = name,
            StartTimeUnixNano = BaseNanos + (id * 1_000_000L),
            EndTimeUnixNano = BaseNanos + (id * 1_000_000L) + 500_000L,
            Attributes = [.. attributes.Select(a => KeyValuePair.Create(a.Key, a.Value))],
        };

    /// <summary>The same span with other attributes.</summary>
    public static SpanRecord WithAttributes(SpanRecord span, IReadOnlyList<KeyValuePair<string, object?>> attributes) =>
        Copy(span, attributes, span.StatusCode, span.StatusMessage, span.Events);

    public static SpanRecord WithStatus(SpanRecord span, ActivityStatusCode code, string? message, params SpanEventRecord[] events) =>
        Copy(span, span.Attributes, code, message, events);

    public static JsonObject Body(ApiCall call) =>
        JsonNode.Parse(call.GetBodyUtf8())!.AsObject();

    public static JsonObject Line(ApiCall call) =>
        JsonNode.Parse(ApiCallJsonLinesSink.Format(call))!.AsObject();

    private static SpanRecord Copy(
        SpanRecord span,
        IReadOnlyList<KeyValuePair<string, object?>> attributes,
        ActivityStatusCode code,
        string? message,
        IReadOnlyList<SpanEventRecord> events) => new()
        {
            TraceId = span.TraceId,
            SpanId = span.SpanId,
            ParentSpanId = span.ParentSpanId,
            Name = span.Name,
            Kind = span.Kind,
            StartTimeUnixNano = span.StartTimeUnixNano,
            EndTimeUnixNano = span.EndTimeUnixNano,
            Attributes = attributes,
            ResourceAttributes = span.ResourceAttributes,
            StatusCode = code,
            StatusMessage = message,
            Events = events,
        };
}

/// <summary>Collects what an assembler submits.</summary>
internal sealed class CollectingSink : IApiCallSink
{
    private readonly object sync = new();

    public List<ApiCall> Calls { get; } = [];

    public void Submit(IReadOnlyList<ApiCall> calls)
    {
        lock (this.sync)
        {
            this.Calls.AddRange(calls);
        }
    }

    /// <summary>A copy of the calls so far, safe to read while other threads submit.</summary>
    /// <returns>The calls.</returns>
    public ApiCall[] Snapshot()
    {
        lock (this.sync)
        {
            return [.. this.Calls];
        }
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset now = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => this.now;

    public void Advance(TimeSpan by) => this.now += by;
}
