// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Benchmarks.Baselines;

/// <summary>
/// How delivery encoded a session event batch before the session was spliced in at write time (main at 3182de5,
/// <c>EncodedEvents.EncodeRented</c> with <c>EventEncoder.Encode(..., out withSession, ...)</c>): each event's JSON
/// in a rented array and, for an event without the batch's <c>session_id</c> (every mapped event), a second rented
/// array with it, spliced from the first; both kept in the queue. Kept only as the baseline of
/// <c>ExporterStageBenchmarks</c>.
/// </summary>
internal sealed class EncodedEventsBefore : IDisposable
{
    private readonly PooledByteBufferWriter buffer = new(16 * 1024);
    private readonly Utf8JsonWriter writer;

    public EncodedEventsBefore()
    {
        this.writer = new Utf8JsonWriter(this.buffer);
    }

    /// <summary>Encodes a batch as <c>EncodedEvents.EncodeRented</c> did (new call, identities, both arrays).</summary>
    /// <param name="batch">The batch.</param>
    /// <returns>The call, the arrays, their lengths, and the with-session arrays and their lengths.</returns>
    public static (SessionEventBatchCall Call, byte[][] Events, int[] Lengths, byte[]?[]? WithSession, int[]? WithSessionLengths) EncodeRented(SessionEventBatchCall batch)
    {
        using var encoder = new EncodedEventsBefore();
        var events = batch.Request.Events;
        var encoded = new byte[events.Count][];
        var lengths = new int[events.Count];
        var identities = new List<EventRequest>(events.Count);
        byte[]?[]? withSession = null;
        int[]? withSessionLengths = null;
        for (var i = 0; i < encoded.Length; i++)
        {
            var request = events[i];
            encoded[i] = encoder.Encode(request, batch.SessionId, out lengths[i], out var json, out var jsonLength);
            if (json is not null)
            {
                withSession ??= new byte[events.Count][];
                withSessionLengths ??= new int[events.Count];
                withSession[i] = json;
                withSessionLengths[i] = jsonLength;
            }

            identities.Add(EncodedEvents.Identity(request));
        }

        var call = new SessionEventBatchCall(batch.SessionId, new SessionEventBatchRequest { Events = identities })
        {
            EncodedEvents = encoded,
            EncodedLengths = lengths,
            LogPosition = batch.LogPosition,
            AcceptedTimestamp = batch.AcceptedTimestamp,
        };
        return (call, encoded, lengths, withSession, withSessionLengths);
    }

    public void Dispose()
    {
        this.writer.Dispose();
        this.buffer.Dispose();
    }

    /// <summary>Main's <c>EventEncoder.Encode(request, sessionId, rent: true, ...)</c> for an event without a session
    /// of its own (every mapped event; the benchmark's events have none).</summary>
    private byte[] Encode(EventRequest request, string sessionId, out int length, out byte[]? withSession, out int withSessionLength)
    {
        try
        {
            EventJsonWriter.Write(this.writer, request, out var slot, out var before, out var after);
            this.writer.Flush();
            var jsonLength = this.buffer.WrittenSpan.Length;
            this.writer.Reset();
            this.writer.WriteStartObject();
            this.writer.WriteString("session_id"u8, sessionId);
            this.writer.WriteEndObject();
            this.writer.Flush();
            var written = this.buffer.WrittenSpan;
            var json = written[..jsonLength];
            var property = written[(jsonLength + 1)..^1];

            length = json.Length;
            var first = EventEncoder.RentedArrays.Rent(length);
            json.CopyTo(first);

            var at = checked((int)slot);
            withSessionLength = length + property.Length + (before || after ? 1 : 0);
            var second = EventEncoder.RentedArrays.Rent(withSessionLength);
            var rest = second.AsSpan();
            json[..at].CopyTo(rest);
            rest = rest[at..];
            if (before)
            {
                rest[0] = (byte)',';
                rest = rest[1..];
            }

            property.CopyTo(rest);
            rest = rest[property.Length..];
            if (!before && after)
            {
                rest[0] = (byte)',';
                rest = rest[1..];
            }

            json[at..].CopyTo(rest);
            withSession = second;
            return first;
        }
        finally
        {
            this.writer.Reset();
            this.buffer.Clear();
        }
    }
}
