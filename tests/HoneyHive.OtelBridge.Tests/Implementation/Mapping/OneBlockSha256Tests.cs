// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Security.Cryptography;
using System.Text;
using HoneyHive.OtelBridge.Implementation.Mapping;

namespace HoneyHive.OtelBridge.Tests.Implementation.Mapping;

public sealed class OneBlockSha256Tests
{
    [Theory]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    public void Hash_FipsExamples_KnownDigest(string message, string expected)
    {
        // Arrange
        Span<byte> digest = stackalloc byte[32];

        // Act
        OneBlockSha256.Hash(Encoding.ASCII.GetBytes(message), digest);

        // Assert
        Assert.Equal(expected, Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void Hash_EveryLengthUpToOneBlock_EqualsThePlatformSha256()
    {
        // Arrange
        var random = new Random(20261129);
        Span<byte> digest = stackalloc byte[32];

        for (var length = 0; length <= OneBlockSha256.MaxLength; length++)
        {
            for (var round = 0; round < 20; round++)
            {
                var message = new byte[length];
                random.NextBytes(message);

                // Act
                OneBlockSha256.Hash(message, digest);

                // Assert
                Assert.Equal(SHA256.HashData(message), digest.ToArray());
            }
        }
    }

    [Fact]
    public void Hash_LongerThanOneBlock_RefusedWithTheLimit()
    {
        // Act
        var error = Assert.Throws<ArgumentException>(() => OneBlockSha256.Hash(new byte[OneBlockSha256.MaxLength + 1], new byte[32]));

        // Assert
        Assert.Contains("at most 55 bytes", error.Message, StringComparison.Ordinal);
    }
}
