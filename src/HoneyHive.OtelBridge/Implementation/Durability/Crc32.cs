// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Implementation.Durability;

/// <summary>
/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, the checksum of zip, gzip and PNG), table-driven.
/// <c>System.IO.Hashing</c> has it too, but it is a separate package, and the log needs only this.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] Table = CreateTable();

    /// <summary>Computes the CRC-32 of the bytes.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The checksum (<c>"123456789"</c> gives <c>0xCBF43926</c>).</returns>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
