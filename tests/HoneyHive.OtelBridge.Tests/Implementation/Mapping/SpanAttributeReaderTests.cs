// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Mapping;

namespace HoneyHive.OtelBridge.Tests.Implementation.Mapping;

public sealed class SpanAttributeReaderTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(SpanAttributeReader.IndexThreshold + 5)]
    public void TryTake_RepeatedKey_LastValueWinsAtFirstPosition(int fillers)
    {
        // Arrange
        var attributes = new List<KeyValuePair<string, object?>> { new("a", 1L) };
        for (var i = 0; i < fillers; i++)
        {
            attributes.Add(new($"filler.{i}", (long)i));
        }

        attributes.Add(new("a", 2L));
        var reader = new SpanAttributeReader(attributes, new AttributeJson(MappingOptions.Default));

        // Act
        var found = reader.TryTake("a", out var value);
        var missing = reader.TryTake("b", out var none);
        var remaining = new List<string>();
        foreach (var pair in reader.Remaining())
        {
            remaining.Add(pair.Key);
        }

        // Assert
        Assert.True(found);
        Assert.Equal(2L, value);
        Assert.False(missing);
        Assert.Null(none);
        Assert.Equal(fillers, remaining.Count);
        Assert.DoesNotContain("a", remaining);
        Assert.Equal("filler.0", remaining[0]);
    }

    [Fact]
    public void KeysWithPrefix_TakenAndUntakenKeys_AllLongerMatchesInAttributeOrder()
    {
        // Arrange
        KeyValuePair<string, object?>[] attributes =
        [
            new("gen_ai.request.model", "m"),
            new("gen_ai.request.", "exactly the prefix"),
            new("gen_ai.response.id", "r"),
            new("gen_ai.request.top_p", 0.5),
        ];
        var reader = new SpanAttributeReader(attributes, new AttributeJson(MappingOptions.Default));
        reader.TakeText("gen_ai.request.model");

        // Act
        var keys = new List<string>();
        foreach (var key in reader.KeysWithPrefix("gen_ai.request."))
        {
            keys.Add(key);
            reader.TryTake(key, out _);
        }

        var remaining = new List<string>();
        foreach (var pair in reader.Remaining())
        {
            remaining.Add(pair.Key);
        }

        // Assert
        Assert.Equal(["gen_ai.request.model", "gen_ai.request.top_p"], keys);
        Assert.Equal(["gen_ai.request.", "gen_ai.response.id"], remaining);
    }
}
