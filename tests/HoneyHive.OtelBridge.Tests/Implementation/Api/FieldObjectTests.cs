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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Set_PresentAndNewKeys_AsSettingThemOnTheObject(bool madeFirst)
    {
        // Arrange: a present key keeps its place and takes the new value; a new key goes at the end; a key set twice
        // keeps its first place and its last value (what a root span's metadata gets: metrics, error, resource).
        KeyValuePair<string, FieldValue>[] Properties() =>
        [
            KeyValuePair.Create("a", (FieldValue)1L),
            KeyValuePair.Create("error", (FieldValue)"from an attribute"),
            KeyValuePair.Create("c", (FieldValue)true),
        ];
        var resource = new FieldObject([KeyValuePair.Create("service.name", (FieldValue)"chat")]);
        KeyValuePair<string, FieldValue>[] added =
        [
            KeyValuePair.Create("error", (FieldValue)"timeout"),
            KeyValuePair.Create("resource", (FieldValue)resource),
            KeyValuePair.Create("x", (FieldValue)0.5),
            KeyValuePair.Create("x", (FieldValue)2L),
        ];
        var expected = new FieldObject(Properties()).Object;
        foreach (var (key, value) in added)
        {
            expected[key] = value.Copy().ToNode();
        }

        var field = new FieldObject(Properties());
        if (madeFirst)
        {
            _ = field.Object;
        }

        // Act
        field.Set(added);

        // Assert
        Assert.Equal(
            "{\"a\":1,\"error\":\"timeout\",\"c\":true,\"resource\":{\"service.name\":\"chat\"},\"x\":2}",
            Write(expected));
        Assert.Equal(Write(expected), Write(field));
        Assert.Equal(Write(expected), Write(field.Object));
        Assert.Equal(5, field.Count);
    }

    [Fact]
    public void FieldValue_OfAFieldObject_WrittenAndMadeAsItsObject()
    {
        // Arrange
        FieldObject Inner() => new([KeyValuePair.Create("k", (FieldValue)"v"), KeyValuePair.Create("n", (FieldValue)3L)]);
        var outer = new FieldObject([KeyValuePair.Create("inner", (FieldValue)Inner())]);
        var viaNodes = new FieldObject([KeyValuePair.Create("inner", (FieldValue)Inner())]).Object;

        // Act
        var direct = Write(outer);
        var value = (FieldValue)Inner();

        // Assert
        Assert.Equal("{\"inner\":{\"k\":\"v\",\"n\":3}}", direct);
        Assert.Equal(direct, Write(viaNodes));
        Assert.False(value.IsValue);
        Assert.False(value.IsNull);
        Assert.False(value.TryGetInt64(out _));
        Assert.IsType<JsonObject>(value.ToNode());
        Assert.NotSame(value.ToNode(), value.Copy().ToNode());
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
