// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Implementation.Spans;

/// <summary>
/// Whole-number attribute values as the <see cref="object"/> a <see cref="SpanRecord"/> holds: the small ones most
/// spans carry (ports, status codes, token counts under a thousand, counters) boxed once for the process instead of
/// once per attribute (24 bytes each).
/// </summary>
internal static class BoxedInt64
{
    /// <summary>The largest value kept boxed (0 to this).</summary>
    internal const long MaxCached = 1023;

    private static readonly object[] Cached = Enumerable.Range(0, (int)MaxCached + 1).Select(i => (object)(long)i).ToArray();

    /// <summary>Gets the value boxed: the shared box from 0 to <see cref="MaxCached"/>, a new one otherwise.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The boxed <see cref="long"/>.</returns>
    public static object Box(long value) => (ulong)value <= MaxCached ? Cached[value] : value;
}
