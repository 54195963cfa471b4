// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;

namespace HoneyHive.OtelBridge.Implementation.Spans;

/// <summary>
/// The neutral span both front doors produce (from <see cref="Activity"/> and from OTLP
/// <c>Span</c> messages). Everything after the front doors (trace assembly, mapping,
/// delivery) reads only this type.
/// </summary>
/// <remarks>
/// Attribute values are one of: <see cref="string"/>, <see cref="bool"/>, <see cref="long"/>,
/// <see cref="double"/>, <see cref="byte"/>[] (bytes), <see cref="object"/>?[] (an array of
/// these values), <see cref="IReadOnlyList{T}"/> of <see cref="KeyValuePair{TKey, TValue}"/>
/// (a key/value list), or <see langword="null"/> (an empty OTLP <c>AnyValue</c>).
/// </remarks>
internal sealed class SpanRecord
{
    public static readonly IReadOnlyList<KeyValuePair<string, object?>> NoAttributes = [];

    /// <summary>Gets the trace id.</summary>
    public required ActivityTraceId TraceId { get; init; }

    /// <summary>Gets the span id.</summary>
    public required ActivitySpanId SpanId { get; init; }

    /// <summary>Gets the parent span id; <see langword="default"/> when the span has no parent.</summary>
    public ActivitySpanId ParentSpanId { get; init; }

    /// <summary>Gets the span name.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>Gets the span kind (OTLP UNSPECIFIED is read as <see cref="ActivityKind.Internal"/>).</summary>
    public ActivityKind Kind { get; init; } = ActivityKind.Internal;

    /// <summary>Gets the start time in Unix nanoseconds.</summary>
    public long StartTimeUnixNano { get; init; }

    /// <summary>Gets the end time in Unix nanoseconds.</summary>
    public long EndTimeUnixNano { get; init; }

    /// <summary>Gets the status code.</summary>
    public ActivityStatusCode StatusCode { get; init; }

    /// <summary>Gets the status description, if any.</summary>
    public string? StatusMessage { get; init; }

    /// <summary>Gets the span attributes in their original order.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Attributes { get; init; } = NoAttributes;

    /// <summary>Gets the span events.</summary>
    public IReadOnlyList<SpanEventRecord> Events { get; init; } = [];

    /// <summary>Gets the span links.</summary>
    public IReadOnlyList<SpanLinkRecord> Links { get; init; } = [];

    /// <summary>Gets the attributes of the resource that produced the span.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> ResourceAttributes { get; init; } = NoAttributes;

    /// <summary>Gets the instrumentation scope name.</summary>
    public string? ScopeName { get; init; }

    /// <summary>Gets the instrumentation scope version.</summary>
    public string? ScopeVersion { get; init; }

    /// <summary>Gets a value indicating whether the span has no parent (it is its trace's root).</summary>
    public bool IsRoot => this.ParentSpanId == default;

    /// <summary>
    /// Gets or sets the position of the durable-log record this span was read from or appended to, or
    /// <see cref="Durability.LogPositions.None"/> (the default) when the span is not in a log. Set once, by the
    /// pipeline, before the span reaches trace assembly; it is not part of the span's data.
    /// </summary>
    internal long LogPosition { get; set; } = Durability.LogPositions.None;

    /// <summary>
    /// Gets or sets when the pipeline accepted the span (a <see cref="System.Diagnostics.Stopwatch"/> timestamp), or 0
    /// when unknown (a span replayed from the log of an earlier process). The delivery-latency histogram measures from
    /// it; it is not part of the span's data.
    /// </summary>
    internal long AcceptedTimestamp { get; set; }
}

/// <summary>A span event (name, time in Unix nanoseconds, attributes).</summary>
internal sealed record SpanEventRecord(string Name, long TimeUnixNano, IReadOnlyList<KeyValuePair<string, object?>> Attributes);

/// <summary>A span link to another span.</summary>
internal sealed record SpanLinkRecord(ActivityTraceId TraceId, ActivitySpanId SpanId, IReadOnlyList<KeyValuePair<string, object?>> Attributes);
