// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Tests.Implementation.Api;

public sealed class FieldObjectTests
{
    [Fact]
    public void WriteTo_PropertiesNotMade_BytesOfTheObjectTheyMake()
    {
        // Arrange: each kind of value, and escaping in names and strings.
        KeyValuePair<string, FieldValue>[] Properties() =>
        [
            KeyValuePair.Create("s", (FieldValue)"caf\u00e9 <b> \"q\""),
            KeyValuePair.Create("l", (FieldValue)long.MinValue),
            KeyValuePair.Create("d", (FieldValue)0.1),
            KeyValuePair.Create("z", (FieldValue)(-0.0)),
            KeyValuePair.Create("b", (FieldValue)true),
            KeyValuePair.Create("n", (FieldValue)(JsonNode?)null),
            KeyValuePair.Create("o\u2028", (FieldValue)new JsonObject { ["k"] = new JsonArray(1, "x") }),
        ];
        var written = new FieldObject(Properties());
        var made = new FieldObject(Properties());

        // Act
        var direct = Write(written);
        var viaObject = Write(made.Object);

        // Assert
        Assert.Equal(viaObject, direct);
        Assert.Equal(
            "{\"s\":\"caf\\u00E9 \\u003Cb\\u003E \\u0022q\\u0022\",\"l\":-9223372036854775808,\"d\":0.1,\"z\":-0,\"b\":true,\"n\":null,\"o\\u2028\":{\"k\":[1,\"x\"]}}",
            direct);
        Assert.Equal(7, written.Count);
    }

    [Fact]
    public void Object_ChangedAfterMade_ChangeIsWrittenAndSameObject()
    {
        // Arrange
        var field = new FieldObject([KeyValuePair.Create("a", (FieldValue)1L)]);

        // Act
        var first = field.Object;
        first["b"] = "added";
        var second = field.Object;

        // Assert
        Assert.Same(first, second);
        Assert.Equal("{\"a\":1,\"b\":\"added\"}", Write(field));
        Assert.Equal(2, field.Count);
    }

    [Fact]
    public void WriteTo_NonFiniteDouble_ThrowsAsTheNodeDoes()
    {
        // Arrange
        var field = new FieldObject([KeyValuePair.Create("d", (FieldValue)double.NaN)]);
        var node = new FieldObject([KeyValuePair.Create("d", (FieldValue)double.NaN)]).Object;

        // Act
        var direct = Record.Exception(() => Write(field));
        var viaNode = Record.Exception(() => Write(node));

        // Assert
        Assert.NotNull(viaNode);
        Assert.IsType(viaNode.GetType(), direct);
    }

    private static string Write(FieldObject field) => Write(writer => field.WriteTo(writer, HoneyHiveJsonContext.Api.Options));

    private static string Write(JsonObject value) => Write(writer => value.WriteTo(writer, HoneyHiveJsonContext.Api.Options));

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
