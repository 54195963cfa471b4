// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.IO.Hashing;

namespace HoneyHive.OtelBridge.Receiver.Otlp;

/// <summary>
/// Reads a gzip request body as the Collector's OTLP receiver (Go's <c>gzip.Reader</c>) does, where .NET's
/// <see cref="GZipStream"/> alone does not: the body must end with the CRC-32 and size of what it held.
/// <see cref="GZipStream"/> ends without an error where its input ends, even in the middle of a member or before its
/// trailer, and skips bytes after the last member: a body cut short (a client that sent its gzip stream before
/// disposing it) was taken as far as it went, and answered as a success when the cut fell between two records of the
/// message. The output is counted against the receiver's size limit as it is produced.
/// </summary>
/// <remarks>
/// A body of several members (RFC 1952 allows it; no OTLP client writes one) is accepted when its last 8 bytes are the
/// CRC-32 and size of the data of its last member: checked by decompressing it again (computing that CRC-32, since
/// where the last member starts in the output is not known otherwise). The input must be seekable (both front doors
/// give one: OTLP/HTTP reads the body whole first, grpc-dotnet hands over the whole message). A broken body throws <see cref="InvalidDataException"/>, one over the limit
/// <see cref="GzipBodyTooLargeException"/>; <see cref="OtlpGzipCompressionProvider"/> turns them into gRPC statuses.
/// </remarks>
internal class GzipBodyStream : Stream
{
    private const int TrailerLength = 8;

    private readonly Stream input;
    private readonly long start;
    private readonly GZipStream gzip;
    private readonly long limit;
    private long produced;
    private bool ended;

    /// <summary>Initializes a new instance of the <see cref="GzipBodyStream"/> class.</summary>
    /// <param name="input">The compressed body, seekable (its trailer is read from its end); left open.</param>
    /// <param name="limit">The most bytes the body may decompress to.</param>
    public GzipBodyStream(Stream input, long limit)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (!input.CanSeek)
        {
            throw new ArgumentException("The body must be seekable: its trailer is read from its end.", nameof(input));
        }

        this.input = input;
        this.start = input.Position;
        this.limit = limit;
        this.gzip = new GZipStream(input, CompressionMode.Decompress, leaveOpen: true);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => this.Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (this.ended || buffer.IsEmpty)
        {
            return 0;
        }

        // One byte past the limit is enough to know the body is over it.
        var room = (int)Math.Min(buffer.Length, this.limit - this.produced + 1);
        int read;
        try
        {
            read = this.gzip.Read(buffer[..room]);
        }
        catch (InvalidDataException ex)
        {
            throw this.Invalid(ex.Message);
        }

        if (read == 0)
        {
            this.ended = true;
            this.CheckEnd();
            return 0;
        }

        this.produced += read;
        if (this.produced > this.limit)
        {
            throw this.TooLarge(string.Create(CultureInfo.InvariantCulture, $"The request is larger than {this.limit} bytes (after decompression)."));
        }

        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>The error for a body that is not whole, well-formed gzip.</summary>
    /// <param name="reason">What is wrong.</param>
    /// <returns>The exception to throw.</returns>
    protected virtual Exception Invalid(string reason) => new InvalidDataException(reason);

    /// <summary>The error for a body that decompresses to more than the limit.</summary>
    /// <param name="message">The message.</param>
    /// <returns>The exception to throw.</returns>
    protected virtual Exception TooLarge(string message) => new GzipBodyTooLargeException(message);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            this.gzip.Dispose();
        }

        base.Dispose(disposing);
    }

    private void CheckEnd()
    {
        // The body's last 8 bytes, wherever GZipStream stopped reading (it skips bytes after the last member).
        if (this.input.Length - this.start < TrailerLength)
        {
            throw this.Invalid("The body is shorter than a gzip member.");
        }

        Span<byte> trailer = stackalloc byte[TrailerLength];
        this.input.Position = this.input.Length - TrailerLength;
        this.input.ReadExactly(trailer);
        var crcOfData = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);

        // zlib checks a member's CRC-32 and size when it reads its trailer (a wrong one throws); what it does not check
        // is that it read one: the body's last 8 bytes must be the trailer of what was decompressed. A body cut short
        // ends in deflate data or part of a trailer, whose size field matches the output only by chance.
        if (size == (uint)this.produced)
        {
            return;
        }

        if (size < this.produced && this.LastMemberMatches(crcOfData, size))
        {
            return;
        }

        throw this.Invalid("The gzip body is cut short or followed by other bytes: it does not end with the CRC-32 and size of its data.");
    }

    /// <summary>Decompresses the body again and checks the trailer against the data of its last <paramref name="size"/> bytes.</summary>
    private bool LastMemberMatches(uint crcOfData, uint size)
    {
        this.input.Position = this.start;
        using var again = new GZipStream(this.input, CompressionMode.Decompress, leaveOpen: true);
        var skip = this.produced - size;
        var last = new Crc32();
        var chunk = new byte[81920];
        int read;
        while ((read = again.Read(chunk)) > 0)
        {
            var from = (int)Math.Min(skip, read);
            skip -= from;
            last.Append(chunk.AsSpan(from, read - from));
        }

        return skip == 0 && last.GetCurrentHashAsUInt32() == crcOfData;
    }
}
