// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace HoneyHive.OtelBridge.Implementation.Mapping;

/// <summary>
/// Deterministic HoneyHive ids: the same trace (and span) give the same UUID on any instance,
/// after any restart. Each id is the first 16 bytes of SHA-256 over a fixed namespace string
/// and the id bytes, with the version nibble set to 4 and the RFC 4122 variant bits set, so
/// the API accepts it as a version-4 UUID. Hashing first means two inputs that differ only in
/// the six overwritten bits still give different ids.
/// </summary>
internal static class HoneyHiveIds
{
    private const string SessionNamespace = "honeyhive-otel-bridge/session/v1:";
    private const string EventNamespace = "honeyhive-otel-bridge/event/v1:";
    private const string SessionKeyNamespace = "honeyhive-otel-bridge/session-key/v1:";

    /// <summary>Gets the session id of a trace that names no session of its own.</summary>
    /// <param name="traceId">The trace id.</param>
    /// <returns>A version-4-layout UUID in lowercase <c>8-4-4-4-12</c> form.</returns>
    public static string SessionIdForTrace(ActivityTraceId traceId)
    {
        Span<byte> bytes = stackalloc byte[16];
        traceId.CopyTo(bytes);
        return Derive(SessionNamespace, bytes);
    }

    /// <summary>Gets the event id of a span.</summary>
    /// <param name="traceId">The trace id.</param>
    /// <param name="spanId">The span id.</param>
    /// <returns>A version-4-layout UUID in lowercase <c>8-4-4-4-12</c> form.</returns>
    public static string EventIdForSpan(ActivityTraceId traceId, ActivitySpanId spanId)
    {
        Span<byte> bytes = stackalloc byte[24];

        // CopyTo fills the whole destination it is given: give each id exactly its own bytes.
        traceId.CopyTo(bytes[..16]);
        spanId.CopyTo(bytes[16..]);
        return Derive(EventNamespace, bytes);
    }

    /// <summary>
    /// Gets the session id for an explicit session attribute value: a UUID is used as is
    /// (lowercased); any other string is hashed to a version-4-layout UUID.
    /// </summary>
    /// <param name="value">The attribute value.</param>
    /// <returns>The session id.</returns>
    public static string SessionIdForKey(string value)
    {
        if (Guid.TryParseExact(value.Trim(), "D", out var guid))
        {
            return guid.ToString("D");
        }

        return Derive(SessionKeyNamespace, Encoding.UTF8.GetBytes(value));
    }

    private static string Derive(string ns, ReadOnlySpan<byte> id)
    {
        // Namespaces are ASCII: one byte per char. Small inputs (every trace and span id) hash
        // from the stack; the only allocation is the returned string.
        var length = ns.Length + id.Length;
        Span<byte> input = length <= 256 ? stackalloc byte[length] : new byte[length];
        Encoding.ASCII.GetBytes(ns, input);
        id.CopyTo(input[ns.Length..]);
        Span<byte> hash = stackalloc byte[32];
        if (length <= OneBlockSha256.MaxLength)
        {
            OneBlockSha256.Hash(input, hash);
        }
        else
        {
            SHA256.HashData(input, hash);
        }

        hash[6] = (byte)((hash[6] & 0x0F) | 0x40);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);

        // Big-endian: the 16 bytes print in order, as lowercase 8-4-4-4-12 hex.
        return new Guid(hash[..16], bigEndian: true).ToString("D");
    }
}
