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

    [Theory]
    [InlineData("gen_ai.request.model", 3)]
    [InlineData("gen_ai.request.model", SpanAttributeReader.IndexThreshold + 5)]
    [InlineData("custom.unknown.key", 3)]
    [InlineData("custom.unknown.key", SpanAttributeReader.IndexThreshold + 5)]
    public void Peek_RepeatedKnownOrUnknownKey_LastValueWithoutMarkingUsed(string key, int fillers)
    {
        // Arrange
        var attributes = new List<KeyValuePair<string, object?>> { new(key, "first") };
        for (var i = 0; i < fillers; i++)
        {
            attributes.Add(new($"filler.{i}", (long)i));
        }

        attributes.Add(new(key, "last"));
        var reader = new SpanAttributeReader(attributes, new AttributeJson(MappingOptions.Default));

        // Act
        var peeked = reader.Peek(key);
        var remaining = new List<KeyValuePair<string, object?>>();
        foreach (var pair in reader.Remaining())
        {
            remaining.Add(pair);
        }

        // Assert
        Assert.Equal("last", peeked);
        Assert.Equal(fillers + 1, remaining.Count);
        Assert.Equal(new KeyValuePair<string, object?>(key, "last"), remaining[0]);
    }

    [Fact]
    public void TryTake_KeysWithEqualFilterBits_EachFoundByItsText()
    {
        // Arrange: keys of one length ending alike, known and not, and a question built at run time
        // (not the same string instance as the attribute's key).
        KeyValuePair<string, object?>[] attributes =
        [
            new("aaaa.tokens", 1L),
            new("bbbb.tokens", 2L),
            new("gen_ai.usage.input_tokens", 3L),
            new("gen_ai.usage.xxxxx_tokens", 4L),
        ];
        var reader = new SpanAttributeReader(attributes, new AttributeJson(MappingOptions.Default));
        var question = string.Concat("bbbb", ".tokens");

        // Act
        var unknown = reader.TryTake(question, out var unknownValue);
        var known = reader.TryTake(string.Concat("gen_ai.usage.", "input_tokens"), out var knownValue);
        var absentKnown = reader.TryTake("gen_ai.usage.output_tokens", out _);
        var absentUnknown = reader.TryTake("cccc.tokens", out _);
        var remaining = new List<string>();
        foreach (var pair in reader.Remaining())
        {
            remaining.Add(pair.Key);
        }

        // Assert
        Assert.True(unknown);
        Assert.Equal(2L, unknownValue);
        Assert.True(known);
        Assert.Equal(3L, knownValue);
        Assert.False(absentKnown);
        Assert.False(absentUnknown);
        Assert.Equal(["aaaa.tokens", "gen_ai.usage.xxxxx_tokens"], remaining);
    }

    [Theory]
    [InlineData("llm.")]
    [InlineData("llm.input_messages.")]
    [InlineData("honeyhive_inputs.")]
    [InlineData("gen_ai.prompt.")]
    [InlineData("gen_ai.completion.")]
    [InlineData("ab")]
    public void KeysWithPrefix_PrefixOfAnyLength_SameKeysAsAScan(string prefix)
    {
        // Arrange
        KeyValuePair<string, object?>[] attributes =
        [
            new("llm.input_messages.0.message.role", "user"),
            new("abc", 1L),
            new("gen_ai.prompt.0.content", "hi"),
            new("llm.input_messages.0.message.content", "hello"),
            new("llm.", "only the prefix"),
            new("gen_ai.provider.name", "openai"),
        ];
        var reader = new SpanAttributeReader(attributes, new AttributeJson(MappingOptions.Default));
        var expected = attributes
            .Select(a => a.Key)
            .Where(k => k.Length > prefix.Length && k.StartsWith(prefix, StringComparison.Ordinal))
            .ToList();

        // Act
        var keys = new List<string>();
        foreach (var key in reader.KeysWithPrefix(prefix))
        {
            keys.Add(key);
        }

        // Assert
        Assert.Equal(expected, keys);
    }

    [Theory]
    [InlineData("gen_ai.tool.", true)]
    [InlineData("llm.", true)]
    [InlineData("honeyhive_", false)]
    [InlineData("gen_ai.tool.call", false)]
    public void AnyKeyStartsWith_PrefixItselfCounts_TrueOnlyWhenAKeyStartsSo(string prefix, bool expected)
    {
        // Arrange
        KeyValuePair<string, object?>[] attributes = [new("gen_ai.tool.", "x"), new("llm.", "y"), new("honeyhive.source", "z")];
        var reader = new SpanAttributeReader(attributes, new AttributeJson(MappingOptions.Default));

        // Act
        var any = reader.AnyKeyStartsWith(prefix);

        // Assert
        Assert.Equal(expected, any);
    }

    [Fact]
    public void MayHaveAny_MaskOfKnownKeys_FalseOnlyWhenNoneIsPresent()
    {
        // Arrange
        KeyValuePair<string, object?>[] attributes = [new("gen_ai.usage.input_tokens", 1L), new("http.route", "/")];
        var reader = new SpanAttributeReader(attributes, new AttributeJson(MappingOptions.Default));

        // Act
        var present = reader.MayHaveAny(KnownAttributeKeys.Mask("gen_ai.usage.output_tokens", "gen_ai.usage.input_tokens"));
        var absent = reader.MayHaveAny(KnownAttributeKeys.Mask("gen_ai.usage.output_tokens", "llm.token_count.prompt"));

        // Assert
        Assert.True(present);
        Assert.False(absent);
    }

    [Fact]
    public void Release_NextReaderOnThread_ReadsItsOwnAttributesOnly()
    {
        // Arrange: a reader of a larger span gives back its entries; the next (smaller) span's reader reuses them.
        var json = new AttributeJson(MappingOptions.Default);
        var large = new SpanAttributeReader([new("a", 1L), new("b", 2L), new("c", 3L)], json);
        large.Release();
        var small = new SpanAttributeReader([new("x", "y")], json);

        // Act
        var remaining = new List<KeyValuePair<string, object?>>();
        foreach (var pair in small.Remaining())
        {
            remaining.Add(pair);
        }

        var stale = small.Has("a") || small.Has("b") || small.Has("c");

        // Assert
        Assert.Equal([new KeyValuePair<string, object?>("x", "y")], remaining);
        Assert.False(stale);
    }
}
