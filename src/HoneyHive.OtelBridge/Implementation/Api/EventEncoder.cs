// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

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
            JsonSerializer.Serialize(this.writer, request, HoneyHiveJsonContext.Default.EventRequest);
            this.writer.Flush();
            return this.buffer.WrittenSpan.ToArray();
        }
        finally
        {
            this.writer.Reset();
            this.buffer.Clear();
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

    public void Dispose()
    {
        this.writer.Dispose();
        this.buffer.Dispose();
    }
}
