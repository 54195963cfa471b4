// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text.Json.Nodes;

namespace HoneyHive.OtelBridge.Implementation.Mapping;

/// <summary>
/// Rebuilds structure from flattened attribute keys: <c>a.b</c> becomes <c>{"a":{"b":…}}</c> and
/// an object whose keys are all indexes (<c>0</c>, <c>1</c>, …) becomes an array in index order.
/// </summary>
internal static class FlatKeys
{
    private static readonly string[] Wrappers = ["message", "tool_call", "message_content", "document", "tool", "prompt", "completion"];

    /// <summary>Sets <paramref name="value"/> at the dotted <paramref name="path"/> inside <paramref name="target"/>.</summary>
    /// <param name="target">The object to fill.</param>
    /// <param name="path">The dotted path (the key with its prefix removed).</param>
    /// <param name="value">The value.</param>
    public static void SetPath(JsonObject target, string path, JsonNode? value)
    {
        var segments = path.Split('.');
        var current = target;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            var segment = segments[i];
            if (current[segment] is JsonObject next)
            {
                current = next;
                continue;
            }

            if (current.ContainsKey(segment))
            {
                // A value already sits where an object is needed: keep both, the deeper one under
                // the rest of its dotted key.
                current[string.Join('.', segments, i, segments.Length - i)] = value;
                return;
            }

            next = [];
            current[segment] = next;
            current = next;
        }

        var last = segments[^1];
        if (current[last] is JsonObject existing && value is JsonObject incoming)
        {
            foreach (var pair in incoming.DetachAll())
            {
                existing[pair.Key] = pair.Value;
            }

            return;
        }

        current[last] = value;
    }

    /// <summary>Turns every object whose keys are all non-negative integers into an array.</summary>
    /// <param name="node">The node.</param>
    /// <returns>The node with index objects turned into arrays.</returns>
    public static JsonNode? Arrayify(JsonNode? node)
    {
        if (node is JsonArray array)
        {
            var copy = new JsonArray();
            foreach (var item in array.DetachAll())
            {
                copy.Add(Arrayify(item));
            }

            return copy;
        }

        if (node is not JsonObject obj)
        {
            return node;
        }

        var pairs = obj.DetachAll();
        var indexed = pairs.Length > 0 && Array.TrueForAll(pairs, p => IsIndex(p.Key));
        if (indexed)
        {
            var result = new JsonArray();
            foreach (var pair in pairs.OrderBy(p => int.Parse(p.Key, CultureInfo.InvariantCulture)))
            {
                result.Add(Arrayify(pair.Value));
            }

            return result;
        }

        var rebuilt = new JsonObject();
        foreach (var pair in pairs)
        {
            rebuilt[pair.Key] = Arrayify(pair.Value);
        }

        return rebuilt;
    }

    /// <summary>
    /// Removes the single-key wrapper objects OpenInference and OpenLLMetry put around list items
    /// (<c>{"message":{…}}</c>, <c>{"tool_call":{…}}</c>, <c>{"document":{…}}</c>, …).
    /// </summary>
    /// <param name="node">The node.</param>
    /// <returns>The node without wrappers.</returns>
    public static JsonNode? Unwrap(JsonNode? node)
    {
        if (node is JsonArray array)
        {
            var copy = new JsonArray();
            foreach (var item in array.DetachAll())
            {
                copy.Add(Unwrap(item));
            }

            return copy;
        }

        if (node is not JsonObject obj)
        {
            return node;
        }

        if (obj.Count == 1)
        {
            var only = obj.First();
            if (only.Value is JsonObject inner && Array.IndexOf(Wrappers, only.Key) >= 0)
            {
                obj.Remove(only.Key);
                return Unwrap(inner);
            }
        }

        var rebuilt = new JsonObject();
        foreach (var pair in obj.DetachAll())
        {
            rebuilt[pair.Key] = Unwrap(pair.Value);
        }

        return rebuilt;
    }

    private static bool IsIndex(string key) =>
        key.Length is > 0 and < 10 && key.All(char.IsAsciiDigit);
}
