// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// The body of <c>POST /v1/sessions</c> (<c>StartSessionRequest</c>, a bare session object):
/// exactly the 13 fields of the <c>sessions create</c> command. The API rejects any other field.
/// </summary>
/// <remarks>
/// Its object fields are held as <see cref="FieldObject"/>s, as an event's are: a mapped root span's <c>metadata</c>
/// is written from the mapper's properties (<see cref="SessionJsonWriter"/>) unless someone asks for its
/// <see cref="JsonObject"/>.
/// </remarks>
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
    public JsonObject? Config
    {
        get => this.ConfigField?.Object;
        set => this.ConfigField = FieldObject.Of(value);
    }

    [JsonPropertyName("inputs")]
    public JsonObject? Inputs
    {
        get => this.InputsField?.Object;
        set => this.InputsField = FieldObject.Of(value);
    }

    [JsonPropertyName("outputs")]
    public JsonObject? Outputs
    {
        get => this.OutputsField?.Object;
        set => this.OutputsField = FieldObject.Of(value);
    }

    [JsonPropertyName("metadata")]
    public JsonObject? Metadata
    {
        get => this.MetadataField?.Object;
        set => this.MetadataField = FieldObject.Of(value);
    }

    [JsonPropertyName("user_properties")]
    public JsonObject? UserProperties
    {
        get => this.UserPropertiesField?.Object;
        set => this.UserPropertiesField = FieldObject.Of(value);
    }

    [JsonPropertyName("children_ids")]
    public List<string>? ChildrenIds { get; set; }

    /// <summary>Gets or sets <see cref="Config"/> as the field it is held in, or <see langword="null"/>.</summary>
    [JsonIgnore]
    internal FieldObject? ConfigField { get; set; }

    /// <summary>Gets or sets <see cref="Inputs"/> as the field it is held in, or <see langword="null"/>.</summary>
    [JsonIgnore]
    internal FieldObject? InputsField { get; set; }

    /// <summary>Gets or sets <see cref="Outputs"/> as the field it is held in, or <see langword="null"/>.</summary>
    [JsonIgnore]
    internal FieldObject? OutputsField { get; set; }

    /// <summary>Gets or sets <see cref="Metadata"/> as the field it is held in, or <see langword="null"/>.</summary>
    [JsonIgnore]
    internal FieldObject? MetadataField { get; set; }

    /// <summary>Gets or sets <see cref="UserProperties"/> as the field it is held in, or <see langword="null"/>.</summary>
    [JsonIgnore]
    internal FieldObject? UserPropertiesField { get; set; }
}
