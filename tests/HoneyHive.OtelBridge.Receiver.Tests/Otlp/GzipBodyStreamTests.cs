// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.IO.Compression;
using System.Security.Cryptography;
using HoneyHive.OtelBridge.Receiver.Otlp;

namespace HoneyHive.OtelBridge.Receiver.Tests.Otlp;

public sealed class GzipBodyStreamTests
{
    private static readonly byte[] Data = [.. RandomNumberGenerator.GetBytes(50_000), .. new byte[150_000]];

    [Fact]
    public void Read_OneMember_TheData()
    {
        // Act
        var output = Decompress(GzipBodies.Compress(Data), limit: Data.Length);

        // Assert
        Assert.Equal(Data, output);
    }

    [Fact]
    public void Read_TwoMembers_TheDataOfBoth()
    {
        // Act
        var output = Decompress(GzipBodies.CompressInTwoMembers(Data), limit: Data.Length);

        // Assert
        Assert.Equal(Data, output);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(500)]
    public void Read_BodyCutShort_InvalidData(int cut)
    {
        // Arrange: GZipStream alone gives all the data (cut 1-8) or the part before the cut without an error.
        var body = GzipBodies.Cut(GzipBodies.Compress(Data), cut);

        // Act
        var ex = Assert.Throws<InvalidDataException>(() => Decompress(body, limit: Data.Length));

        // Assert
        Assert.Contains("cut short", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SecondMemberCutShort_InvalidData()
    {
        // Arrange
        var body = GzipBodies.Cut(GzipBodies.CompressInTwoMembers(Data), 3);

        // Act and assert
        Assert.Throws<InvalidDataException>(() => Decompress(body, limit: Data.Length));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(1)]
    public void Read_TrailerOfOtherData_InvalidData(int fromEnd)
    {
        // Arrange: a wrong CRC-32 (8 bytes from the end) or size (the last byte); zlib checks both as it reads them.
        var body = GzipBodies.Compress(Data);
        body[^fromEnd] ^= 0x01;

        // Act and assert
        Assert.Throws<InvalidDataException>(() => Decompress(body, limit: Data.Length));
    }

    [Fact]
    public void Read_OtherBytesAfterTheMember_InvalidData()
    {
        // Arrange: GZipStream alone skips them.
        byte[] body = [.. GzipBodies.Compress(Data), 1, 2, 3];

        // Act and assert
        Assert.Throws<InvalidDataException>(() => Decompress(body, limit: Data.Length));
    }

    [Fact]
    public void Read_CorruptData_InvalidData()
    {
        // Arrange
        var body = GzipBodies.Corrupt(GzipBodies.Compress(Data));

        // Act and assert
        Assert.Throws<InvalidDataException>(() => Decompress(body, limit: Data.Length));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x1F, 0x8B })]
    public void Read_NoMember_InvalidData(byte[] body)
    {
        // Act and assert
        Assert.Throws<InvalidDataException>(() => Decompress(body, limit: Data.Length));
    }

    [Fact]
    public void Read_DataOverTheLimit_TooLargeBeforeTheBodyIsRead()
    {
        // Arrange: 256 MiB of zeros compress to about 256 KiB.
        var body = CompressZeros(256 * 1024 * 1024);
        using var input = new MemoryStream(body);
        using var gzip = new GzipBodyStream(input, limit: 1024 * 1024);

        // Act
        var ex = Assert.Throws<GzipBodyTooLargeException>(() => gzip.CopyTo(Stream.Null));

        // Assert: it stopped after about the limit's worth of the body.
        Assert.Contains("1048576 bytes", ex.Message, StringComparison.Ordinal);
        Assert.True(input.Position < body.Length / 10, $"{input.Position} of {body.Length} compressed bytes read");
    }

    [Fact]
    public void Read_DataExactlyAtTheLimit_TheData()
    {
        // Act
        var output = Decompress(GzipBodies.Compress(Data), limit: Data.Length);

        // Assert
        Assert.Equal(Data.Length, output.Length);
        Assert.Throws<GzipBodyTooLargeException>(() => Decompress(GzipBodies.Compress(Data), limit: Data.Length - 1));
    }

    [Fact]
    public void Constructor_InputNotSeekable_ArgumentException()
    {
        // Arrange: the trailer is read from the input's end.
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream();

        // Act and assert
        Assert.Throws<ArgumentException>(() => new GzipBodyStream(pipe, limit: 1024));
    }

    [Fact]
    public void Read_BodyAfterOtherBytesInItsStream_TheData()
    {
        // Arrange: the body starts where the stream is, not at its beginning.
        using var input = new MemoryStream([.. "prefix"u8.ToArray(), .. GzipBodies.CompressInTwoMembers(Data)]);
        input.Position = "prefix".Length;
        using var output = new MemoryStream();

        // Act
        using (var gzip = new GzipBodyStream(input, Data.Length))
        {
            gzip.CopyTo(output);
        }

        // Assert
        Assert.Equal(Data, output.ToArray());
    }

    private static byte[] Decompress(byte[] body, long limit)
    {
        using var output = new MemoryStream();
        using (var gzip = new GzipBodyStream(new MemoryStream(body), limit))
        {
            gzip.CopyTo(output);
        }

        return output.ToArray();
    }

    private static byte[] CompressZeros(int length)
    {
        using var buffer = new MemoryStream();
        using (var zip = new GZipStream(buffer, CompressionLevel.Optimal))
        {
            var zeros = new byte[1024 * 1024];
            for (var written = 0; written < length; written += zeros.Length)
            {
                zip.Write(zeros);
            }
        }

        return buffer.ToArray();
    }
}
