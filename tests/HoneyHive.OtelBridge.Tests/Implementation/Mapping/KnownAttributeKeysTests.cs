// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Mapping;

namespace HoneyHive.OtelBridge.Tests.Implementation.Mapping;

public sealed class KnownAttributeKeysTests
{
    [Theory]
    [InlineData("gen_ai.request.model")]
    [InlineData("gen_ai.usage.cache_read.input_tokens")]
    [InlineData("gen_ai.usage.cache_read_input_tokens")]
    [InlineData("honeyhive_user_properties")]
    [InlineData("metadata")]
    public void IdOf_KnownKeyAsNewString_SameIdAsTheLiteral(string key)
    {
        // Arrange
        var copy = new string(key.AsSpan());

        // Act
        var id = KnownAttributeKeys.IdOf(copy);

        // Assert
        Assert.InRange(id, 0, KnownAttributeKeys.Count - 1);
        Assert.Equal(KnownAttributeKeys.IdOf(key), id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("gen_ai.request.temperature")]
    [InlineData("gen_ai.request.mode")]
    [InlineData("http.route")]
    public void IdOf_UnknownKey_MinusOne(string key)
    {
        // Act
        var id = KnownAttributeKeys.IdOf(key);

        // Assert
        Assert.Equal(-1, id);
    }

    [Fact]
    public void LongestProbe_AllKnownKeys_AtMostFourSlots()
    {
        // Act
        var longest = KnownAttributeKeys.LongestProbe();

        // Assert
        Assert.InRange(longest, 1, 4);
    }

    [Fact]
    public void Mask_UnknownKey_Throws()
    {
        // Act
        var error = Assert.Throws<ArgumentException>(() => KnownAttributeKeys.Mask("gen_ai.usage.input_tokens", "not.known"));

        // Assert
        Assert.Equal("keys", error.ParamName);
    }
}
