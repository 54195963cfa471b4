// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers.Binary;
using System.Globalization;

namespace HoneyHive.OtelBridge.Implementation.Durability;

/// <summary>
/// An append-only log of records in a directory: segment files named by the position of their first record
/// (<c>00000000000000000042.hhlog</c>), each an 8-byte header (<c>HHBLOG1\n</c>) then framed records
/// (<c>uint32</c> little-endian payload length, <c>uint32</c> little-endian CRC-32 of the payload, the payload).
/// </summary>
/// <remarks>
/// <para>
/// Positions: a record's position is its segment's first position plus its index in the segment. Positions grow
/// across segments and restarts, so "every position below W is done" deletes exactly the segments whose next
/// segment starts at or below W (and the last one when W reaches <see cref="NextPosition"/>). Each start appends to
/// a new segment; a damaged tail is never appended to.
/// </para>
/// <para>
/// Durability: every append is written and flushed to the operating system before <see cref="TryAppend"/>
/// returns, so a record survives the process crashing or being killed (the failure a bridge meets most). With
/// <see cref="DurableLogOptions.Fsync"/> it is also forced to the disk (surviving power loss), at the cost of one
/// disk flush per accepted export; the Collector's <c>file_storage</c> makes the same trade with its <c>fsync</c>
/// setting, off by default.
/// </para>
/// <para>Not thread-safe: the owner serializes calls.</para>
/// </remarks>
internal sealed class DurableLog : IDisposable
{
    /// <summary>The file name extension of a segment.</summary>
    public const string SegmentExtension = ".hhlog";

    /// <summary>The bytes before a record's payload: length and CRC-32.</summary>
    public const int RecordHeaderBytes = 8;

    /// <summary>The largest payload a record may have; a larger length is read as damage.</summary>
    public const int MaxRecordBytes = 256 * 1024 * 1024;

    private const int FileHeaderBytes = 8;

    private readonly DurableLogOptions options;
    private readonly List<Segment> segments = [];
    private FileStream? active;
    private Segment? activeSegment;
    private long bytesSkipped;
    private long damagedSegments;
    private bool disposed;

