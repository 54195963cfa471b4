// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Implementation.Mapping;

/// <summary>
/// The key under which a truncated string's length is recorded (<c>metadata.truncated</c>), kept
/// as up to three dot-separated parts (for example <c>event</c>, the event name and the attribute
/// key) so the joined text is built only when a string is actually truncated.
/// </summary>
/// <param name="First">The first part (a whole attribute key when alone).</param>
/// <param name="Second">The second part, or <see langword="null"/>.</param>
/// <param name="Third">The third part, or <see langword="null"/>.</param>
internal readonly record struct TruncationKey(string First, string? Second = null, string? Third = null)
{
    /// <summary>A whole attribute key.</summary>
    /// <param name="key">The key.</param>
    public static implicit operator TruncationKey(string key) => new(key);

    /// <summary>A whole attribute key (the named form of the implicit conversion).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The truncation key.</returns>
    public static TruncationKey FromString(string key) => new(key);

    /// <summary>Gets the parts joined with dots.</summary>
    /// <returns>The key text.</returns>
    public override string ToString() =>
        this.Second is null ? this.First
        : this.Third is null ? string.Concat(this.First, ".", this.Second)
        : string.Concat(this.First, ".", this.Second, ".", this.Third);
}
