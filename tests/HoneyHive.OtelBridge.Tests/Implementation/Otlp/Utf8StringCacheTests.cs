// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text;
using HoneyHive.OtelBridge.Implementation.Otlp;

namespace HoneyHive.OtelBridge.Tests.Implementation.Otlp;

public sealed class Utf8StringCacheTests
{
    [Fact]
    public void GetString_SameBytesTwice_ReturnsTheSameString()
    {
        // Arrange
        var cache = new Utf8StringCache();
        var bytes = Encoding.UTF8.GetBytes("gen_ai.request.model");

        // Act
        var first = cache.GetString(bytes);
        var second = cache.GetString(bytes.ToArray());

        // Assert
        Assert.Equal("gen_ai.request.model", first);
        Assert.Same(first, second);
    }

    [Fact]
    public void GetString_LongerThanMaxLength_DecodesWithoutKeeping()
    {
        // Arrange
        var cache = new Utf8StringCache();
        var bytes = Encoding.UTF8.GetBytes(new string('k', Utf8StringCache.MaxLength + 1));

        // Act
        var first = cache.GetString(bytes);
        var second = cache.GetString(bytes);

        // Assert
        Assert.Equal(first, second);
        Assert.NotSame(first, second);
    }

    [Fact]
    public void GetString_ManyDistinctStrings_EachDecodedCorrectly()
    {
        // Arrange: far more strings than slots, so entries replace each other.
        var cache = new Utf8StringCache();
        var values = Enumerable.Range(0, Utf8StringCache.SlotCount * 4).Select(i => "key.ключ." + i).ToArray();

        // Act
        var first = values.Select(v => cache.GetString(Encoding.UTF8.GetBytes(v))).ToArray();
        var again = values.Select(v => cache.GetString(Encoding.UTF8.GetBytes(v))).ToArray();

        // Assert
        Assert.Equal(values, first);
        Assert.Equal(values, again);
        Assert.Equal(string.Empty, cache.GetString([]));
    }
}
