// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Implementation.Durability;

/// <summary>Settings of a <see cref="DurableLog"/>.</summary>
internal sealed class DurableLogOptions
{
    /// <summary>
    /// The default cap of the log: 1 GiB. At a few KiB per span (LLM spans carry prompts and completions) that
    /// holds hundreds of thousands of spans, an outage of tens of minutes at a busy service's rate, while staying
    /// well inside a typical container volume. Past it the front doors answer with backpressure.
    /// </summary>
    internal const long DefaultMaxBytes = 1024L * 1024 * 1024;

    /// <summary>
    /// The default size of one segment: 16 MiB. Space comes back a segment at a time, so segments are small next
    /// to the cap (64 of them at the default), yet large enough that file creation is rare.
    /// </summary>
    internal const long DefaultSegmentBytes = 16L * 1024 * 1024;

    /// <summary>Gets the directory of the segment files (created if missing).</summary>
    public required string Directory { get; init; }

    /// <summary>Gets the most bytes the log may take on disk (default 1 GiB).</summary>
    public long MaxBytes { get; init; } = DefaultMaxBytes;

    /// <summary>Gets the size at which the log starts a new segment (default 16 MiB, at most the cap).</summary>
    public long SegmentBytes { get; init; } = DefaultSegmentBytes;

    /// <summary>
    /// Gets a value indicating whether each append is forced to the disk (<c>fsync</c>), surviving power loss and
    /// not only a crash of the process (default <see langword="false"/>: flushed to the operating system).
    /// </summary>
    public bool Fsync { get; init; }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(this.Directory, nameof(this.Directory));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.MaxBytes, 1024, nameof(this.MaxBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.SegmentBytes, 64, nameof(this.SegmentBytes));
    }
}
