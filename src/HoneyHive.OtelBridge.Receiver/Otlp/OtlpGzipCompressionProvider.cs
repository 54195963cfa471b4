// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.IO.Compression;
using Grpc.Core;
using Grpc.Net.Compression;

namespace HoneyHive.OtelBridge.Receiver.Otlp;

/// <summary>
/// The receiver's <c>gzip</c> for gRPC messages, in place of grpc-dotnet's default provider: messages are read by
/// <see cref="GzipBodyStream"/>, so one that is cut short, corrupt or followed by other bytes is refused with
/// <c>INVALID_ARGUMENT</c> and <c>BadRequest</c> details (grpc-dotnet's provider took what a message cut before its
/// trailer held, and answered a corrupt one with <c>UNKNOWN</c>), and one that decompresses past <c>MaxRequestBytes</c>
/// with <c>RESOURCE_EXHAUSTED</c>, as grpc-dotnet does, in the words of OTLP/HTTP's 413.
/// </summary>
internal sealed class OtlpGzipCompressionProvider : ICompressionProvider
{
    private readonly long maxRequestBytes;

    /// <summary>Initializes a new instance of the <see cref="OtlpGzipCompressionProvider"/> class.</summary>
    /// <param name="maxRequestBytes">The most bytes a message may decompress to.</param>
    public OtlpGzipCompressionProvider(long maxRequestBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRequestBytes);
        this.maxRequestBytes = maxRequestBytes;
    }

    public string EncodingName => "gzip";

    public Stream CreateCompressionStream(Stream stream, CompressionLevel? compressionLevel) =>
        new GZipStream(stream, compressionLevel ?? CompressionLevel.Fastest, leaveOpen: true);

    public Stream CreateDecompressionStream(Stream stream) => new StatusGzipBodyStream(stream, this.maxRequestBytes);

    /// <summary>Fails with the gRPC status the OTLP specification asks for, which grpc-dotnet answers as given.</summary>
    private sealed class StatusGzipBodyStream(Stream input, long limit) : GzipBodyStream(input, limit)
    {
        protected override Exception Invalid(string reason) =>
            OtlpErrorStatus.InvalidArgument("The gzip message cannot be decompressed: " + reason).ToRpcException();

        protected override Exception TooLarge(string message) => new RpcException(new Status(StatusCode.ResourceExhausted, message));
    }
}
