// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// An event's object field (<c>config</c>, <c>inputs</c>, <c>metadata</c>...): either the properties the mapper made,
/// in order, written straight to JSON (<see cref="WriteTo"/>), or a <see cref="JsonObject"/>. The object is made from
/// the properties the first time someone asks for it (<see cref="Object"/>), and from then on it is the field: a change
/// made to it is what is written.
/// </summary>
/// <remarks>
/// Delivery encodes a mapped event once and then keeps only its bytes; nothing else reads its fields. Written straight
/// from the properties, a field costs one array instead of a <see cref="JsonObject"/>, its dictionary and a
/// <see cref="JsonValue"/> per string or number (about 1.1 of the 3 KB a plain HTTP span's mapping allocated).
/// Not thread-safe: a field is made, read and written on one thread at a time (mapping, then encoding, on the
/// thread that maps the trace).
/// </remarks>
internal sealed class FieldObject
{
    private KeyValuePair<string, FieldValue>[]? properties;
    private JsonObject? value;

    /// <summary>Initializes a new instance of the <see cref="FieldObject"/> class holding properties (unique keys, in
    /// order; the array is the field's from now on).</summary>
    /// <param name="properties">The properties.</param>
    public FieldObject(KeyValuePair<string, FieldValue>[] properties)
    {
        this.properties = properties;
    }

    /// <summary>Initializes a new instance of the <see cref="FieldObject"/> class holding an object.</summary>
    /// <param name="value">The object.</param>
    public FieldObject(JsonObject value)
    {
        ArgumentNullException.ThrowIfNull(value);
        this.value = value;
    }

    /// <summary>Gets the number of properties.</summary>
    public int Count => this.value?.Count ?? this.properties!.Length;

    /// <summary>Gets the field as a <see cref="JsonObject"/>, made from the properties the first time (the same object
    /// every time after that).</summary>
    public JsonObject Object
    {
        get
        {
            if (this.value is null)
            {
                var properties = this.properties!;
                var made = new KeyValuePair<string, JsonNode?>[properties.Length];
                for (var i = 0; i < properties.Length; i++)
                {
                    made[i] = new KeyValuePair<string, JsonNode?>(properties[i].Key, properties[i].Value.ToNode());
                }

                this.value = made.Length == 0 ? [] : new JsonObject(made);
                this.properties = null;
            }

            return this.value;
        }
    }

    /// <summary>
    /// Sets properties, as <c>Object[key] = value</c> would for each in turn (a present key keeps its place and takes
    /// the new value, another is added at the end), without making the object when it was not made: one new array for
    /// all of them.
    /// </summary>
    /// <param name="values">The properties to set, in order.</param>
    public void Set(ReadOnlySpan<KeyValuePair<string, FieldValue>> values)
    {
        if (values.IsEmpty)
        {
            return;
        }

        if (this.value is { } made)
        {
            foreach (var (key, property) in values)
            {
                made[key] = property.ToNode();
            }

            return;
        }

        var properties = this.properties!;
        var result = new KeyValuePair<string, FieldValue>[properties.Length + values.Length];
        properties.CopyTo(result, 0);
        var count = properties.Length;
        foreach (var pair in values)
        {
            var at = 0;
            while (at < count && !string.Equals(result[at].Key, pair.Key, StringComparison.Ordinal))
            {
                at++;
            }

            result[at] = pair;
            count = Math.Max(count, at + 1);
        }

        this.properties = count == result.Length ? result : result[..count];
    }

    /// <summary>Wraps an object, or <see langword="null"/>.</summary>
    /// <param name="value">The object.</param>
    /// <returns>The field, or <see langword="null"/>.</returns>
    public static FieldObject? Of(JsonObject? value) => value is null ? null : new FieldObject(value);

    /// <summary>Writes the field as its <see cref="Object"/> writes itself with <paramref name="options"/>
    /// (<c>JsonObject.WriteTo</c>), without making it when it was not made.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="options">The serializer's options.</param>
    public void WriteTo(Utf8JsonWriter writer, JsonSerializerOptions options)
    {
        if (this.value is { } made)
        {
            made.WriteTo(writer, options);
            return;
        }

        writer.WriteStartObject();
        foreach (var (key, property) in this.properties!)
        {
            writer.WritePropertyName(key);
            property.WriteTo(writer, options);
        }

        writer.WriteEndObject();
    }
}
