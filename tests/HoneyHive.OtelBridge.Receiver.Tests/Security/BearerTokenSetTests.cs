// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Receiver.Security;

namespace HoneyHive.OtelBridge.Receiver.Tests.Security;

public sealed class BearerTokenSetTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("token-1")]
    [InlineData("a-much-longer-token-of-well-over-thirty-two-characters-so-its-length-differs")]
    public void FromTokens_AnyTokenLength_StoresOnlyFixedLengthHashes(string token)
    {
        // Arrange / Act
        var set = BearerTokenSet.FromTokens([token, "other"]);

        // Assert: what is compared is always two 32-byte hashes, whatever the tokens' lengths; the token is not kept.
        Assert.Equal(2, set.Count);
        Assert.All(set.Hashes, h => Assert.Equal(BearerTokenSet.HashLength, h.Length));
        Assert.Equal(BearerTokenSet.Hash(token), set.Hashes[0]);
        Assert.DoesNotContain(set.Hashes, h => h.Length == token.Length && h.SequenceEqual(System.Text.Encoding.UTF8.GetBytes(token)));
    }

    [Theory]
    [InlineData("first", true)]
    [InlineData("second", true)]
    [InlineData("third", true)]
    [InlineData("  second  ", true)]
    [InlineData("secon", false)]
    [InlineData("second2", false)]
    [InlineData("SECOND", false)]
    [InlineData("", false)]
    public void Contains_SeveralTokens_MatchesEachExactly(string presented, bool expected)
    {
        // Arrange
        var set = BearerTokenSet.FromTokens(["first", "second", "third"]);

        // Act
        var actual = set.Contains(presented.Trim());

        // Assert
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Load_FileAndEnvironment_AcceptsTokensOfBoth()
    {
        // Arrange
        var file = Path.Combine(Path.GetTempPath(), "hh-tokens-" + Guid.NewGuid().ToString("N") + ".txt");
        File.WriteAllLines(file, ["# collector tokens", string.Empty, "  from-file-1  ", "from-file-2"]);
        try
        {
            // Act
            var set = BearerTokenSet.Load(file, " from-env-1 ,from-env-2,, ");

            // Assert
            Assert.Equal(4, set.Count);
            Assert.True(set.Contains("from-file-1"));
            Assert.True(set.Contains("from-file-2"));
            Assert.True(set.Contains("from-env-1"));
            Assert.True(set.Contains("from-env-2"));
            Assert.False(set.Contains("# collector tokens"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Load_NoSource_EmptySet()
    {
        // Act
        var set = BearerTokenSet.Load(null, null);

        // Assert
        Assert.Equal(0, set.Count);
        Assert.False(set.Contains("anything"));
    }

    [Fact]
    public void Load_FileWithoutTokens_ThrowsWithoutContent()
    {
        // Arrange
        var file = Path.Combine(Path.GetTempPath(), "hh-tokens-" + Guid.NewGuid().ToString("N") + ".txt");
        File.WriteAllLines(file, ["# only a comment", "   "]);
        try
        {
            // Act
            var ex = Assert.Throws<ArgumentException>(() => BearerTokenSet.Load(file, null));

            // Assert
            Assert.Contains("holds no token", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Load_MissingFile_ThrowsArgumentException()
    {
        // Act / Assert
        Assert.Throws<ArgumentException>(() => BearerTokenSet.Load(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N")), null));
    }
}
