// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Tests.Implementation.Mapping;

namespace HoneyHive.OtelBridge.Tests.Implementation.Assembly;

/// <summary>Checks the design's invariants over a sequence of calls.</summary>
internal static class CallInvariants
{
    /// <summary>
    /// Returns the first violation, or <see langword="null"/>: a session is created before any
    /// event is posted to it or updated in it (1); every <c>parent_id</c> is the session id or
    /// the id of an event of the same session posted in the same or an earlier batch (2); every
    /// update targets an event that exists.
    /// </summary>
    public static string? FirstViolation(IReadOnlyList<ApiCall> calls)
    {
        var sessions = new HashSet<string>();
        var events = new Dictionary<string, HashSet<string>>();
        foreach (var call in calls)
        {
            switch (call)
            {
                case StartSessionCall start:
                    sessions.Add(start.SessionId);
                    events.TryAdd(start.SessionId, []);
                    break;
                case SessionEventBatchCall batch:
                    if (!sessions.Contains(batch.SessionId))
                    {
                        return "events posted before their session " + batch.SessionId;
                    }

                    var known = events[batch.SessionId];
                    foreach (var e in batch.Request.Events)
                    {
                        known.Add(e.EventId!);
                    }

                    foreach (var e in batch.Request.Events)
                    {
                        if (e.ParentId != batch.SessionId && !known.Contains(e.ParentId!))
                        {
                            return $"event {e.EventName} has dangling parent {e.ParentId}";
                        }
                    }

                    break;
                case UpdateEventCall update:
                    if (!sessions.Contains(update.SessionId) || !events[update.SessionId].Contains(update.EventId))
                    {
                        return "update of an event that does not exist: " + update.EventId;
                    }

                    break;
            }
        }

        return null;
    }

    /// <summary>Gets every event posted, by id (the last body wins), as JSON.</summary>
    public static Dictionary<string, string> EventsById(IEnumerable<ApiCall> calls) =>
        calls.OfType<SessionEventBatchCall>()
            .SelectMany(b => b.Request.Events.Select(e => (b.SessionId, Event: e)))
            .GroupBy(x => x.Event.EventId!)
            .ToDictionary(g => g.Key, g => g.Key + "@" + g.Last().SessionId + ":" + System.Text.Json.JsonSerializer.Serialize(g.Last().Event, HoneyHiveJsonContext.Api.EventRequest));

    /// <summary>Gets the distinct session bodies.</summary>
    public static SortedSet<string> SessionBodies(IEnumerable<ApiCall> calls) =>
        new(calls.OfType<StartSessionCall>().Select(c => TestSpans.Body(c).ToJsonString()), StringComparer.Ordinal);

    public static JsonObject? FindEvent(IEnumerable<ApiCall> calls, string eventId) =>
        calls.OfType<SessionEventBatchCall>().SelectMany(b => b.Request.Events).Where(e => e.EventId == eventId)
            .Select(e => JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(e, HoneyHiveJsonContext.Api.EventRequest))!.AsObject())
            .LastOrDefault();
}
