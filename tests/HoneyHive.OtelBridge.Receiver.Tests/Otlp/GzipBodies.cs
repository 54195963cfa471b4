// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.IO.Compression;

namespace HoneyHive.OtelBridge.Receiver.Tests.Otlp;

/// <summary>Gzip bodies as clients send them, whole or broken in the ways a body can be.</summary>
internal static class GzipBodies
{
    /// <summary>One gzip member, as every OTLP client writes.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> data)
    {
        using var buffer = new MemoryStream();
        using (var zip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            zip.Write(data);
        }

        return buffer.ToArray();
    }

    /// <summary>The data in two gzip members, one after the other (RFC 1952 §2.2; <c>cat a.gz b.gz</c>).</summary>
    public static byte[] CompressInTwoMembers(byte[] data) => [.. Compress(data.AsSpan(0, data.Length / 2)), .. Compress(data.AsSpan(data.Length / 2))];

    /// <summary>A copy of a body with bytes of its compressed data changed (its 10-byte header left alone).</summary>
    public static byte[] Corrupt(byte[] body)
    {
        var corrupt = body.ToArray();
        for (var i = 10; i < Math.Min(corrupt.Length - 8, 50); i++)
        {
            corrupt[i] ^= 0x5A;
        }

        return corrupt;
    }

    /// <summary>A body without its last <paramref name="bytes"/> bytes.</summary>
    public static byte[] Cut(byte[] body, int bytes) => body[..^bytes];
}
