// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Mapping;

namespace HoneyHive.OtelBridge.Tests.Implementation.Mapping;

public sealed class TruncationKeyTests
{
    [Fact]
    public void ToString_OneTwoOrThreeParts_JoinedWithDots()
    {
        // Arrange
        TruncationKey whole = "gen_ai.input.messages";
        var resource = new TruncationKey("resource", "service.name");
        var eventKey = new TruncationKey("event", "gen_ai.user.message", "content");

        // Act
        var texts = new[] { whole.ToString(), resource.ToString(), eventKey.ToString() };

        // Assert
        Assert.Equal(["gen_ai.input.messages", "resource.service.name", "event.gen_ai.user.message.content"], texts);
    }

    [Fact]
    public void Truncate_LongEventAttribute_RecordsTheJoinedKeyOnlyWhenCut()
    {
        // Arrange
        var json = new AttributeJson(MappingOptions.Default);
        var key = new TruncationKey("event", "gen_ai.choice", "message");

        // Act
        json.Truncate(key, "short");
        var untouched = json.Truncated;
        json.Truncate(key, new string('x', MappingOptions.Default.MaxStringLength + 10));

        // Assert
        Assert.Null(untouched);
        Assert.Equal(MappingOptions.Default.MaxStringLength + 10, json.Truncated!["event.gen_ai.choice.message"]!.GetValue<int>());
    }
}
