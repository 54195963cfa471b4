// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Implementation.Mapping;

/// <summary>
/// Reads one span's attributes and remembers which were used, so the rest can go to
/// <c>metadata</c> without duplicating what already landed in another field.
/// </summary>
/// <remarks>
/// <para>
/// A span has a few dozen attributes at most, and the mapper asks for about a hundred keys per span,
/// most of them absent, so the attributes sit in one array in attribute order and each attribute's
/// <see cref="KnownAttributeKeys"/> id is looked up once, here. A question about a known key is then
/// answered from a 128-bit mask of the ids present (absent: no scan at all) and, when present, by
/// comparing ids; a key the mapper does not know by name is compared as text, only against the
/// attributes whose keys are not known either. Only a span with more than <see cref="IndexThreshold"/>
/// distinct keys gets a dictionary index instead.
/// </para>
/// <para>
/// A repeated key's last value wins and keeps its first position; prefix scans and
/// <see cref="Remaining"/> go in attribute order. A prefix scan whose first eight characters (four for
/// a shorter prefix) start no key at all returns nothing without looking at the keys (a 64-bit mask
/// of those beginnings, filled here).
/// </para>
/// </remarks>
internal sealed class SpanAttributeReader
{
    /// <summary>Above this many distinct keys, lookups go through a dictionary instead of a scan.</summary>
    internal const int IndexThreshold = 24;

    private readonly Entry[] entries;
    private readonly int count;
    private readonly Dictionary<string, int>? index;

    // Bit (id % 128) is set when an attribute with that known id is present (a filter: ids are compared).
    private readonly UInt128 known;

    // Bit (text hash % 64) set for the attributes whose keys are not known (a filter: keys are compared).
    private readonly ulong unknownKeys;

    // Bit set for each key's first 4 and first 8 characters (see BeginningBit).
    private readonly ulong beginnings;

    // An entry array given back by a released reader of this thread (see Release).
    [ThreadStatic]
    private static Entry[]? spareEntries;

    // Where the last text comparison found a key (prefix scans ask for the key they just returned).
    private int lastFound = -1;

    public SpanAttributeReader(IReadOnlyList<KeyValuePair<string, object?>> attributes, AttributeJson json)
    {
        this.Json = json;
        this.entries = TakeEntries(attributes.Count);
        if (attributes.Count > IndexThreshold)
        {
            this.index = new Dictionary<string, int>(attributes.Count, StringComparer.Ordinal);
        }

        for (var i = 0; i < attributes.Count; i++)
        {
            var pair = attributes[i];
            var key = pair.Key;
            int at;
            var id = KnownAttributeKeys.IdOf(key);
            if (this.index is not null)
            {
                at = this.index.TryGetValue(key, out var found) ? found : -1;
            }
            else if (id >= 0)
            {
                var bit = KnownAttributeKeys.Bit(id);
                at = (this.known & bit) != 0 ? this.FindKnown(id) : -1;
                this.known |= bit;
            }
            else
            {
                var bit = TextBit(key);
                at = (this.unknownKeys & bit) != 0 ? this.FindUnknown(key) : -1;
                this.unknownKeys |= bit;
            }

            if (at >= 0)
            {
                // A repeated key: the last value wins, as in OTel SDKs; it keeps its first position.
                this.entries[at].Value = pair.Value;
                continue;
            }

            this.entries[this.count] = new Entry { Key = key, Value = pair.Value, Id = id };
            this.index?.Add(key, this.count);
            this.beginnings |= BeginningBit(key, 4) | BeginningBit(key, 8);
            this.count++;
        }
    }

    public AttributeJson Json { get; }

    /// <summary>
    /// Lets the next reader made on this thread reuse this one's entry array (a span's attributes are read by one
    /// reader at a time, and the array is most of what a reader costs). The reader must not be used afterwards.
    /// </summary>
    public void Release()
    {
        if (this.entries.Length == 0)
        {
            return;
        }

        Array.Clear(this.entries, 0, this.count);
        if (spareEntries is null || spareEntries.Length < this.entries.Length)
        {
            spareEntries = this.entries;
        }
    }

    public bool Has(string key) => this.IndexOf(key) >= 0;

    /// <summary>Gets a raw value without marking the key used; <see langword="null"/> when absent.</summary>
    public object? Peek(string key)
    {
        var at = this.IndexOf(key);
        return at >= 0 ? this.entries[at].Value : null;
    }

    /// <summary>
    /// Whether an attribute with one of the known keys of <paramref name="mask"/> (see
    /// <see cref="KnownAttributeKeys.Mask"/>) may be present: <see langword="false"/> means certainly none is,
    /// so a group of questions can be skipped.
    /// </summary>
    public bool MayHaveAny(UInt128 mask) => this.index is not null || (this.known & mask) != 0;

