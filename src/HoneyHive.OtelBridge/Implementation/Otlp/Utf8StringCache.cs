// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers.Binary;
using System.Text;

namespace HoneyHive.OtelBridge.Implementation.Otlp;

/// <summary>
/// A small, bounded, lock-free cache of strings decoded from UTF-8, for the short strings an OTLP request repeats in
/// every span (attribute keys, span and event names, scope names): a hit costs a hash and a compare of the bytes
/// instead of a new string. Each hash slot holds one entry and a miss replaces it, so the cache never grows past
/// <see cref="SlotCount"/> entries of at most <see cref="MaxLength"/> bytes, whatever the input.
/// </summary>
internal sealed class Utf8StringCache
{
    /// <summary>The number of slots.</summary>
    internal const int SlotCount = 2048;

    /// <summary>The longest UTF-8 string (in bytes) the cache keeps; longer ones are decoded every time.</summary>
    internal const int MaxLength = 96;

    private readonly Entry?[] slots = new Entry?[SlotCount];

    /// <summary>Gets the cache the protobuf decoder shares across threads.</summary>
    public static Utf8StringCache Shared { get; } = new();

    /// <summary>Decodes UTF-8 as <see cref="Encoding.UTF8"/> does, from the cache when the same bytes were decoded
    /// lately.</summary>
    /// <param name="utf8">The bytes.</param>
    /// <returns>The string.</returns>
    public string GetString(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        if (utf8.Length > MaxLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        var slot = Slot(utf8);
        var entry = Volatile.Read(ref this.slots[slot]);
        if (entry is not null && utf8.SequenceEqual(entry.Utf8))
        {
            return entry.Value;
        }

        var value = Encoding.UTF8.GetString(utf8);
        Volatile.Write(ref this.slots[slot], new Entry(utf8.ToArray(), value));
        return value;
    }

    // A cheap hash of the length and the first and last eight bytes (the bytes are compared on a hit, so a collision
    // only costs a miss). Keys that share those bytes share a slot and take turns: slower, never wrong or unbounded.
    private static int Slot(ReadOnlySpan<byte> utf8)
    {
        ulong head;
        ulong tail;
        if (utf8.Length >= sizeof(ulong))
        {
            head = BinaryPrimitives.ReadUInt64LittleEndian(utf8);
            tail = BinaryPrimitives.ReadUInt64LittleEndian(utf8[^sizeof(ulong)..]);
        }
        else
        {
            Span<byte> padded = stackalloc byte[sizeof(ulong)];
            padded.Clear();
            utf8.CopyTo(padded);
            head = BinaryPrimitives.ReadUInt64LittleEndian(padded);
            tail = 0;
        }

        var mixed = ((head * 0x9E3779B97F4A7C15UL) ^ (tail * 0xC2B2AE3D27D4EB4FUL) ^ (ulong)utf8.Length) * 0x165667B19E3779F9UL;
        return (int)(mixed >> 40) & (SlotCount - 1);
    }

    private sealed class Entry(byte[] utf8, string value)
    {
        public byte[] Utf8 { get; } = utf8;

        public string Value { get; } = value;
    }
}
