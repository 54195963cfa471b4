// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Mapping;

namespace HoneyHive.OtelBridge.Tests.Implementation.Mapping;

public sealed class EventTypeClassifierTests
{
    [Theory]
    [InlineData("tool", "gen_ai.operation.name", "chat", "gen_ai.operation.name", "execute_tool")]
    [InlineData("model", "gen_ai.operation.name", "execute_tool", "gen_ai.operation.name", "chat")]
    [InlineData("chain", "honeyhive_event_type", "model", "honeyhive_event_type", "chain")]
    public void Classify_RepeatedKey_LastValueCounts(string expected, string key1, string value1, string key2, string value2)
    {
        // Arrange
        KeyValuePair<string, object?>[] attributes = [new(key1, value1), new("filler", 1L), new(key2, value2)];
        var reader = new SpanAttributeReader(attributes, new AttributeJson(MappingOptions.Default));

        // Act
        var type = EventTypeClassifier.Classify(reader);

        // Assert
        Assert.Equal(expected, type);
    }

    [Theory]
    [InlineData("tool", "gen_ai.tool.")]
    [InlineData("tool", "gen_ai.tool.anything")]
    [InlineData("chain", "gen_ai.tool")]
    [InlineData("model", "llm.model_name")]
    public void Classify_KeyOnlySignals_ToolPrefixIncludesThePrefixItself(string expected, string key)
    {
        // Arrange
        KeyValuePair<string, object?>[] attributes = [new("http.route", "/"), new(key, "x")];
        var reader = new SpanAttributeReader(attributes, new AttributeJson(MappingOptions.Default));

        // Act
        var type = EventTypeClassifier.Classify(reader);

        // Assert
        Assert.Equal(expected, type);
    }

    [Fact]
    public void Classify_Classifying_MarksNothingUsed()
    {
        // Arrange
        KeyValuePair<string, object?>[] attributes = [new("gen_ai.operation.name", "chat"), new("gen_ai.request.model", "m")];
        var reader = new SpanAttributeReader(attributes, new AttributeJson(MappingOptions.Default));

        // Act
        EventTypeClassifier.Classify(reader);
        var remaining = 0;
        foreach (var pair in reader.Remaining())
        {
            remaining++;
        }

        // Assert
        Assert.Equal(2, remaining);
    }
}
