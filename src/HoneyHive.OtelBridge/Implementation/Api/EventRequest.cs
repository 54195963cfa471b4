// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
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

    /// <summary>Stands for "inputs never set": the first read makes the default empty object.</summary>
    private static readonly FieldObject UnsetInputs = new(Array.Empty<KeyValuePair<string, FieldValue>>());

    private FieldObject? inputs = UnsetInputs;

    /// <summary>Gets or sets the inputs; always an object (the API requires it).</summary>
    [JsonPropertyName("inputs")]
    public JsonObject Inputs
    {
        get => this.InputsField?.Object!;
        set => this.inputs = FieldObject.Of(value);
    }

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
    public JsonObject? Config
    {
        get => this.ConfigField?.Object;
        set => this.ConfigField = FieldObject.Of(value);
    }

    [JsonPropertyName("outputs")]
    public JsonObject? Outputs
    {
        get => this.OutputsField?.Object;
        set => this.OutputsField = FieldObject.Of(value);
    }

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
    public JsonObject? Metadata
    {
        get => this.MetadataField?.Object;
        set => this.MetadataField = FieldObject.Of(value);
    }

    [JsonPropertyName("metrics")]
    public JsonObject? Metrics
    {
        get => this.MetricsField?.Object;
        set => this.MetricsField = FieldObject.Of(value);
    }

    [JsonPropertyName("feedback")]
    public JsonObject? Feedback
    {
        get => this.FeedbackField?.Object;
        set => this.FeedbackField = FieldObject.Of(value);
    }

    [JsonPropertyName("user_properties")]
    public JsonObject? UserProperties
    {
        get => this.UserPropertiesField?.Object;
        set => this.UserPropertiesField = FieldObject.Of(value);
    }

    [JsonPropertyName("project_id")]
    public string? ProjectId { get; set; }

    /// <summary>Gets or sets <see cref="Inputs"/> as the field they are held in (an empty object unless set).</summary>
    [JsonIgnore]
    internal FieldObject? InputsField
    {
        get
        {
            if (ReferenceEquals(this.inputs, UnsetInputs))
            {
                this.inputs = new FieldObject(new JsonObject());
            }

            return this.inputs;
        }

        set => this.inputs = value;
    }

    /// <summary>Gets or sets <see cref="Config"/> as the field it is held in, or <see langword="null"/>.</summary>
    [JsonIgnore]
    internal FieldObject? ConfigField { get; set; }

    /// <summary>Gets or sets <see cref="Outputs"/> as the field it is held in, or <see langword="null"/>.</summary>
    [JsonIgnore]
    internal FieldObject? OutputsField { get; set; }

    /// <summary>Gets or sets <see cref="Metadata"/> as the field it is held in, or <see langword="null"/>.</summary>
    [JsonIgnore]
    internal FieldObject? MetadataField { get; set; }

    /// <summary>Gets or sets <see cref="Metrics"/> as the field it is held in, or <see langword="null"/>.</summary>
    [JsonIgnore]
    internal FieldObject? MetricsField { get; set; }

    /// <summary>Gets or sets <see cref="Feedback"/> as the field it is held in, or <see langword="null"/>.</summary>
    [JsonIgnore]
    internal FieldObject? FeedbackField { get; set; }

    /// <summary>Gets or sets <see cref="UserProperties"/> as the field it is held in, or <see langword="null"/>.</summary>
    [JsonIgnore]
    internal FieldObject? UserPropertiesField { get; set; }

    /// <summary>
    /// Gets the documents in pooled arrays that values of this event's fields are read from (a chat span's messages),
    /// or <see langword="null"/>: not sent, not part of the event. See <see cref="ReleaseDocuments"/>.
    /// </summary>
    [JsonIgnore]
    internal IReadOnlyList<JsonDocument>? Documents { get; init; }

    /// <summary>
    /// Disposes <see cref="Documents"/>, so their arrays go back to the pool: only once the event has been written
    /// for the last time and its fields are not read again (delivery, once it has queued the event's encoded bytes);
    /// reading such a value afterwards throws <see cref="ObjectDisposedException"/>.
    /// </summary>
    internal void ReleaseDocuments()
    {
        if (this.Documents is { } documents)
        {
            foreach (var document in documents)
            {
                document.Dispose();
            }
        }
    }
}

/// <summary>The event types the API accepts.</summary>
internal static class EventTypes
{
    public const string Chain = "chain";
    public const string Model = "model";
    public const string Tool = "tool";
    public const string Session = "session";
}
