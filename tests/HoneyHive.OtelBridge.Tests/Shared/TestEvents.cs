// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Tests.Shared;

/// <summary>Events with every field the model has, text that needs escaping and numbers of every kind.</summary>
internal static class TestEvents
{
    /// <summary>A new event, the same for the same arguments.</summary>
    /// <param name="n">Its number (in its id and values).</param>
    /// <param name="sessionId">Its <c>session_id</c>, or null to leave it out.</param>
    /// <returns>The event.</returns>
    public static EventRequest Rich(int n, string? sessionId) => new()
    {
        EventType = n % 2 == 0 ? EventTypes.Model : EventTypes.Tool,
        EventId = "00000000-0000-4000-8000-" + n.ToString("D12", System.Globalization.CultureInfo.InvariantCulture),
        SessionId = sessionId,
        ParentId = sessionId,
        ChildrenIds = n % 3 == 0 ? ["c1", "c2"] : null,
        EventName = "chat \"quoted\" <tag> & 'single' é – 日本 \u2028 " + n,
        Source = "otel",
        Inputs = new JsonObject
        {
            ["chat_history"] = new JsonArray(
                new JsonObject { ["role"] = "user", ["content"] = "Hello\nworld\t\u0001 ☃ 😀 " + new string('x', 40 * n) },
                new JsonObject { ["role"] = "assistant", ["content"] = null }),
        },
        Outputs = n % 2 == 0 ? new JsonObject { ["content"] = "ok", ["list"] = new JsonArray(1, 2.5, -3e-7, true) } : null,
        Config = new JsonObject { ["model"] = "gpt-4o", ["temperature"] = 0.1 * n, ["max_tokens"] = long.MaxValue - n },
        Error = n % 5 == 0 ? "boom" : null,
        StartTime = 1_700_000_000_000 + n,
        EndTime = 1_700_000_000_250 + n,
        Duration = 250.125 + n,
        Metadata = new JsonObject { ["trace_id"] = "4bf92f3577b34da6a3ce929d0e0e4736", ["empty"] = new JsonObject() },
        Metrics = n % 4 == 0 ? new JsonObject { ["score"] = 0.5 } : null,
        Feedback = n % 4 == 1 ? new JsonObject { ["rating"] = 5 } : null,
        UserProperties = n % 4 == 2 ? new JsonObject { ["user"] = "ü" } : null,
        ProjectId = n % 7 == 0 ? "p" : null,
    };
}
