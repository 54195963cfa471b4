// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Security.Cryptography;
using System.Text;

namespace HoneyHive.OtelBridge.Receiver.Security;

/// <summary>
/// The bearer tokens the receiver accepts. Only the SHA-256 hash of each token is kept, and a presented token is
/// checked by hashing it and comparing that hash with every stored hash using
/// <see cref="CryptographicOperations.FixedTimeEquals"/>, without stopping at a match: every comparison is over 32
/// bytes whatever the lengths of the tokens, so the time taken says nothing about a token's length, its prefix or
/// which token matched. The tokens themselves are never stored, logged or printed.
/// </summary>
internal sealed class BearerTokenSet
{
    /// <summary>The environment variable of the tokens (comma-separated).</summary>
    internal const string EnvironmentVariable = "HH_BRIDGE_AUTH_TOKENS";

    /// <summary>The length of every stored hash (SHA-256).</summary>
    internal const int HashLength = SHA256.HashSizeInBytes;

    private readonly byte[][] hashes;

    private BearerTokenSet(byte[][] hashes)
    {
        this.hashes = hashes;
    }

    /// <summary>Gets how many tokens are accepted.</summary>
    public int Count => this.hashes.Length;

    /// <summary>Gets the stored hashes (tests: all of <see cref="HashLength"/> bytes).</summary>
    internal IReadOnlyList<byte[]> Hashes => this.hashes;

    /// <summary>Builds the set from tokens; empty and whitespace-only entries are skipped.</summary>
    /// <param name="tokens">The tokens.</param>
    /// <returns>The set (possibly empty).</returns>
    public static BearerTokenSet FromTokens(IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var list = new List<byte[]>();
        foreach (var token in tokens)
        {
            var trimmed = token.Trim();
            if (trimmed.Length > 0)
            {
                list.Add(Hash(trimmed));
            }
        }

        return new BearerTokenSet([.. list]);
    }

    /// <summary>
    /// Loads the tokens of <c>serve</c>: one per line of <paramref name="tokenFile"/> (blank lines and lines starting
    /// with <c>#</c> skipped) and the comma-separated <paramref name="environmentValue"/>
    /// (<see cref="EnvironmentVariable"/>). Both may be given; their tokens are all accepted.
    /// </summary>
    /// <param name="tokenFile">The token file, or <see langword="null"/>.</param>
    /// <param name="environmentValue">The variable's value, or <see langword="null"/>.</param>
    /// <returns>The set; empty when neither source holds a token (authentication off).</returns>
    /// <exception cref="ArgumentException">The file is given but holds no token, or cannot be read.</exception>
    public static BearerTokenSet Load(string? tokenFile, string? environmentValue)
    {
        var tokens = new List<string>();
        if (!string.IsNullOrEmpty(tokenFile))
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(tokenFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ArgumentException($"The token file '{tokenFile}' cannot be read: {ex.Message}", nameof(tokenFile), ex);
            }

            var before = tokens.Count;
            foreach (var line in lines)
            {
                var trimmed = line.Trim();
                if (trimmed.Length > 0 && !trimmed.StartsWith('#'))
                {
                    tokens.Add(trimmed);
                }
            }

            if (tokens.Count == before)
            {
                throw new ArgumentException($"The token file '{tokenFile}' holds no token (one per line).", nameof(tokenFile));
            }
        }

        if (!string.IsNullOrWhiteSpace(environmentValue))
        {
            tokens.AddRange(environmentValue.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        return FromTokens(tokens);
    }

    /// <summary>Hashes a token (SHA-256 of its UTF-8 bytes).</summary>
    /// <param name="token">The token.</param>
    /// <returns>32 bytes.</returns>
    internal static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Tells whether <paramref name="presented"/> is one of the tokens, in time independent of which.</summary>
    /// <param name="presented">The token from the request.</param>
    /// <returns><see langword="true"/> when it matches a stored token.</returns>
    public bool Contains(ReadOnlySpan<char> presented)
    {
        Span<byte> hash = stackalloc byte[HashLength];
        var byteCount = Encoding.UTF8.GetByteCount(presented);
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(byteCount);
        try
        {
            var written = Encoding.UTF8.GetBytes(presented, rented);
            SHA256.HashData(rented.AsSpan(0, written), hash);
            CryptographicOperations.ZeroMemory(rented.AsSpan(0, written));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }

        var match = false;
        foreach (var stored in this.hashes)
        {
            // No early exit: every stored hash is compared, each in constant time.
            match |= CryptographicOperations.FixedTimeEquals(hash, stored);
        }

        return match;
    }
}
