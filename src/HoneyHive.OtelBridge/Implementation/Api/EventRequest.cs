// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// One event (<c>PostEventRequest</c>): the fields of the v1 event schema and no others.
/// <c>event_type</c> and <c>inputs</c> are required by the API.
/// </summary>
internal sealed class EventRequest
{
    /// <summary>Gets or sets the event type: <c>chain</c>, <c>model</c>, <c>tool</c> or <c>session</c>.</summary>
    [JsonPropertyName("event_type")]
    public string EventType { get; set; } = EventTypes.Chain;

    /// <summary>Gets or sets the inputs; always an object (the API requires it).</summary>
    [JsonPropertyName("inputs")]
    public JsonObject Inputs { get; set; } = [];

    [JsonPropertyName("event_id")]
    public string? EventId { get; set; }

    [JsonPropertyName("session_id")]
    public string? SessionId { get; set; }

    [JsonPropertyName("parent_id")]
    public string? ParentId { get; set; }

    [JsonPropertyName("children_ids")]
    public List<string>? ChildrenIds { get; set; }

    [JsonPropertyName("event_name")]
    public string? EventName { get; set; }

    [JsonPropertyName("source")]
    public string? Source { get; set; }

    [JsonPropertyName("config")]
    public JsonObject? Config { get; set; }

    [JsonPropertyName("outputs")]
    public JsonObject? Outputs { get; set; }

    [JsonPropertyName("error")]
    public string? Error { get; set; }

    /// <summary>Gets or sets the start time in Unix milliseconds (a JSON number).</summary>
    [JsonPropertyName("start_time")]
    public long? StartTime { get; set; }

    /// <summary>Gets or sets the end time in Unix milliseconds (a JSON number).</summary>
    [JsonPropertyName("end_time")]
    public long? EndTime { get; set; }

    /// <summary>Gets or sets the duration in milliseconds.</summary>
    [JsonPropertyName("duration")]
    public double? Duration { get; set; }

    [JsonPropertyName("metadata")]
    public JsonObject? Metadata { get; set; }

    [JsonPropertyName("metrics")]
    public JsonObject? Metrics { get; set; }

    [JsonPropertyName("feedback")]
    public JsonObject? Feedback { get; set; }

    [JsonPropertyName("user_properties")]
    public JsonObject? UserProperties { get; set; }

    [JsonPropertyName("project_id")]
    public string? ProjectId { get; set; }
}

/// <summary>The event types the API accepts.</summary>
internal static class EventTypes
{
    public const string Chain = "chain";
    public const string Model = "model";
    public const string Tool = "tool";
    public const string Session = "session";
}
