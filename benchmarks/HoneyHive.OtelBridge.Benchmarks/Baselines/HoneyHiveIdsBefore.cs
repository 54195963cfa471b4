// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace HoneyHive.OtelBridge.Benchmarks.Baselines;

/// <summary>
/// <c>HoneyHiveIds.EventIdForSpan</c> as it was before the allocation-free derivation (commit
/// 22d444a): kept only as the baseline of <c>HoneyHiveIdsBenchmarks</c>.
/// </summary>
internal static class HoneyHiveIdsBefore
{
    private const string EventNamespace = "honeyhive-otel-bridge/event/v1:";

    public static string EventIdForSpan(ActivityTraceId traceId, ActivitySpanId spanId)
    {
        Span<byte> bytes = stackalloc byte[24];
        traceId.CopyTo(bytes[..16]);
        spanId.CopyTo(bytes[16..]);
        return Derive(EventNamespace, bytes);
    }

    private static string Derive(string ns, ReadOnlySpan<byte> id)
    {
        var prefix = Encoding.UTF8.GetBytes(ns);
        var input = new byte[prefix.Length + id.Length];
        prefix.CopyTo(input, 0);
        id.CopyTo(input.AsSpan(prefix.Length));
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x40);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexString(hash[..16]).ToLowerInvariant();
        return hex[..8] + "-" + hex[8..12] + "-" + hex[12..16] + "-" + hex[16..20] + "-" + hex[20..];
    }
}
