// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// The value of one property of an event's object field (<c>metadata</c>, <c>config</c>...): a string, a whole number,
/// a double or a boolean held as it is, an object held as a <see cref="FieldObject"/> (a session's
/// <c>metadata.resource</c>), a <see cref="DeferredNode"/> (chat messages written from their parsed document), or a
/// <see cref="JsonNode"/> (or JSON <c>null</c>). A primitive becomes a
/// <see cref="JsonValue"/>, and a field object its <see cref="JsonObject"/>, only when someone asks for a node
/// (<see cref="ToNode"/>); <see cref="WriteTo"/> writes the bytes that node's <c>WriteTo</c> would write, without
/// making it.
/// </summary>
/// <remarks>
/// A span's <c>metadata</c> is mostly strings and numbers copied from its attributes: as nodes, each one was a
/// <see cref="JsonValue"/> of its own (32 bytes) in a <see cref="JsonObject"/>'s dictionary, made only to be written
/// once and dropped.
/// </remarks>
internal readonly struct FieldValue
{
    // What a value that is neither a string nor a node holds instead of a reference: its kind. A string and a node are
    // their own reference, so the value is one reference and 8 bytes (16, where a kind field made it 24, and each
    // property of a field 32 bytes instead of 24).
    private static readonly object Int64Kind = new();
    private static readonly object DoubleKind = new();
    private static readonly object BooleanKind = new();

    private readonly object? reference;
    private readonly long bits;

    private FieldValue(object? reference, long bits)
    {
        this.reference = reference;
        this.bits = bits;
    }

    /// <summary>Gets a value indicating whether this is JSON <c>null</c> (a property that holds no node).</summary>
    public bool IsNull => this.reference is null;

    /// <summary>Gets a value indicating whether <see cref="ToNode"/> is a <see cref="JsonValue"/> (a string, number or
    /// boolean; not an object, an array or JSON <c>null</c>).</summary>
    public bool IsValue => this.reference is not (null or JsonObject or JsonArray or FieldObject or DeferredNode);

    public static implicit operator FieldValue(JsonNode? node) => new(node, 0);

    public static implicit operator FieldValue(string? value) => new(value, 0);

    /// <summary>An object field as a property's value (JSON <c>null</c> for <see langword="null"/>); the field is this
    /// value's from now on.</summary>
    /// <param name="value">The field.</param>
    public static implicit operator FieldValue(FieldObject? value) => new(value, 0);

    /// <summary>A deferred value (JSON <c>null</c> for <see langword="null"/>); it is this value's from now on.</summary>
    /// <param name="value">The value.</param>
    public static implicit operator FieldValue(DeferredNode? value) => new(value, 0);

    public static implicit operator FieldValue(long value) => new(Int64Kind, value);

    public static implicit operator FieldValue(bool value) => new(BooleanKind, value ? 1 : 0);

    /// <summary>A finite double (what <see cref="JsonValue.Create(double, JsonNodeOptions?)"/> holds; a non-finite one
    /// throws when written, as that node's <c>WriteTo</c> does).</summary>
    /// <param name="value">The double.</param>
    public static implicit operator FieldValue(double value) => new(DoubleKind, BitConverter.DoubleToInt64Bits(value));

    /// <summary>The node this value stands for: the node itself, a new <see cref="JsonValue"/> of the primitive (the
    /// one <c>JsonValue.Create</c> makes for its type), a field object's <see cref="FieldObject.Object"/>, or a deferred
    /// value's <see cref="DeferredNode.Node"/>.</summary>
    /// <returns>The node, or <see langword="null"/> for JSON <c>null</c>.</returns>
    public JsonNode? ToNode()
    {
        var kind = this.reference;
        if (kind is string text)
        {
            return JsonValue.Create(text);
        }

        if (ReferenceEquals(kind, Int64Kind))
        {
            return JsonValue.Create(this.bits);
        }

        if (ReferenceEquals(kind, DoubleKind))
        {
            return JsonValue.Create(BitConverter.Int64BitsToDouble(this.bits));
        }

        if (ReferenceEquals(kind, BooleanKind))
        {
            return JsonValue.Create(this.bits != 0);
        }

        if (kind is FieldObject field)
        {
            return field.Object;
        }

        if (kind is DeferredNode deferred)
        {
            return deferred.Node;
        }

        return (JsonNode?)kind;
    }

    /// <summary>The same value for another property: a node is copied (a node has one parent), a field object as a copy
    /// of its node, a deferred value as a copy of its node, the rest is shared as it is.</summary>
    /// <returns>The value.</returns>
    public FieldValue Copy() => this.reference switch
    {
        JsonNode node => node.DeepClone(),
        FieldObject field => field.Object.DeepClone(),
        DeferredNode deferred => deferred.Node?.DeepClone(),
        _ => this,
    };

    /// <summary>What <c>ToNode() is JsonValue v &amp;&amp; v.TryGetValue&lt;long&gt;(out value)</c> gives, without
    /// making the node of a primitive: a whole number held as such (a double is not one).</summary>
    /// <param name="value">The number.</param>
    /// <returns><see langword="true"/> when the value is a whole number.</returns>
    public bool TryGetInt64(out long value)
    {
        if (ReferenceEquals(this.reference, Int64Kind))
        {
            value = this.bits;
            return true;
        }

        if (this.reference is JsonValue node)
        {
            return node.TryGetValue(out value);
        }

        value = 0;
        return false;
    }

    /// <summary>Writes the value as <see cref="ToNode"/>'s node writes itself with <paramref name="options"/>.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="options">The serializer's options (what a node's <c>WriteTo</c> is given).</param>
    public void WriteTo(Utf8JsonWriter writer, JsonSerializerOptions options)
    {
        var kind = this.reference;
        if (kind is string text)
        {
            writer.WriteStringValue(text);
        }
        else if (ReferenceEquals(kind, Int64Kind))
        {
            writer.WriteNumberValue(this.bits);
        }
        else if (ReferenceEquals(kind, DoubleKind))
        {
            writer.WriteNumberValue(BitConverter.Int64BitsToDouble(this.bits));
        }
        else if (ReferenceEquals(kind, BooleanKind))
        {
            writer.WriteBooleanValue(this.bits != 0);
        }
        else if (kind is JsonNode node)
        {
            node.WriteTo(writer, options);
        }
        else if (kind is FieldObject field)
        {
            field.WriteTo(writer, options);
        }
        else if (kind is DeferredNode deferred)
        {
            deferred.WriteTo(writer, options);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
