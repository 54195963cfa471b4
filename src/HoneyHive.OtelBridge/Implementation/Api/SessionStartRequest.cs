// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// The body of <c>POST /v1/sessions</c> (<c>StartSessionRequest</c>, a bare session object):
/// exactly the 13 fields of the <c>sessions create</c> command. The API rejects any other field.
/// </summary>
internal sealed class SessionStartRequest
{
    [JsonPropertyName("session_id")]
    public string? SessionId { get; set; }

    [JsonPropertyName("session_name")]
    public string? SessionName { get; set; }

    [JsonPropertyName("event_name")]
    public string? EventName { get; set; }

    [JsonPropertyName("source")]
    public string? Source { get; set; }

    /// <summary>Gets or sets the start time in Unix milliseconds (a JSON number).</summary>
    [JsonPropertyName("start_time")]
    public long? StartTime { get; set; }

    /// <summary>Gets or sets the end time in Unix milliseconds (a JSON number).</summary>
    [JsonPropertyName("end_time")]
    public long? EndTime { get; set; }

    /// <summary>Gets or sets the duration in milliseconds.</summary>
    [JsonPropertyName("duration")]
    public double? Duration { get; set; }

    [JsonPropertyName("config")]
    public JsonObject? Config { get; set; }

    [JsonPropertyName("inputs")]
    public JsonObject? Inputs { get; set; }

    [JsonPropertyName("outputs")]
    public JsonObject? Outputs { get; set; }

    [JsonPropertyName("metadata")]
    public JsonObject? Metadata { get; set; }

    [JsonPropertyName("user_properties")]
    public JsonObject? UserProperties { get; set; }

    [JsonPropertyName("children_ids")]
    public List<string>? ChildrenIds { get; set; }
}
