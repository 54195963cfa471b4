// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Implementation.Durability;

/// <summary>
/// Positions in the <see cref="DurableLog"/>: each record has a sequence number, increasing across segments and
/// restarts. Every stage reports the lowest position it still needs; the log deletes the segments below the
/// lowest of them (the watermark).
/// </summary>
internal static class LogPositions
{
    /// <summary>Not in a log (or nothing held): higher than every real position, so it never lowers a minimum.</summary>
    public const long None = long.MaxValue;

    /// <summary>The lower of two positions.</summary>
    /// <param name="a">One position.</param>
    /// <param name="b">The other.</param>
    /// <returns>The minimum.</returns>
    public static long Min(long a, long b) => a < b ? a : b;
}
