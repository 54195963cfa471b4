// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;

namespace HoneyHive.OtelBridge.Implementation.Mapping;

/// <summary>Takes properties out of a <see cref="JsonObject"/> (items out of a <see cref="JsonArray"/>) so that their
/// nodes can move to another parent instead of being copied.</summary>
internal static class JsonObjectDetaching
{
    /// <summary>Removes <paramref name="key"/> from <paramref name="obj"/> and returns its value, now without a parent.</summary>
    /// <param name="obj">The object.</param>
    /// <param name="key">The property.</param>
    /// <returns>The value, or <see langword="null"/> when absent (or null).</returns>
    public static JsonNode? Detach(this JsonObject obj, string key)
    {
        if (obj.TryGetPropertyValue(key, out var value))
        {
            obj.Remove(key);
        }

        return value;
    }

    /// <summary>Removes every property of <paramref name="obj"/> at once and returns them in their order, their values
    /// now without a parent.</summary>
    /// <param name="obj">The object, empty afterwards.</param>
    /// <returns>The properties.</returns>
    public static KeyValuePair<string, JsonNode?>[] DetachAll(this JsonObject obj)
    {
        var pairs = new KeyValuePair<string, JsonNode?>[obj.Count];
        ((ICollection<KeyValuePair<string, JsonNode?>>)obj).CopyTo(pairs, 0);
        obj.Clear();
        return pairs;
    }

    /// <summary>Removes every item of <paramref name="array"/> at once and returns them in their order, now without a
    /// parent.</summary>
    /// <param name="array">The array, empty afterwards.</param>
    /// <returns>The items.</returns>
    public static JsonNode?[] DetachAll(this JsonArray array)
    {
        var items = new JsonNode?[array.Count];
        ((ICollection<JsonNode?>)array).CopyTo(items, 0);
        array.Clear();
        return items;
    }
}
