// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// The one description of the request objects the bridge sends: field names, JSON types, required
/// fields, descriptions and enum values. The JSON Schemas the <c>sessions</c> commands print are
/// generated from it, the command flags are derived from it, and a test holds the request models
/// (<see cref="SessionStartRequest"/>, <see cref="EventRequest"/>, <see cref="SessionEventBatchRequest"/>)
/// to exactly these field names.
/// </summary>
internal static class ApiSchemas
{
    /// <summary>The JSON Schema dialect of every schema generated here.</summary>
    public const string Draft202012 = "https://json-schema.org/draft/2020-12/schema";

    /// <summary>The <c>event_type</c> values the API accepts.</summary>
    public static readonly IReadOnlyList<string> EventTypeValues =
        [EventTypes.Chain, EventTypes.Model, EventTypes.Tool, EventTypes.Session];

    /// <summary>The body of <c>POST /v1/sessions</c> (<c>StartSessionRequest</c>): 13 optional fields.</summary>
    public static readonly ApiObjectSchema Session = new(
        "StartSessionRequest",
        "A bare session object (no session wrapper). No field is required: every field has a server-side fallback.",
        [
            new("session_id", ApiValueKind.String, "Client-provided session ID (server generates a UUIDv4 if omitted or not a valid UUID)"),
            new("session_name", ApiValueKind.String, "Display name for the session"),
            new("event_name", ApiValueKind.String, "Fallback name if session_name is not provided (default \"unknown\")"),
            new("source", ApiValueKind.String, "Source of the session (e.g., sdk-python; default \"unknown\")"),
            new("start_time", ApiValueKind.Integer, "Session start time as Unix milliseconds"),
            new("end_time", ApiValueKind.Integer, "Session end time as Unix milliseconds"),
            new("duration", ApiValueKind.Number, "Session duration in milliseconds"),
            new("config", ApiValueKind.Object, "Configuration associated with the session"),
            new("inputs", ApiValueKind.Object, "Input data for the session"),
            new("outputs", ApiValueKind.Object, "Output data from the session"),
            new("metadata", ApiValueKind.Object, "Arbitrary metadata for the session"),
            new("user_properties", ApiValueKind.Object, "User properties associated with the session"),
            new("children_ids", ApiValueKind.StringArray, "IDs of child events in this session"),
        ]);

    /// <summary>One event (<c>PostEventRequest</c>): <c>event_type</c> and <c>inputs</c> are required.</summary>
    public static readonly ApiObjectSchema Event = new(
        "PostEventRequest",
        "One event. Unknown fields are rejected.",
        [
            new("event_type", ApiValueKind.String, "Type of the event", required: true, enumValues: EventTypeValues),
            new("inputs", ApiValueKind.Object, "Input data of the event", required: true),
            new("event_id", ApiValueKind.String, "Client-provided event ID, a UUIDv4 (server generates one if omitted)"),
            new("session_id", ApiValueKind.String, "Session of the event (on the session batch route the URL path wins)"),
            new("parent_id", ApiValueKind.String, "Parent event ID (defaults to session_id)"),
            new("children_ids", ApiValueKind.StringArray, "IDs of child events"),
            new("event_name", ApiValueKind.String, "Name of the event (default \"unknown\")"),
            new("source", ApiValueKind.String, "Source of the event (e.g., prod, dev, sdk-python; default \"unknown\")"),
            new("config", ApiValueKind.Object, "Configuration of the event (model parameters, prompt template)"),
            new("outputs", ApiValueKind.Object, "Output data of the event"),
            new("error", ApiValueKind.NullableString, "Error message, if the event failed"),
            new("start_time", ApiValueKind.Integer, "Event start time as Unix milliseconds"),
            new("end_time", ApiValueKind.Integer, "Event end time as Unix milliseconds"),
            new("duration", ApiValueKind.Number, "Event duration in milliseconds"),
            new("metadata", ApiValueKind.Object, "Arbitrary metadata (token counts, cost, ...)"),
            new("metrics", ApiValueKind.Object, "Metrics of the event"),
            new("feedback", ApiValueKind.Object, "Feedback on the event (ground truth under ground_truth)"),
            new("user_properties", ApiValueKind.Object, "User properties associated with the event"),
            new("project_id", ApiValueKind.String, "Project ID (the project is normally derived from the API key)"),
        ]);

    /// <summary>
    /// The <c>sessions create-event-batch</c> request, flattened as its <c>--filename</c> file:
    /// <c>session_id</c> (the URL path) and <c>events</c> (the body, <c>SessionEventBatchRequest</c>).
    /// </summary>
    public static readonly ApiObjectSchema SessionEventBatch = new(
        "SessionEventBatchRequest",
        "Events to add to an existing session: session_id goes into the URL path, events into the body.",
        [
            new("session_id", ApiValueKind.String, "Session ID to add events to", required: true, inPath: true),
            new("events", ApiValueKind.ObjectArray, "Events to add to the session", required: true, items: Event),
        ]);

    /// <summary>Generates the JSON Schema (draft 2020-12) of a whole request object.</summary>
    /// <param name="schema">The request object.</param>
    /// <returns>A new schema document.</returns>
    public static JsonObject ToJsonSchema(ApiObjectSchema schema)
    {
        var document = new JsonObject { ["$schema"] = Draft202012 };
        foreach (var property in ObjectSchema(schema))
        {
            document[property.Key] = property.Value?.DeepClone();
        }

        return document;
    }

    /// <summary>Generates the JSON Schema (draft 2020-12) of one field's value.</summary>
    /// <param name="field">The field.</param>
    /// <returns>A new schema document.</returns>
    public static JsonObject ToJsonSchema(ApiField field)
    {
        var document = new JsonObject { ["$schema"] = Draft202012, ["title"] = field.Name };
        foreach (var property in ValueSchema(field))
        {
            document[property.Key] = property.Value?.DeepClone();
        }

        return document;
    }

    private static JsonObject ObjectSchema(ApiObjectSchema schema)
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var field in schema.Fields)
        {
            properties[field.Name] = ValueSchema(field);
            if (field.Required)
            {
                required.Add(field.Name);
            }
        }

        var node = new JsonObject
        {
            ["title"] = schema.Title,
            ["description"] = schema.Description,
            ["type"] = "object",
            ["properties"] = properties,
        };
        if (required.Count > 0)
        {
            node["required"] = required;
        }

        node["additionalProperties"] = false;
        return node;
    }

    private static JsonObject ValueSchema(ApiField field)
    {
        var node = field.Kind switch
        {
            ApiValueKind.String => new JsonObject { ["type"] = "string" },
            ApiValueKind.NullableString => new JsonObject { ["type"] = new JsonArray("string", "null") },
            ApiValueKind.Number => new JsonObject { ["type"] = "number" },
            ApiValueKind.Integer => new JsonObject { ["type"] = "integer" },
            ApiValueKind.Object => new JsonObject { ["type"] = "object" },
            ApiValueKind.StringArray => new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } },
            ApiValueKind.ObjectArray => new JsonObject { ["type"] = "array", ["items"] = ObjectSchema(field.Items!) },
            _ => throw new ArgumentOutOfRangeException(nameof(field), field.Kind, "Unknown value kind."),
        };

        node["description"] = field.Description;
        if (field.EnumValues.Count > 0)
        {
            var values = new JsonArray();
            foreach (var value in field.EnumValues)
            {
                values.Add(value);
            }

            node["enum"] = values;
        }

        return node;
    }
}
