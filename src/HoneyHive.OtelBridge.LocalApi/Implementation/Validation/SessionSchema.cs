// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.LocalApi.Implementation.Http;

namespace HoneyHive.OtelBridge.LocalApi.Implementation.Validation;

/// <summary>
/// <c>StartSessionRequest</c> (<c>POST /v1/sessions</c>, <c>session_properties</c> of <c>POST /v1/events/batch</c>):
/// no required field, exactly 13 allowed fields, and the stored session event built from it.
/// </summary>
internal static class SessionSchema
{
    private static readonly FrozenDictionary<string, FieldKind> Fields = new Dictionary<string, FieldKind>
    {
        ["session_id"] = FieldKind.Any,
        ["session_name"] = FieldKind.String,
        ["event_name"] = FieldKind.String,
        ["source"] = FieldKind.String,
        ["start_time"] = FieldKind.Any,
        ["end_time"] = FieldKind.Any,
        ["duration"] = FieldKind.Number,
        ["config"] = FieldKind.Object,
        ["inputs"] = FieldKind.Object,
        ["outputs"] = FieldKind.Object,
        ["metadata"] = FieldKind.Object,
        ["user_properties"] = FieldKind.Object,
        ["children_ids"] = FieldKind.StringArray,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Validates a session request and resolves the server-side fallbacks of its values: a missing or
    /// non-UUID <c>session_id</c> becomes a new UUIDv4, a string <c>start_time</c>/<c>end_time</c> the current time.
    /// </summary>
    /// <param name="body">The request object.</param>
    /// <param name="where">What the object is, for error messages.</param>
    /// <param name="nowMs">The current time in Unix milliseconds.</param>
    /// <returns>A copy of the request with resolved values.</returns>
    public static JsonObject Validate(JsonObject body, string where, long nowMs)
    {
        JsonFields.Check(body, Fields, where);
        var request = body.DeepClone().AsObject();
        if (!JsonFields.IsUuid(request["session_id"]))
        {
            request["session_id"] = LocalIds.NewId();
        }

        foreach (var name in (ReadOnlySpan<string>)["start_time", "end_time"])
        {
            if (!request.TryGetPropertyValue(name, out var value))
            {
                continue;
            }

            switch (JsonFields.KindOf(value))
            {
                case JsonValueKind.Number:
                    break;
                case JsonValueKind.String:
                    // The hosted normalizer reads times with getInt64(): a string silently becomes "now".
                    request[name] = nowMs;
                    break;
                default:
                    throw ApiException.BadRequest($"Invalid {where}: field '{name}' must be a number.");
            }
        }

        return request;
    }

    /// <summary>Builds the stored session event of a validated request.</summary>
    /// <param name="request">The output of <see cref="Validate"/>.</param>
    /// <param name="nowMs">The current time in Unix milliseconds (the start time when none is given).</param>
    /// <returns>The session event.</returns>
    public static JsonObject Create(JsonObject request, long nowMs)
    {
        var sessionId = request["session_id"]!.GetValue<string>();
        var eventName = request["event_name"] ?? request["session_name"] ?? "unknown";
        return new JsonObject
        {
            ["event_id"] = sessionId,
            ["session_id"] = sessionId,
            ["parent_id"] = null,
            ["children_ids"] = Copy(request, "children_ids") ?? new JsonArray(),
            ["event_type"] = "session",
            ["event_name"] = eventName.DeepClone(),
            ["config"] = Copy(request, "config") ?? new JsonObject(),
            ["inputs"] = Copy(request, "inputs") ?? new JsonObject(),
            ["outputs"] = Copy(request, "outputs") ?? new JsonObject(),
            ["error"] = null,
            ["source"] = Copy(request, "source") ?? "unknown",
            ["duration"] = Copy(request, "duration"),
            ["user_properties"] = Copy(request, "user_properties") ?? new JsonObject(),
            ["metrics"] = new JsonObject(),
            ["feedback"] = new JsonObject(),
            ["metadata"] = Copy(request, "metadata") ?? new JsonObject(),
            ["org_id"] = LocalIds.OrgId,
            ["workspace_id"] = LocalIds.WorkspaceId,
            ["project_id"] = LocalIds.ProjectId,
            ["start_time"] = Copy(request, "start_time") ?? nowMs,
            ["end_time"] = Copy(request, "end_time"),
        };
    }

    /// <summary>
    /// Re-posting an existing <c>session_id</c>: <c>metadata</c> and <c>user_properties</c> are merged key by key
    /// into the stored session (a posted key replaces the stored one); every other field stays as stored.
    /// </summary>
    /// <param name="existing">The stored session event.</param>
    /// <param name="request">The output of <see cref="Validate"/>.</param>
    /// <returns>The merged session event.</returns>
    public static JsonObject Merge(JsonObject existing, JsonObject request)
    {
        var merged = existing.DeepClone().AsObject();
        foreach (var name in (ReadOnlySpan<string>)["metadata", "user_properties"])
        {
            if (request[name] is JsonObject incoming)
            {
                merged[name] = MergeObjects(merged[name] as JsonObject, incoming);
            }
        }

        return merged;
    }

    /// <summary>Shallow key-by-key merge: keys of <paramref name="incoming"/> replace those of <paramref name="stored"/>.</summary>
    /// <param name="stored">The stored object, if any.</param>
    /// <param name="incoming">The posted object.</param>
    /// <returns>A new merged object.</returns>
    public static JsonObject MergeObjects(JsonObject? stored, JsonObject incoming)
    {
        var result = stored?.DeepClone().AsObject() ?? new JsonObject();
        foreach (var (key, value) in incoming)
        {
            result[key] = value?.DeepClone();
        }

        return result;
    }

    private static JsonNode? Copy(JsonObject request, string name) => request[name]?.DeepClone();
}
