// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>The body of <c>POST /v1/sessions/{session_id}/events/batch</c>: <c>{"events": [...]}</c>.</summary>
internal sealed class SessionEventBatchRequest
{
    [JsonPropertyName("events")]
    public List<EventRequest> Events { get; set; } = [];
}

/// <summary>The body of <c>POST /v1/events/batch</c>.</summary>
internal sealed class EventBatchRequest
{
    [JsonPropertyName("events")]
    public List<EventRequest> Events { get; set; } = [];

    [JsonPropertyName("single_session")]
    public bool? SingleSession { get; set; }

    [JsonPropertyName("session_properties")]
    public SessionStartRequest? SessionProperties { get; set; }
}

/// <summary>
/// The body of <c>PUT /v1/events/{event_id}</c>: the fields an update may change.
/// </summary>
internal sealed class EventUpdateRequest
{
    [JsonPropertyName("outputs")]
    public JsonObject? Outputs { get; set; }

    [JsonPropertyName("config")]
    public JsonObject? Config { get; set; }

    [JsonPropertyName("metadata")]
    public JsonObject? Metadata { get; set; }

    [JsonPropertyName("metrics")]
    public JsonObject? Metrics { get; set; }

    [JsonPropertyName("feedback")]
    public JsonObject? Feedback { get; set; }

    [JsonPropertyName("user_properties")]
    public JsonObject? UserProperties { get; set; }

    [JsonPropertyName("duration")]
    public double? Duration { get; set; }
}

/// <summary>The answer of <c>POST /v1/events/batch</c>.</summary>
internal sealed class EventBatchResponse
{
    [JsonPropertyName("event_ids")]
    public List<string> EventIds { get; set; } = [];

    [JsonPropertyName("session_id")]
    public string? SessionId { get; set; }

    [JsonPropertyName("success")]
    public bool Success { get; set; }
}
