// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Text.Json;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// Encodes events one by one through one pooled buffer, each into an exact-size array of compact UTF-8 JSON, with the
/// source-generated <see cref="HoneyHiveJsonContext"/>: the bytes the batch serializer writes for the same event.
/// Not thread-safe.
/// </summary>
internal sealed class EventEncoder : IDisposable
{
    private const int InitialBufferBytes = 16 * 1024;

    private readonly PooledByteBufferWriter buffer = new(InitialBufferBytes);
    private readonly Utf8JsonWriter writer;

    public EventEncoder()
    {
        this.writer = new Utf8JsonWriter(this.buffer);
    }

    /// <summary>Encodes one event.</summary>
    /// <param name="request">The event.</param>
    /// <returns>Its compact JSON.</returns>
    public byte[] Encode(EventRequest request)
    {
        try
        {
            return this.Write(request).ToArray();
        }
        finally
        {
            this.Clear();
        }
    }

    /// <summary>
    /// Encodes one event into an array rented from <see cref="ArrayPool{T}.Shared"/> (longer than the JSON): the
    /// caller owns it, and returns it once nothing reads it any more (or leaves it to the GC).
    /// </summary>
    /// <param name="request">The event.</param>
    /// <param name="length">The length of its JSON, from the start of the array.</param>
    /// <returns>The rented array holding its compact JSON.</returns>
    public byte[] EncodeRented(EventRequest request, out int length)
    {
        try
        {
            var json = this.Write(request);
            var rented = ArrayPool<byte>.Shared.Rent(json.Length);
            json.CopyTo(rented);
            length = json.Length;
            return rented;
        }
        finally
        {
            this.Clear();
        }
    }

    /// <summary>
    /// Encodes one event as it reads with <paramref name="sessionId"/> as its <c>session_id</c>; the event is
    /// changed only while it is encoded.
    /// </summary>
    /// <param name="request">The event.</param>
    /// <param name="sessionId">The session id to write.</param>
    /// <returns>Its compact JSON.</returns>
    public byte[] EncodeWithSession(EventRequest request, string sessionId)
    {
        var own = request.SessionId;
        request.SessionId = sessionId;
        try
        {
            return this.Encode(request);
        }
        finally
        {
            request.SessionId = own;
        }
    }

    /// <summary>
    /// <see cref="EncodeWithSession"/> into a rented array, as <see cref="EncodeRented"/>.
    /// </summary>
    /// <param name="request">The event.</param>
    /// <param name="sessionId">The session id to write.</param>
    /// <param name="length">The length of its JSON.</param>
    /// <returns>The rented array holding its compact JSON.</returns>
    public byte[] EncodeWithSessionRented(EventRequest request, string sessionId, out int length)
    {
        var own = request.SessionId;
        request.SessionId = sessionId;
        try
        {
            return this.EncodeRented(request, out length);
        }
        finally
        {
            request.SessionId = own;
        }
    }

    public void Dispose()
    {
        this.writer.Dispose();
        this.buffer.Dispose();
    }

    private ReadOnlySpan<byte> Write(EventRequest request)
    {
        JsonSerializer.Serialize(this.writer, request, HoneyHiveJsonContext.Default.EventRequest);
        this.writer.Flush();
        return this.buffer.WrittenSpan;
    }

    private void Clear()
    {
        this.writer.Reset();
        this.buffer.Clear();
    }
}
