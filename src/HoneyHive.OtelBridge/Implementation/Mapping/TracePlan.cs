// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Implementation.Mapping;

/// <summary>How the session call of a <see cref="TracePlan"/> is built.</summary>
internal enum SessionPlanKind
{
    /// <summary>No session call (the session already exists).</summary>
    None,

    /// <summary>The root span is the session.</summary>
    Root,

    /// <summary>The session is named by an attribute and groups traces; the root is a chain event in it.</summary>
    Grouped,

    /// <summary>The root has not arrived: a session built from the spans that are there.</summary>
    Partial,
}

/// <summary>
/// A span to post as an event, with the parent the assembler chose for it: the session's id, a placeholder's or a
/// span's event id, or <see langword="null"/> for the event of the span's own parent (its id derived when the plan is
/// mapped, outside the assembler's lock, once for all its children: <see cref="TraceEventIds"/>).
/// </summary>
internal sealed record PlannedEvent(SpanRecord Span, string? ParentId, bool AsRootEvent);

/// <summary>
/// A stand-in <c>chain</c> event for a span that other spans point at but that has not arrived,
/// so no <c>parent_id</c> dangles (invariant 2). When the span arrives it fills the stand-in
/// through <c>PUT /v1/events/{id}</c>.
/// </summary>
internal sealed record PlannedPlaceholder(ActivitySpanId SpanId, long StartTimeUnixNano, long EndTimeUnixNano);

/// <summary>
/// What the assembler decided to emit for one trace at one moment; <see cref="TraceMapper"/>
/// turns it into API calls. Pure data.
/// </summary>
internal sealed class TracePlan
{
    public required ActivityTraceId TraceId { get; init; }

    public required string SessionId { get; init; }

    public SessionPlanKind SessionKind { get; init; }

    /// <summary>Gets the root span (for <see cref="SessionPlanKind.Root"/> and <see cref="SessionPlanKind.Grouped"/>).</summary>
    public SpanRecord? SessionSpan { get; init; }

    /// <summary>Gets the spans a partial session is built from.</summary>
    public IReadOnlyList<SpanRecord> PartialSpans { get; init; } = [];

    public List<PlannedPlaceholder> Placeholders { get; } = [];

    public List<PlannedEvent> Events { get; } = [];

    /// <summary>Gets the lowest durable-log position of the plan's spans (<see cref="Durability.LogPositions.None"/> when none is logged).</summary>
    public long LogPosition { get; init; } = Durability.LogPositions.None;

    /// <summary>Gets when the earliest of the plan's spans was accepted (a Stopwatch timestamp; 0 when unknown).</summary>
    public long AcceptedTimestamp { get; init; }

    /// <summary>Gets the spans that fill an earlier placeholder (<c>PUT /v1/events/{id}</c>), with their session.</summary>
    public List<SpanRecord> Updates { get; } = [];
}
