// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Benchmarks.Baselines;

/// <summary>
/// How <c>EventEncoder</c> wrote an event before the hand-written <c>EventJsonWriter</c> (main at 3d069a8): the
/// source-generated serializer (<see cref="HoneyHiveJsonContext"/>), whose <c>JsonObject</c> members are written by
/// <c>JsonObject.WriteTo</c>; and an event without a <c>session_id</c> encoded a second time, whole, with the batch's
/// (what <c>EncodedEvents.Encode</c> did for every mapped event). Kept only as the baseline of
/// <c>EventEncoderBenchmarks</c>.
/// </summary>
internal sealed class EventEncoderBefore : IDisposable
{
    private readonly PooledByteBufferWriter buffer = new(16 * 1024);
    private readonly Utf8JsonWriter writer;

    public EventEncoderBefore()
    {
        this.writer = new Utf8JsonWriter(this.buffer);
    }

    /// <summary>Encodes one event into the encoder's pool, as <c>EventEncoder.EncodeRented</c> did.</summary>
    /// <param name="request">The event.</param>
    /// <param name="sessionId">The session id to write instead of the event's own, or null.</param>
    /// <param name="length">The length of its JSON.</param>
    /// <returns>The rented array.</returns>
    public byte[] EncodeRented(EventRequest request, string? sessionId, out int length)
    {
        var own = request.SessionId;
        if (sessionId is not null)
        {
            request.SessionId = sessionId;
        }

        try
        {
            JsonSerializer.Serialize(this.writer, request, HoneyHiveJsonContext.Default.EventRequest);
            this.writer.Flush();
            var json = this.buffer.WrittenSpan;
            length = json.Length;
            var rented = EventEncoder.RentedArrays.Rent(json.Length);
            json.CopyTo(rented);
            return rented;
        }
        finally
        {
            request.SessionId = own;
            this.writer.Reset();
            this.buffer.Clear();
        }
    }

    public void Dispose()
    {
        this.writer.Dispose();
        this.buffer.Dispose();
    }
}