    /// <summary>Opens (or creates) the log in <see cref="DurableLogOptions.Directory"/>.</summary>
    /// <param name="options">The options.</param>
    public DurableLog(DurableLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        System.IO.Directory.CreateDirectory(options.Directory);
        foreach (var path in System.IO.Directory.EnumerateFiles(options.Directory, "*" + SegmentExtension))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var first))
            {
                this.segments.Add(new Segment(first, path) { Bytes = new FileInfo(path).Length });
            }
        }

        this.segments.Sort((a, b) => a.FirstPosition.CompareTo(b.FirstPosition));

        // Positions in a segment are dense, so its length bounds how many it can hold; the next position is past
        // them all whatever a damaged tail hides.
        if (this.segments.Count > 0)
        {
            var last = this.segments[^1];
            this.NextPosition = last.FirstPosition + (Math.Max(0, last.Bytes - FileHeaderBytes) / RecordHeaderBytes) + 1;
        }

        this.ExistingSegments = [.. this.segments];
    }

    /// <summary>Gets the directory.</summary>
    public string Directory => this.options.Directory;

    /// <summary>Gets the position the next append will get.</summary>
    public long NextPosition { get; private set; }

    /// <summary>Gets the bytes of all segments on disk (records, headers and damaged tails).</summary>
    public long TotalBytes => this.segments.Sum(s => s.Bytes);

    /// <summary>Gets the number of segment files.</summary>
    public int SegmentCount => this.segments.Count;

    /// <summary>Gets the bytes of damaged tails skipped by <see cref="ReadExisting"/>.</summary>
    public long BytesSkipped => Interlocked.Read(ref this.bytesSkipped);

    /// <summary>Gets the number of segments found damaged by <see cref="ReadExisting"/>.</summary>
    public long DamagedSegments => Interlocked.Read(ref this.damagedSegments);

    /// <summary>Gets the segments that were on disk when the log was opened (the ones to replay).</summary>
    internal IReadOnlyList<Segment> ExistingSegments { get; }

    /// <summary>
    /// Appends a record (written and flushed before returning). Refused when it would take the log past
    /// <see cref="DurableLogOptions.MaxBytes"/>, unless the log is empty (a record larger than the cap is still
    /// taken alone, so it cannot be refused forever).
    /// </summary>
    /// <param name="payload">The record.</param>
    /// <param name="position">The record's position.</param>
    /// <returns><see langword="false"/> when the log is full.</returns>
    public bool TryAppend(ReadOnlySpan<byte> payload, out long position)
    {
        ObjectDisposedException.ThrowIf(this.disposed, this);
        if (payload.Length > MaxRecordBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(payload), payload.Length, "The record is larger than a log record may be.");
        }

        var size = RecordHeaderBytes + payload.Length;
        var total = this.TotalBytes;
        if (total > 0 && total + size > this.options.MaxBytes)
        {
            position = LogPositions.None;
            return false;
        }

        if (this.active is null || this.activeSegment!.Bytes + size > this.options.SegmentBytes)
        {
            this.StartSegment();
        }

        // The header goes into the stream's buffer and the payload straight after it: no copy of the record.
        Span<byte> header = stackalloc byte[RecordHeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32.Compute(payload));
        this.active!.Write(header);
        this.active.Write(payload);
        this.active.Flush(this.options.Fsync);
        this.activeSegment!.Bytes += size;
        position = this.NextPosition++;
        return true;
    }

    /// <summary>Reads the intact records of the segments that existed at open, in order; a damaged tail (a torn
    /// or partial record, a bad CRC, a bad header) is reported, counted and skipped, never thrown.</summary>
    /// <returns>The records with their positions.</returns>
    public IEnumerable<(long Position, byte[] Payload)> ReadExisting()
    {
        foreach (var segment in this.ExistingSegments)
        {
            foreach (var record in this.ReadSegment(segment))
            {
                yield return record;
            }
        }
    }

    /// <summary>Deletes the segments whose every record is below <paramref name="watermark"/> (all done).</summary>
    /// <param name="watermark">The lowest position still needed.</param>
    /// <returns>The bytes removed.</returns>
    public long RemoveBelow(long watermark)
    {
        if (this.disposed)
        {
            return 0;
        }

        long removed = 0;
        var count = 0;
        for (var i = 0; i < this.segments.Count;)
        {
            var segment = this.segments[i];
            var end = i + 1 < this.segments.Count ? this.segments[i + 1].FirstPosition : this.NextPosition;
            if (end > watermark)
            {
                break;
            }

            if (ReferenceEquals(segment, this.activeSegment))
            {
                this.active!.Dispose();
                this.active = null;
                this.activeSegment = null;
            }

            try
            {
                File.Delete(segment.Path);
            }
            catch (IOException ex)
            {
                HoneyHiveExporterEventSource.Log.DeliveryFailed(ex);
                break;
            }

            removed += segment.Bytes;
            count++;
            this.segments.RemoveAt(i);
        }

        if (count > 0)
        {
            HoneyHiveExporterEventSource.Log.LogSegmentsRemoved(count, removed, this.TotalBytes);
        }

        return removed;
    }

    /// <summary>Closes the active segment (the records stay on disk).</summary>
    public void Dispose()
    {
        if (this.disposed)
        {
            return;
        }

        this.disposed = true;
        this.active?.Dispose();
        this.active = null;
    }

    private static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);

    private void StartSegment()
    {
        this.active?.Dispose();
        var path = Path.Combine(this.options.Directory, this.NextPosition.ToString("D20", CultureInfo.InvariantCulture) + SegmentExtension);

        // Other readers (a later start after a crash of this process) must be able to open it meanwhile.
        this.active = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, 1, FileOptions.None);
        this.active.Write("HHBLOG1\n"u8);
        this.active.Flush(this.options.Fsync);
        this.activeSegment = new Segment(this.NextPosition, path) { Bytes = FileHeaderBytes };
        this.segments.Add(this.activeSegment);
    }

    private IEnumerable<(long Position, byte[] Payload)> ReadSegment(Segment segment)
    {
        FileStream stream;
        try
        {
            stream = OpenRead(segment.Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            this.ReportDamage(segment, 0, segment.Bytes, "cannot be opened: " + ex.Message);
            yield break;
        }

        using (stream)
        {
            var length = stream.Length;
            var header = new byte[FileHeaderBytes];
            if (length == 0)
            {
                yield break;
            }

            if (stream.ReadAtLeast(header, FileHeaderBytes, throwOnEndOfStream: false) < FileHeaderBytes || !header.AsSpan().SequenceEqual("HHBLOG1\n"u8))
            {
                this.ReportDamage(segment, 0, length, "not a log segment header");
                yield break;
            }

            long offset = FileHeaderBytes;
            var index = 0L;
            var frame = new byte[RecordHeaderBytes];
            while (offset < length)
            {
                string? damage = null;
                byte[]? payload = null;
                if (length - offset < RecordHeaderBytes)
                {
                    damage = "partial record header";
                }
                else
                {
                    stream.ReadExactly(frame);
                    var size = BinaryPrimitives.ReadUInt32LittleEndian(frame);
                    var crc = BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(4));
                    if (size > MaxRecordBytes || size > length - offset - RecordHeaderBytes)
                    {
                        damage = string.Create(CultureInfo.InvariantCulture, $"record length {size} runs past the end (torn write)");
                    }
                    else
                    {
                        payload = new byte[size];
                        stream.ReadExactly(payload);
                        if (Crc32.Compute(payload) != crc)
                        {
                            damage = "CRC mismatch";
                            payload = null;
                        }
                    }
                }

                if (damage is not null)
                {
                    this.ReportDamage(segment, offset, length - offset, damage);
                    yield break;
                }

                offset += RecordHeaderBytes + payload!.Length;
                yield return (segment.FirstPosition + index, payload);
                index++;
            }
        }
    }

    private void ReportDamage(Segment segment, long offset, long bytes, string reason)
    {
        Interlocked.Add(ref this.bytesSkipped, bytes);
        Interlocked.Increment(ref this.damagedSegments);
        HoneyHiveExporterEventSource.Log.LogDamaged(segment.Path, offset, bytes, reason);
    }

    /// <summary>A segment file.</summary>
    internal sealed class Segment(long firstPosition, string path)
    {
        public long FirstPosition { get; } = firstPosition;

        public string Path { get; } = path;

        public long Bytes { get; set; }
    }
}