    /// <summary>Whether any key starts with <paramref name="prefix"/> (the prefix itself included).</summary>
    public bool AnyKeyStartsWith(string prefix)
    {
        if (!this.MayHavePrefix(prefix))
        {
            return false;
        }

        for (var i = 0; i < this.count; i++)
        {
            if (this.entries[i].Key.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

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

    /// <summary>Gets the first present key's value as JSON (<see cref="TakeField"/>'s value as a node), marking every
    /// listed key used.</summary>
    public JsonNode? TakeJson(params ReadOnlySpan<string> keys) => this.TakeField(keys).ToNode();

    /// <summary>
    /// Gets the first present key's value as <see cref="TakeJson"/> does, a string, number or boolean kept as it is
    /// (<see cref="AttributeJson.ToField"/>), marking every listed key used; JSON <c>null</c> when none.
    /// </summary>
    public FieldValue TakeField(params ReadOnlySpan<string> keys)
    {
        FieldValue result = default;
        var found = false;
        foreach (var key in keys)
        {
            if (this.TryTake(key, out var value) && !found && value is not null)
            {
                result = this.Json.ToField(key, value);
                found = true;
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

        var last = this.lastFound;
        if (last >= 0 && ReferenceEquals(this.entries[last].Key, key))
        {
            return last;
        }

        if (this.known == 0)
        {
            // Every attribute's key is unknown (an HTTP or database span): the text filter decides.
            return (this.unknownKeys & TextBit(key)) != 0 ? this.FindUnknown(key) : -1;
        }

        var id = KnownAttributeKeys.IdOf(key);
        if (id >= 0)
        {
            return (this.known & KnownAttributeKeys.Bit(id)) != 0 ? this.FindKnown(id) : -1;
        }

        return (this.unknownKeys & TextBit(key)) != 0 ? this.FindUnknown(key) : -1;
    }

    /// <summary>The bit of a key's first <paramref name="length"/> characters in <see cref="beginnings"/>; 0 for a shorter key.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong BeginningBit(string key, int length)
    {
        if (key.Length < length)
        {
            return 0;
        }

        // Four UTF-16 characters are one 64-bit word.
        var words = MemoryMarshal.Cast<char, ulong>(key.AsSpan(0, length));
        var hash = words[0] * 0x9E3779B97F4A7C15UL;
        if (length == 8)
        {
            hash = (hash ^ words[1]) * 0xC2B2AE3D27D4EB4FUL;
        }

        return 1UL << (int)(hash >> 58);
    }

    /// <summary>A cheap bit of a key's text (length and last two characters), a filter for <see cref="FindUnknown"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong TextBit(string key)
    {
        var length = key.Length;
        var mix = length == 0 ? 0u : (uint)((length * 31) + key[length - 1] + (length > 1 ? key[length - 2] * 7 : 0));
        return 1UL << (int)(mix & 63);
    }

    private int FindKnown(int id)
    {
        for (var i = 0; i < this.count; i++)
        {
            if (this.entries[i].Id == id)
            {
                return i;
            }
        }

        return -1;
    }

    private int FindUnknown(string key)
    {
        for (var i = 0; i < this.count; i++)
        {
            if (this.entries[i].Id < 0 && string.Equals(this.entries[i].Key, key, StringComparison.Ordinal))
            {
                this.lastFound = i;
                return i;
            }
        }

        return -1;
    }

    /// <summary>Whether a key may start with <paramref name="prefix"/> (<see langword="false"/>: certainly none does).</summary>
    private bool MayHavePrefix(string prefix)
    {
        var length = prefix.Length >= 8 ? 8 : 4;
        return prefix.Length < 4 || (this.beginnings & BeginningBit(prefix, length)) != 0;
    }

    /// <summary>The keys that start with a prefix (see <see cref="KeysWithPrefix"/>), enumerated without allocating.</summary>
    internal readonly struct PrefixKeys
    {
        private readonly SpanAttributeReader reader;
        private readonly string prefix;

        public PrefixKeys(SpanAttributeReader reader, string prefix)
        {
            this.reader = reader;
            this.prefix = prefix;
        }

        public Enumerator GetEnumerator() => new(this.reader, this.prefix);

        /// <summary>Walks the matching keys.</summary>
        internal struct Enumerator
        {
            private readonly SpanAttributeReader reader;
            private readonly string prefix;
            private int position;

            public Enumerator(SpanAttributeReader reader, string prefix)
            {
                this.reader = reader;
                this.prefix = prefix;
                this.position = reader.MayHavePrefix(prefix) ? -1 : reader.count;
            }

            public readonly string Current => this.reader.entries[this.position].Key;

            public bool MoveNext()
            {
                while (++this.position < this.reader.count)
                {
                    var key = this.reader.entries[this.position].Key;
                    if (key.Length > this.prefix.Length && key.StartsWith(this.prefix, StringComparison.Ordinal))
                    {
                        this.reader.lastFound = this.position;
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
        private readonly SpanAttributeReader reader;

        public RemainingAttributes(SpanAttributeReader reader)
        {
            this.reader = reader;
        }

        public Enumerator GetEnumerator() => new(this.reader);

        /// <summary>Walks the unused attributes.</summary>
        internal struct Enumerator
        {
            private readonly SpanAttributeReader reader;
            private int position;

            public Enumerator(SpanAttributeReader reader)
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

    private static Entry[] TakeEntries(int count)
    {
        if (count == 0)
        {
            return [];
        }

        var spare = spareEntries;
        if (spare is not null && spare.Length >= count)
        {
            spareEntries = null;
            return spare;
        }

        return new Entry[count];
    }

    private struct Entry
    {
        public string Key;
        public object? Value;
        public int Id;
        public bool Consumed;
    }
}
