// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Mapping;

namespace HoneyHive.OtelBridge.Tests.Implementation.Mapping;

public class ChatListTests
{
    private const string Messages =
        "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Hi \\u00e9\"}]},\"loose\",{\"name\":\"n\",\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"a\"},{\"type\":\"text\",\"content\":\"b\"}]}]";

    [Fact]
    public void WriteTo_ReadFromDocument_WritesWhatItsNodeWrites()
    {
        // Arrange
        var list = ChatMessages.FromAttribute(new AttributeJson(MappingOptions.Default), "gen_ai.input.messages", Messages)!;

        // Act
        var written = Written(list);
        var node = list.Node!;

        // Assert
        Assert.Equal("[{\"role\":\"user\",\"content\":\"Hi \\u00E9\"},\"loose\",{\"name\":\"n\",\"role\":\"assistant\",\"content\":\"a\\nb\"}]", written);
        Assert.Equal(node.ToJsonString(), written);
        Assert.Equal(3, node.AsArray().Count);
    }

    [Fact]
    public void WriteTo_AfterItsNodeWasChanged_WritesTheChange()
    {
        // Arrange: a field's value made into a node is the value from then on (as FieldObject.Object is).
        var list = ChatMessages.FromAttribute(new AttributeJson(MappingOptions.Default), "gen_ai.input.messages", Messages)!;
        var node = list.Node!.AsArray();

        // Act
        node[0]!["role"] = "system";
        node.RemoveAt(1);

        // Assert
        Assert.Equal("[{\"role\":\"system\",\"content\":\"Hi \\u00E9\"},{\"name\":\"n\",\"role\":\"assistant\",\"content\":\"a\\nb\"}]", Written(list));
    }

    [Fact]
    public void FieldValue_OfList_NotAValueAndCopiedApart()
    {
        // Arrange
        FieldValue value = ChatMessages.FromAttribute(new AttributeJson(MappingOptions.Default), "gen_ai.input.messages", Messages);

        // Act
        var copy = value.Copy();
        copy.ToNode()!.AsArray().Clear();

        // Assert
        Assert.False(value.IsValue);
        Assert.Equal(3, value.ToNode()!.AsArray().Count);
        Assert.Empty(copy.ToNode()!.AsArray());
    }

    [Fact]
    public void TakeFinishReasons_FromEveryMessage_FirstGivenNullKept()
    {
        // Arrange: read from the document (the first two) and a node (the third, as the general path holds one).
        var list = ChatMessages.FromAttribute(
            new AttributeJson(MappingOptions.Default),
            "gen_ai.output.messages",
            "[{\"role\":\"a\",\"finish_reason\":null,\"parts\":[]},{\"finish_reason\":[1,2],\"role\":\"b\"}]")!;
        list.Add(new JsonObject { ["role"] = "c", ["finish_reason"] = "stop" });

        // Act
        var first = list.TakeFinishReasons();

        // Assert
        Assert.Equal("[1,2]", first);
        Assert.Equal("[{\"role\":\"a\",\"finish_reason\":null},{\"role\":\"b\"},{\"role\":\"c\"}]", Written(list));
        Assert.Null(list.TakeFinishReasons());
    }

    private static string Written(ChatList list)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            list.WriteTo(writer, JsonSerializerOptions.Default);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
