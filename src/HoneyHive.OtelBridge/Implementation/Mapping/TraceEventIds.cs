// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Runtime.InteropServices;

namespace HoneyHive.OtelBridge.Implementation.Mapping;

/// <summary>
/// The event ids of one trace's spans (<see cref="HoneyHiveIds.EventIdForSpan"/>), each derived once while a plan is
/// mapped: a span's id is its event's <c>event_id</c> and the <c>parent_id</c> of each of its children (an agent span
/// with seven children had its id hashed eight times). Not thread-safe: one plan, one mapping thread.
/// </summary>
internal sealed class TraceEventIds
{
    private readonly ActivityTraceId traceId;
    private readonly Dictionary<ActivitySpanId, string> ids;

    /// <param name="traceId">The trace.</param>
    /// <param name="capacity">How many spans' ids are likely asked for (the dictionary is sized once).</param>
    public TraceEventIds(ActivityTraceId traceId, int capacity = 0)
    {
        this.traceId = traceId;
        this.ids = new Dictionary<ActivitySpanId, string>(capacity);
    }

    /// <summary>Gets the event id of a span of the trace.</summary>
    /// <param name="spanId">The span id.</param>
    /// <returns>The id.</returns>
    public string For(ActivitySpanId spanId)
    {
        ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(this.ids, spanId, out _);
        return id ??= HoneyHiveIds.EventIdForSpan(this.traceId, spanId);
    }
}
