// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Implementation.Mapping;

/// <summary>Settings of the span-to-HoneyHive mapping.</summary>
internal sealed class MappingOptions
{
    /// <summary>The default longest string (in UTF-16 chars) sent in one value.</summary>
    public const int DefaultMaxStringLength = 100_000;

    /// <summary>The default <c>source</c> of sessions and events.</summary>
    public const string DefaultSource = "otel-bridge";

    /// <summary>The marker appended to a truncated string.</summary>
    public const string TruncationMarker = "…[truncated]";

    /// <summary>Gets the default options.</summary>
    public static MappingOptions Default { get; } = new();

    /// <summary>
    /// Gets the longest string value sent; a longer one is cut to this length (marker included)
    /// and its original length recorded in <c>metadata.truncated</c>. Default 100,000.
    /// </summary>
    public int MaxStringLength { get; init; } = DefaultMaxStringLength;

    /// <summary>
    /// Gets the <c>source</c> used when neither the span nor its resource has <c>honeyhive.source</c>.
    /// Default <c>otel-bridge</c> (the host may set it from <c>HH_SOURCE</c>).
    /// </summary>
    public string Source { get; init; } = DefaultSource;
}
