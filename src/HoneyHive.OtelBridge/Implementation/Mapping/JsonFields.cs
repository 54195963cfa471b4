// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Implementation.Mapping;

/// <summary>
/// The properties of one event field (<c>metadata</c>, <c>config</c>...) while <see cref="SpanMapper"/> fills it, with
/// the <see cref="JsonObject"/> operations the mapper uses and their meaning (setting a present key replaces its value
/// in place, <see cref="TryAdd"/> keeps the first, a missing key reads as <see langword="null"/>), turned into the
/// event's <see cref="FieldObject"/> once, at the end (<see cref="ToField"/>), sized exactly. Strings and numbers stay
/// <see cref="FieldValue"/>s: they become nodes only if someone asks the field for its <see cref="JsonObject"/>.
/// </summary>
/// <remarks>
/// A <see cref="JsonObject"/> filled one property at a time grows its dictionary through 3, 7, 17 and 37 entries: a
/// span's <c>metadata</c> of about 30 properties then costs about 860 bytes more than the same object made at once.
/// The list is reused by the next span mapped on the thread (see <see cref="SpanMapper"/>), so it costs nothing once
/// grown. Keys are compared as <see cref="JsonObject"/> compares them (ordinal); a field has a few dozen properties,
/// so a scan is the lookup, with a dictionary only past <see cref="IndexThreshold"/>.
/// </remarks>
internal sealed class JsonFields
{
    /// <summary>Above this many properties, lookups go through a dictionary instead of a scan.</summary>
    internal const int IndexThreshold = 32;

    private readonly List<KeyValuePair<string, FieldValue>> fields = [];
    private Dictionary<string, int>? index;

    /// <summary>Gets the number of properties.</summary>
    public int Count => this.fields.Count;

    /// <summary>Sets a property: setting a present key keeps its place.</summary>
    /// <param name="key">The key.</param>
    public FieldValue this[string key]
    {
        set
        {
            var at = this.IndexOf(key);
            if (at >= 0)
            {
                this.fields[at] = new KeyValuePair<string, FieldValue>(key, value);
            }
            else
            {
                this.Append(key, value);
            }
        }
    }

    /// <summary>Reads a property as it is held, no node made: JSON <c>null</c> (<see cref="FieldValue.IsNull"/>) when
    /// missing, as a <see cref="JsonObject"/> reads a missing key.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    public FieldValue Find(string key)
    {
        var at = this.IndexOf(key);
        return at >= 0 ? this.fields[at].Value : default;
    }

    /// <summary>Tells whether <paramref name="key"/> is present.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool ContainsKey(string key) => this.IndexOf(key) >= 0;

    /// <summary>Adds a property unless its key is present (the first value is kept).</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <returns><see langword="true"/> when added.</returns>
    public bool TryAdd(string key, FieldValue value)
    {
        if (this.IndexOf(key) >= 0)
        {
            return false;
        }

        this.Append(key, value);
        return true;
    }

    /// <summary>Makes the event field of the properties, in their order, and empties this for the next span.</summary>
    /// <returns>The field.</returns>
    public FieldObject ToField()
    {
        var result = new FieldObject(this.fields.Count == 0 ? [] : [.. this.fields]);
        this.Clear();
        return result;
    }

    /// <summary>Forgets every property (after a span whose mapping failed).</summary>
    public void Clear()
    {
        this.fields.Clear();
        this.index?.Clear();
    }

    private void Append(string key, FieldValue value)
    {
        this.fields.Add(new KeyValuePair<string, FieldValue>(key, value));
        if (this.index is not null && this.index.Count > 0)
        {
            this.index.Add(key, this.fields.Count - 1);
        }
        else if (this.fields.Count > IndexThreshold)
        {
            this.index ??= new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < this.fields.Count; i++)
            {
                this.index.Add(this.fields[i].Key, i);
            }
        }
    }

    private int IndexOf(string key)
    {
        if (this.index is not null && this.index.Count > 0)
        {
            return this.index.TryGetValue(key, out var found) ? found : -1;
        }

        for (var i = 0; i < this.fields.Count; i++)
        {
            if (string.Equals(this.fields[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
