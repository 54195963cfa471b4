// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.LocalApi.Implementation.Http;

namespace HoneyHive.OtelBridge.LocalApi.Implementation.Validation;

/// <summary>
/// <c>UpdateEventRequest</c> (<c>PUT /v1/events/{event_id}</c>): <c>outputs, config, metadata, metrics, feedback,
/// user_properties</c> (objects) and <c>duration</c> (number) change the stored event; "extra fields … are accepted
/// by the server but silently ignored" (spec), so every other field is ignored.
/// </summary>
internal static class EventUpdateSchema
{
    private static readonly string[] ObjectFields = ["outputs", "config", "metadata", "metrics", "feedback", "user_properties"];

    /// <summary>Checks the types of the fields an update changes.</summary>
    /// <param name="body">The request object.</param>
    /// <exception cref="ApiException">400 naming the field.</exception>
    public static void Validate(JsonObject body)
    {
        foreach (var name in ObjectFields)
        {
            if (body.TryGetPropertyValue(name, out var value) && JsonFields.KindOf(value) != JsonValueKind.Object)
            {
                throw ApiException.BadRequest($"Invalid event update: field '{name}' must be an object.");
            }
        }

        if (body.TryGetPropertyValue("duration", out var duration) && JsonFields.KindOf(duration) != JsonValueKind.Number)
        {
            throw ApiException.BadRequest("Invalid event update: field 'duration' must be a number.");
        }
    }

    /// <summary>
    /// Applies an update. Objects are merged key by key (a posted key replaces the stored one, other stored keys
    /// stay): an update adds what a late root span knows without erasing what earlier deliveries stored, the same
    /// way session re-creation merges <c>metadata</c>. <c>duration</c> is replaced.
    /// </summary>
    /// <param name="stored">The stored event.</param>
    /// <param name="body">The validated update.</param>
    /// <returns>The updated event.</returns>
    public static JsonObject Apply(JsonObject stored, JsonObject body)
    {
        var updated = stored.DeepClone().AsObject();
        foreach (var name in ObjectFields)
        {
            if (body[name] is JsonObject incoming)
            {
                updated[name] = SessionSchema.MergeObjects(updated[name] as JsonObject, incoming);
            }
        }

        if (body["duration"] is { } duration)
        {
            updated["duration"] = duration.DeepClone();
        }

        return updated;
    }
}
