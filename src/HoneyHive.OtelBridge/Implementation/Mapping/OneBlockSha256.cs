// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers.Binary;
using System.Numerics;

namespace HoneyHive.OtelBridge.Implementation.Mapping;

/// <summary>
/// SHA-256 (FIPS 180-4) of a message that fits one 64-byte block once padded: at most <see cref="MaxLength"/> bytes,
/// which every trace and span id of <see cref="HoneyHiveIds"/> does. In managed code, on the stack: two to three
/// ids per span made the platform's one-shot hash (a call into OpenSSL that sets up and tears down a digest context
/// each time) a few per cent of the bridge's CPU.
/// </summary>
internal static class OneBlockSha256
{
    /// <summary>The longest message that fits one block with its padding (0x80 and the 64-bit length).</summary>
    public const int MaxLength = 55;

    private static readonly uint[] K =
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    /// <summary>Hashes <paramref name="message"/> into the first 32 bytes of <paramref name="destination"/>.</summary>
    /// <param name="message">At most <see cref="MaxLength"/> bytes.</param>
    /// <param name="destination">At least 32 bytes.</param>
    public static void Hash(ReadOnlySpan<byte> message, Span<byte> destination)
    {
        if (message.Length > MaxLength)
        {
            throw new ArgumentException($"A one-block message is at most {MaxLength} bytes; this one is {message.Length}.", nameof(message));
        }

        if (destination.Length < 32)
        {
            throw new ArgumentException("The destination holds fewer than 32 bytes.", nameof(destination));
        }

        Span<byte> block = stackalloc byte[64];
        block.Clear();
        message.CopyTo(block);
        block[message.Length] = 0x80;
        BinaryPrimitives.WriteUInt64BigEndian(block[56..], (ulong)message.Length * 8);

        Span<uint> w = stackalloc uint[64];
        for (var i = 0; i < 16; i++)
        {
            w[i] = BinaryPrimitives.ReadUInt32BigEndian(block[(i * 4)..]);
        }

        for (var i = 16; i < 64; i++)
        {
            var s0 = BitOperations.RotateRight(w[i - 15], 7) ^ BitOperations.RotateRight(w[i - 15], 18) ^ (w[i - 15] >> 3);
            var s1 = BitOperations.RotateRight(w[i - 2], 17) ^ BitOperations.RotateRight(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }

        uint a = 0x6a09e667, b = 0xbb67ae85, c = 0x3c6ef372, d = 0xa54ff53a;
        uint e = 0x510e527f, f = 0x9b05688c, g = 0x1f83d9ab, h = 0x5be0cd19;
        var k = K;
        for (var i = 0; i < 64; i++)
        {
            var t1 = h + (BitOperations.RotateRight(e, 6) ^ BitOperations.RotateRight(e, 11) ^ BitOperations.RotateRight(e, 25))
                + ((e & f) ^ (~e & g)) + k[i] + w[i];
            var t2 = (BitOperations.RotateRight(a, 2) ^ BitOperations.RotateRight(a, 13) ^ BitOperations.RotateRight(a, 22))
                + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination, 0x6a09e667 + a);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], 0xbb67ae85 + b);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], 0x3c6ef372 + c);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], 0xa54ff53a + d);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], 0x510e527f + e);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], 0x9b05688c + f);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], 0x1f83d9ab + g);
        BinaryPrimitives.WriteUInt32BigEndian(destination[28..], 0x5be0cd19 + h);
    }
}
