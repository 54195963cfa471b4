// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Mapping;

namespace HoneyHive.OtelBridge.Tests.Implementation.Mapping;

public class ChatMessagesTests
{
    [Theory]
    [InlineData(
        "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Hi\"}]}]",
        "[{\"role\":\"user\",\"content\":\"Hi\"}]")]
    [InlineData(
        "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"a\"},{\"type\":\"text\",\"content\":\"b\"},{\"type\":\"text\",\"content\":3}]}]",
        "[{\"role\":\"user\",\"content\":\"a\\nb\\n3\"}]")]
    [InlineData(
        "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\"}]}]",
        "[{\"role\":\"user\",\"content\":\"\"}]")]
    [InlineData(
        "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":{\"k\":1}}]}]",
        "[{\"role\":\"user\",\"content\":\"{\\\"k\\\":1}\"}]")]
    [InlineData(
        "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"tool_call\",\"id\":\"c1\",\"name\":\"f\",\"arguments\":{\"x\":1}},{\"type\":\"image\",\"uri\":\"u\"}],\"finish_reason\":\"tool_call\"}]",
        "[{\"role\":\"assistant\",\"finish_reason\":\"tool_call\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":{\"x\":1}}}],\"parts\":[{\"type\":\"image\",\"uri\":\"u\"}]}]")]
    [InlineData(
        "[{\"role\":\"tool\",\"parts\":[{\"type\":\"tool_call_response\",\"id\":\"c1\",\"response\":{\"ok\":true}}]}]",
        "[{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":{\"ok\":true}}]")]
    [InlineData(
        "{\"role\":\"user\",\"content\":\"plain\"}",
        "[{\"role\":\"user\",\"content\":\"plain\"}]")]
    [InlineData("\"not json\"", "[\"not json\"]")]
    public void ToList_Messages_NormalizedShape(string input, string expected)
    {
        // Arrange
        var node = JsonNode.Parse(input);

        // Act
        var list = ChatMessages.ToList(node);

        // Assert
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), list), list?.ToJsonString());
    }

    [Fact]
    public void ToList_EmptyArrayOrNull_Null()
    {
        // Arrange
        var empty = new JsonArray();

        // Act
        var fromEmpty = ChatMessages.ToList(empty);
        var fromNull = ChatMessages.ToList(null);

        // Assert
        Assert.Null(fromEmpty);
        Assert.Null(fromNull);
    }

    [Fact]
    public void ToList_NodeInAnotherTree_CopiedAndOriginalUnchanged()
    {
        // Arrange
        var owner = JsonNode.Parse("{\"messages\":[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Hi\"}]}]}")!.AsObject();
        var before = owner.ToJsonString();

        // Act
        var list = ChatMessages.ToList(owner["messages"]);

        // Assert
        Assert.Equal("[{\"role\":\"user\",\"content\":\"Hi\"}]", list!.ToJsonString());
        Assert.Equal(before, owner.ToJsonString());
        Assert.Null(list.Parent);
    }

    [Fact]
    public void Normalize_MessageWithParts_OriginalUnchanged()
    {
        // Arrange
        var owner = JsonNode.Parse("{\"m\":{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Hi\"},{\"type\":\"x\"}]}}")!.AsObject();
        var before = owner.ToJsonString();

        // Act
        var message = ChatMessages.Normalize(owner["m"]);

        // Assert
        Assert.Equal("{\"role\":\"user\",\"content\":\"Hi\",\"parts\":[{\"type\":\"x\"}]}", message!.ToJsonString());
        Assert.Equal(before, owner.ToJsonString());
    }

    [Fact]
    public void TakeOver_ParentlessOrInAnotherTree_SameAsNormalizeAndOwnerUnchanged()
    {
        // Arrange
        const string Message = "{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Hi\"},{\"type\":\"x\",\"n\":1.50}]}";
        var expected = ChatMessages.Normalize(JsonNode.Parse(Message))!.ToJsonString();
        var parentless = JsonNode.Parse(Message);
        var owner = JsonNode.Parse("{\"m\":" + Message + "}")!.AsObject();
        var before = owner.ToJsonString();

        // Act
        var fromParentless = ChatMessages.TakeOver(parentless);
        var fromOwner = ChatMessages.TakeOver(owner["m"]);

        // Assert
        Assert.Equal("{\"role\":\"user\",\"content\":\"Hi\",\"parts\":[{\"type\":\"x\",\"n\":1.50}]}", expected);
        Assert.Same(parentless, fromParentless);
        Assert.Equal(expected, fromParentless!.ToJsonString());
        Assert.Equal(expected, fromOwner!.ToJsonString());
        Assert.Equal(before, owner.ToJsonString());
    }

    [Theory]
    [InlineData("[{\"type\":\"text\",\"content\":\"Be brief.\"},{\"type\":\"x\"}]", "{\"role\":\"system\",\"content\":\"Be brief.\",\"parts\":[{\"type\":\"x\"}]}")]
    [InlineData("\"Be brief.\"", "{\"role\":\"system\",\"content\":\"Be brief.\"}")]
    public void SystemMessage_ParentlessOrInAnotherTree_SameMessageAndOwnerUnchanged(string instructions, string expected)
    {
        // Arrange
        var parentless = JsonNode.Parse(instructions)!;
        var owner = JsonNode.Parse("{\"i\":" + instructions + "}")!.AsObject();
        var before = owner.ToJsonString();

        // Act
        var taken = ChatMessages.SystemMessage(parentless);
        var copied = ChatMessages.SystemMessage(owner["i"]!);

        // Assert
        Assert.Equal(expected, taken.ToJsonString());
        Assert.Equal(expected, copied.ToJsonString());
        Assert.Equal(before, owner.ToJsonString());
    }
}
