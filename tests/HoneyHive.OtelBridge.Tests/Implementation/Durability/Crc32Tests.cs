// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text;
using HoneyHive.OtelBridge.Implementation.Durability;

namespace HoneyHive.OtelBridge.Tests.Implementation.Durability;

public sealed class Crc32Tests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xE8B7BE43u)]
    [InlineData("123456789", 0xCBF43926u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x414FA339u)]
    public void Compute_KnownInput_GivesTheStandardCheckValue(string text, uint expected)
    {
        // Arrange
        var bytes = Encoding.ASCII.GetBytes(text);

        // Act
        var crc = Crc32.Compute(bytes);

        // Assert
        Assert.Equal(expected, crc);
    }
}
