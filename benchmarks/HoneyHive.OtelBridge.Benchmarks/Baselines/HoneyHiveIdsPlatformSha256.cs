// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace HoneyHive.OtelBridge.Benchmarks.Baselines;

/// <summary>
/// <c>HoneyHiveIds.EventIdForSpan</c> as it was before the one-block managed SHA-256 (the platform's
/// <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/>, OpenSSL on Linux): kept only as a baseline of
/// <c>HoneyHiveIdsBenchmarks</c>.
/// </summary>
internal static class HoneyHiveIdsPlatformSha256
{
    private const string EventNamespace = "honeyhive-otel-bridge/event/v1:";

    public static string EventIdForSpan(ActivityTraceId traceId, ActivitySpanId spanId)
    {
        Span<byte> bytes = stackalloc byte[24];
        traceId.CopyTo(bytes[..16]);
        spanId.CopyTo(bytes[16..]);
        var length = EventNamespace.Length + bytes.Length;
        Span<byte> input = stackalloc byte[length];
        Encoding.ASCII.GetBytes(EventNamespace, input);
        bytes.CopyTo(input[EventNamespace.Length..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x40);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true).ToString("D");
    }
}
