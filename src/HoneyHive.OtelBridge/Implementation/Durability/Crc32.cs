// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Implementation.Durability;

/// <summary>
/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, the checksum of zip, gzip and PNG) of a log record.
/// Computed by <c>System.IO.Hashing</c>, which uses the CPU's carry-less multiply where there is one: a
/// table-driven loop cost 5 % of the receiver's CPU under load, checksumming every accepted export.
/// </summary>
internal static class Crc32
{
    /// <summary>Computes the CRC-32 of the bytes.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The checksum (<c>"123456789"</c> gives <c>0xCBF43926</c>).</returns>
    public static uint Compute(ReadOnlySpan<byte> data) => System.IO.Hashing.Crc32.HashToUInt32(data);
}
