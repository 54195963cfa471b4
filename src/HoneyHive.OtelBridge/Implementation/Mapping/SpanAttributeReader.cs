// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;

namespace HoneyHive.OtelBridge.Implementation.Mapping;

/// <summary>
/// Reads one span's attributes and remembers which were used, so the rest can go to
/// <c>metadata</c> without duplicating what already landed in another field.
/// </summary>
internal sealed class SpanAttributeReader
{
    private readonly Dictionary<string, object?> values = new(StringComparer.Ordinal);
    private readonly List<string> order = [];
    private readonly HashSet<string> consumed = new(StringComparer.Ordinal);

    public SpanAttributeReader(IReadOnlyList<KeyValuePair<string, object?>> attributes, AttributeJson json)
    {
        this.Json = json;
        foreach (var pair in attributes)
        {
            if (this.values.TryAdd(pair.Key, pair.Value))
            {
                this.order.Add(pair.Key);
            }
            else
            {
                // A repeated key: the last value wins, as in OTel SDKs.
                this.values[pair.Key] = pair.Value;
            }
        }
    }

    public AttributeJson Json { get; }

    public bool Has(string key) => this.values.ContainsKey(key);

    /// <summary>Gets a raw value and marks the key used.</summary>
    public bool TryTake(string key, out object? value)
    {
        if (this.values.TryGetValue(key, out value))
        {
            this.consumed.Add(key);
            return true;
        }

        return false;
    }

    /// <summary>Gets the first present key's value as text, marking every listed key used.</summary>
    public string? TakeText(params ReadOnlySpan<string> keys)
    {
        string? result = null;
        foreach (var key in keys)
        {
            if (this.TryTake(key, out var value) && result is null && value is not null)
            {
                result = this.Json.ToText(key, value);
            }
        }

        return result;
    }

    /// <summary>Gets the first present key's value as JSON, marking every listed key used.</summary>
    public JsonNode? TakeJson(params ReadOnlySpan<string> keys)
    {
        JsonNode? result = null;
        foreach (var key in keys)
        {
            if (this.TryTake(key, out var value) && result is null && value is not null)
            {
                result = this.Json.ToJson(key, value);
            }
        }

        return result;
    }

    /// <summary>Like <see cref="TakeJson"/>, but JSON text becomes structure.</summary>
    public JsonNode? TakeParsed(params ReadOnlySpan<string> keys)
    {
        JsonNode? result = null;
        foreach (var key in keys)
        {
            if (this.TryTake(key, out var value) && result is null && value is not null)
            {
                result = this.Json.ToJsonParsingText(key, value);
            }
        }

        return result;
    }

    /// <summary>Gets a whole-JSON-serialized value (see <see cref="AttributeJson.ToJsonDecoding"/>), marking it used.</summary>
    public JsonNode? TakeDecoded(string key) =>
        this.TryTake(key, out var value) && value is not null ? this.Json.ToJsonDecoding(key, value) : null;

    /// <summary>Gets the keys that start with <paramref name="prefix"/>, in attribute order.</summary>
    public IEnumerable<string> KeysWithPrefix(string prefix) =>
        this.order.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && k.Length > prefix.Length);

    /// <summary>
    /// Rebuilds the flattened attributes under <paramref name="prefix"/> (for example
    /// <c>gen_ai.prompt.</c>) into structure and marks them used; <see langword="null"/> when none.
    /// </summary>
    public JsonNode? TakeFlattened(string prefix, bool parseText = false)
    {
        JsonObject? root = null;
        foreach (var key in this.KeysWithPrefix(prefix).ToList())
        {
            this.TryTake(key, out var value);
            root ??= [];
            var node = parseText ? this.Json.ToJsonParsingText(key, value) : this.Json.ToJson(key, value);
            FlatKeys.SetPath(root, key[prefix.Length..], node);
        }

        return root is null ? null : FlatKeys.Arrayify(root);
    }

    /// <summary>Gets the attributes nobody used, in attribute order.</summary>
    public IEnumerable<KeyValuePair<string, object?>> Remaining() =>
        this.order.Where(k => !this.consumed.Contains(k)).Select(k => new KeyValuePair<string, object?>(k, this.values[k]));
}
