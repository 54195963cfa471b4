// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.IO.Compression;
using System.Net.Http.Headers;

namespace HoneyHive.OtelBridge.Receiver.Tests.Otlp;

/// <summary>OTLP/HTTP request bodies for the receiver tests (linked into the end-to-end tests too).</summary>
internal static class OtlpHttpBodies
{
    /// <summary>A body with its content type, gzip-compressed with <c>Content-Encoding: gzip</c> when asked.</summary>
    public static ByteArrayContent Create(byte[] bytes, string contentType, bool gzip)
    {
        if (gzip)
        {
            using var buffer = new MemoryStream();
            using (var zip = new GZipStream(buffer, CompressionLevel.Fastest))
            {
                zip.Write(bytes);
            }

            bytes = buffer.ToArray();
        }

        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        return content;
    }
}
