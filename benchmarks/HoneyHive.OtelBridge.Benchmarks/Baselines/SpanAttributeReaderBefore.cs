// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Mapping;

namespace HoneyHive.OtelBridge.Benchmarks.Baselines;

/// <summary>
/// <c>SpanAttributeReader</c> as it was before its lookups went through a known-key table (commit
/// 8f98b5f): a linear scan per question. Kept only as the baseline of <c>SpanMapperBenchmarks</c>.
/// </summary>
/// <remarks>
/// A span has a few dozen attributes at most, and the mapper asks for about a hundred keys per span,
/// so the attributes sit in one array in attribute order and a key is found by a linear scan; only a
/// span with more than <see cref="IndexThreshold"/> distinct keys also gets a dictionary index.
/// </remarks>
internal sealed class SpanAttributeReaderBefore
{
    /// <summary>Above this many distinct keys, lookups go through a dictionary instead of a scan.</summary>
    internal const int IndexThreshold = 24;

    private readonly Entry[] entries;
    private readonly int count;
    private readonly Dictionary<string, int>? index;

    public SpanAttributeReaderBefore(IReadOnlyList<KeyValuePair<string, object?>> attributes, AttributeJson json)
    {
        this.Json = json;
        this.entries = attributes.Count == 0 ? [] : new Entry[attributes.Count];
        if (attributes.Count > IndexThreshold)
        {
            this.index = new Dictionary<string, int>(attributes.Count, StringComparer.Ordinal);
        }

        for (var i = 0; i < attributes.Count; i++)
        {
            var pair = attributes[i];
            var at = this.IndexOf(pair.Key);
            if (at >= 0)
            {
                // A repeated key: the last value wins, as in OTel SDKs; it keeps its first position.
                this.entries[at].Value = pair.Value;
                continue;
            }

            this.entries[this.count] = new Entry { Key = pair.Key, Value = pair.Value };
            this.index?.Add(pair.Key, this.count);
            this.count++;
        }
    }

    public AttributeJson Json { get; }

    public bool Has(string key) => this.IndexOf(key) >= 0;

    /// <summary>Gets a raw value and marks the key used.</summary>
    public bool TryTake(string key, out object? value)
    {
        var at = this.IndexOf(key);
        if (at >= 0)
        {
            this.entries[at].Consumed = true;
            value = this.entries[at].Value;
            return true;
        }

        value = null;
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

    /// <summary>
    /// Gets the keys that start with <paramref name="prefix"/> and are longer than it, in attribute
    /// order, used or not. Taking keys while enumerating is allowed.
    /// </summary>
    public PrefixKeys KeysWithPrefix(string prefix) => new(this, prefix);

    /// <summary>
    /// Rebuilds the flattened attributes under <paramref name="prefix"/> (for example
    /// <c>gen_ai.prompt.</c>) into structure and marks them used; <see langword="null"/> when none.
    /// </summary>
    public JsonNode? TakeFlattened(string prefix, bool parseText = false)
    {
        JsonObject? root = null;
        foreach (var key in this.KeysWithPrefix(prefix))
        {
            this.TryTake(key, out var value);
            root ??= [];
            var node = parseText ? this.Json.ToJsonParsingText(key, value) : this.Json.ToJson(key, value);
            FlatKeys.SetPath(root, key[prefix.Length..], node);
        }

        return root is null ? null : FlatKeys.Arrayify(root);
    }

    /// <summary>Gets the attributes nobody used, in attribute order.</summary>
    public RemainingAttributes Remaining() => new(this);

    private int IndexOf(string key)
    {
        if (this.index is not null)
        {
            return this.index.TryGetValue(key, out var at) ? at : -1;
        }

        for (var i = 0; i < this.count; i++)
        {
            if (string.Equals(this.entries[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The keys that start with a prefix (see <see cref="KeysWithPrefix"/>), enumerated without allocating.</summary>
    internal readonly struct PrefixKeys
    {
        private readonly SpanAttributeReaderBefore reader;
        private readonly string prefix;

        public PrefixKeys(SpanAttributeReaderBefore reader, string prefix)
        {
            this.reader = reader;
            this.prefix = prefix;
        }

        public Enumerator GetEnumerator() => new(this.reader, this.prefix);

        /// <summary>Walks the matching keys.</summary>
        internal struct Enumerator
        {
            private readonly SpanAttributeReaderBefore reader;
            private readonly string prefix;
            private int position;

            public Enumerator(SpanAttributeReaderBefore reader, string prefix)
            {
                this.reader = reader;
                this.prefix = prefix;
                this.position = -1;
            }

            public readonly string Current => this.reader.entries[this.position].Key;

            public bool MoveNext()
            {
                while (++this.position < this.reader.count)
                {
                    var key = this.reader.entries[this.position].Key;
                    if (key.Length > this.prefix.Length && key.StartsWith(this.prefix, StringComparison.Ordinal))
                    {
                        return true;
                    }
                }

                return false;
            }
        }
    }

    /// <summary>The attributes nobody used (see <see cref="Remaining"/>), enumerated without allocating.</summary>
    internal readonly struct RemainingAttributes
    {
        private readonly SpanAttributeReaderBefore reader;

        public RemainingAttributes(SpanAttributeReaderBefore reader)
        {
            this.reader = reader;
        }

        public Enumerator GetEnumerator() => new(this.reader);

        /// <summary>Walks the unused attributes.</summary>
        internal struct Enumerator
        {
            private readonly SpanAttributeReaderBefore reader;
            private int position;

            public Enumerator(SpanAttributeReaderBefore reader)
            {
                this.reader = reader;
                this.position = -1;
            }

            public readonly KeyValuePair<string, object?> Current =>
                new(this.reader.entries[this.position].Key, this.reader.entries[this.position].Value);

            public bool MoveNext()
            {
                while (++this.position < this.reader.count)
                {
                    if (!this.reader.entries[this.position].Consumed)
                    {
                        return true;
                    }
                }

                return false;
            }
        }
    }

    private struct Entry
    {
        public string Key;
        public object? Value;
        public bool Consumed;
    }
}
