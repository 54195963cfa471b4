// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Frozen;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.LocalApi.Implementation.Http;

namespace HoneyHive.OtelBridge.LocalApi.Implementation.Validation;

/// <summary>
/// <c>PostEventRequest</c> (v1.9.0 spec, <c>additionalProperties: false</c>): <c>event_type</c> and <c>inputs</c>
/// required, every other documented field optional, anything else rejected; and the stored event built from it.
/// </summary>
internal static class EventSchema
{
    private static readonly FrozenDictionary<string, FieldKind> Fields = new Dictionary<string, FieldKind>
    {
        ["event_type"] = FieldKind.EventType,
        ["inputs"] = FieldKind.Object,
        ["event_id"] = FieldKind.Uuid,
        ["session_id"] = FieldKind.Uuid,
        ["parent_id"] = FieldKind.Uuid,
        ["children_ids"] = FieldKind.StringArray,
        ["event_name"] = FieldKind.String,
        ["source"] = FieldKind.String,
        ["config"] = FieldKind.Object,
        ["outputs"] = FieldKind.Object,
        ["error"] = FieldKind.NullableString,
        ["start_time"] = FieldKind.Number,
        ["end_time"] = FieldKind.Number,
        ["duration"] = FieldKind.Number,
        ["metadata"] = FieldKind.Object,
        ["metrics"] = FieldKind.Object,
        ["feedback"] = FieldKind.Object,
        ["user_properties"] = FieldKind.Object,
        ["project_id"] = FieldKind.String,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Validates one event of a request.</summary>
    /// <param name="node">The event as posted.</param>
    /// <param name="where">What the event is, for error messages (e.g. <c>event at index 3</c>).</param>
    /// <returns>The event object.</returns>
    /// <exception cref="ApiException">400 naming the field and the event.</exception>
    public static JsonObject Validate(JsonNode? node, string where)
    {
        if (node is not JsonObject body)
        {
            throw ApiException.BadRequest($"Invalid {where}: an event must be a JSON object.");
        }

        JsonFields.Check(body, Fields, where);
        JsonFields.Require(body, "event_type", where);
        JsonFields.Require(body, "inputs", where);
        return body;
    }

    /// <summary>Builds the stored event of a validated event, with the server defaults.</summary>
    /// <param name="body">The output of <see cref="Validate"/>.</param>
    /// <param name="sessionId">The session the event is stored in (the path's or the batch's session wins over the body's).</param>
    /// <returns>The stored event.</returns>
    public static JsonObject Create(JsonObject body, string sessionId)
    {
        return new JsonObject
        {
            ["event_id"] = Copy(body, "event_id") ?? LocalIds.NewId(),
            ["session_id"] = sessionId,
            ["parent_id"] = Copy(body, "parent_id") ?? sessionId,
            ["children_ids"] = Copy(body, "children_ids") ?? new JsonArray(),
            ["event_type"] = Copy(body, "event_type"),
            ["event_name"] = Copy(body, "event_name") ?? "unknown",
            ["config"] = Copy(body, "config") ?? new JsonObject(),
            ["inputs"] = Copy(body, "inputs"),
            ["outputs"] = Copy(body, "outputs") ?? new JsonObject(),
            ["error"] = Copy(body, "error"),
            ["source"] = Copy(body, "source") ?? "unknown",
            ["duration"] = Copy(body, "duration"),
            ["user_properties"] = Copy(body, "user_properties") ?? new JsonObject(),
            ["metrics"] = Copy(body, "metrics") ?? new JsonObject(),
            ["feedback"] = Copy(body, "feedback") ?? new JsonObject(),
            ["metadata"] = Copy(body, "metadata") ?? new JsonObject(),
            ["org_id"] = LocalIds.OrgId,
            ["workspace_id"] = LocalIds.WorkspaceId,
            ["project_id"] = Copy(body, "project_id") ?? LocalIds.ProjectId,
            ["start_time"] = Copy(body, "start_time"),
            ["end_time"] = Copy(body, "end_time"),
        };
    }

    /// <summary>The session id an event names, if any.</summary>
    /// <param name="body">The output of <see cref="Validate"/>.</param>
    /// <returns>The session id, or <see langword="null"/>.</returns>
    public static string? SessionIdOf(JsonObject body) => body["session_id"]?.GetValue<string>();

    private static JsonNode? Copy(JsonObject request, string name) => request[name]?.DeepClone();
}
