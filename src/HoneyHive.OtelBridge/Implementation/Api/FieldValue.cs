// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// The value of one property of an event's object field (<c>metadata</c>, <c>config</c>...): a string, a whole number,
/// a double or a boolean held as it is, or a <see cref="JsonNode"/> (or JSON <c>null</c>). A primitive becomes a
/// <see cref="JsonValue"/> only when someone asks for a node (<see cref="ToNode"/>); <see cref="WriteTo"/> writes the
/// bytes that node's <c>WriteTo</c> would write, without making it.
/// </summary>
/// <remarks>
/// A span's <c>metadata</c> is mostly strings and numbers copied from its attributes: as nodes, each one was a
/// <see cref="JsonValue"/> of its own (32 bytes) in a <see cref="JsonObject"/>'s dictionary, made only to be written
/// once and dropped.
/// </remarks>
internal readonly struct FieldValue
{
    private readonly object? reference;
    private readonly long bits;
    private readonly Kind kind;

    private FieldValue(object? reference, long bits, Kind kind)
    {
        this.reference = reference;
        this.bits = bits;
        this.kind = kind;
    }

    private enum Kind : byte
    {
        /// <summary>A node, or JSON <c>null</c> (the default value).</summary>
        Node,
        String,
        Int64,
        Double,
        Boolean,
    }

    /// <summary>Gets a value indicating whether this is JSON <c>null</c> (a property that holds no node).</summary>
    public bool IsNull => this.kind == Kind.Node && this.reference is null;

    public static implicit operator FieldValue(JsonNode? node) => new(node, 0, Kind.Node);

    public static implicit operator FieldValue(string? value) => value is null ? default : new(value, 0, Kind.String);

    public static implicit operator FieldValue(long value) => new(null, value, Kind.Int64);

    public static implicit operator FieldValue(bool value) => new(null, value ? 1 : 0, Kind.Boolean);

    /// <summary>A finite double (what <see cref="JsonValue.Create(double, JsonNodeOptions?)"/> holds; a non-finite one
    /// throws when written, as that node's <c>WriteTo</c> does).</summary>
    /// <param name="value">The double.</param>
    public static implicit operator FieldValue(double value) => new(null, BitConverter.DoubleToInt64Bits(value), Kind.Double);

    /// <summary>The node this value stands for: the node itself, or a new <see cref="JsonValue"/> of the primitive (the
    /// one <c>JsonValue.Create</c> makes for its type).</summary>
    /// <returns>The node, or <see langword="null"/> for JSON <c>null</c>.</returns>
    public JsonNode? ToNode() => this.kind switch
    {
        Kind.String => JsonValue.Create((string)this.reference!),
        Kind.Int64 => JsonValue.Create(this.bits),
        Kind.Double => JsonValue.Create(BitConverter.Int64BitsToDouble(this.bits)),
        Kind.Boolean => JsonValue.Create(this.bits != 0),
        _ => (JsonNode?)this.reference,
    };

    /// <summary>Writes the value as <see cref="ToNode"/>'s node writes itself with <paramref name="options"/>.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="options">The serializer's options (what a node's <c>WriteTo</c> is given).</param>
    public void WriteTo(Utf8JsonWriter writer, JsonSerializerOptions options)
    {
        switch (this.kind)
        {
            case Kind.String:
                writer.WriteStringValue((string)this.reference!);
                break;
            case Kind.Int64:
                writer.WriteNumberValue(this.bits);
                break;
            case Kind.Double:
                writer.WriteNumberValue(BitConverter.Int64BitsToDouble(this.bits));
                break;
            case Kind.Boolean:
                writer.WriteBooleanValue(this.bits != 0);
                break;
            default:
                if (this.reference is JsonNode node)
                {
                    node.WriteTo(writer, options);
                }
                else
                {
                    writer.WriteNullValue();
                }

                break;
        }
    }
}
