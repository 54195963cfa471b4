// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.IO.Compression;
using Grpc.Net.Compression;

namespace HoneyHive.OtelBridge.Receiver.Tests.Otlp;

/// <summary>
/// A client's <c>gzip</c> for gRPC messages that sends what <paramref name="reshape"/> makes of each message's
/// gzip body: a body cut short, followed by other bytes, or in several members, as a broken or unusual client would.
/// </summary>
internal sealed class ReshapedGzipCompressionProvider(Func<byte[], byte[]> reshape) : ICompressionProvider
{
    public string EncodingName => "gzip";

    public Stream CreateCompressionStream(Stream stream, CompressionLevel? compressionLevel) => new Reshaping(stream, reshape);

    public Stream CreateDecompressionStream(Stream stream) => new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);

    /// <summary>Collects the message and writes its reshaped gzip body when disposed (grpc-dotnet disposes it before sending).</summary>
    private sealed class Reshaping(Stream output, Func<byte[], byte[]> reshape) : MemoryStream
    {
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                output.Write(reshape(this.ToArray()));
            }

            base.Dispose(disposing);
        }
    }
}
