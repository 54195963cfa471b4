// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Text.Json;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// Encodes events one by one through one pooled buffer, each into an exact-size array of compact UTF-8 JSON, with
/// <see cref="EventJsonWriter"/>: the bytes the source-generated <see cref="HoneyHiveJsonContext"/> (the batch
/// serializer) writes for the same event. Not thread-safe.
/// </summary>
internal sealed class EventEncoder : IDisposable
{
    private const int InitialBufferBytes = 16 * 1024;

    /// <summary>The longest array <see cref="RentedArrays"/> keeps (a longer event's JSON gets a new array each time).</summary>
    private const int MaxPooledArrayBytes = 64 * 1024;

    /// <summary>How many arrays of each size <see cref="RentedArrays"/> keeps.</summary>
    private const int MaxPooledArraysPerSize = 128;

    private readonly PooledByteBufferWriter buffer = new(InitialBufferBytes);
    private readonly Utf8JsonWriter writer;

    /// <summary>
    /// Gets the pool of the arrays <see cref="EncodeRented"/> fills. Not <see cref="ArrayPool{T}.Shared"/>: delivery
    /// holds an event's array from the moment its batch is queued until its request is done, so a batch needs as many
    /// arrays at once as it has events (90 for the exporter benchmark's 100 spans), more than the shared pool keeps
    /// per size. This one keeps up to 128 arrays of each size up to 64 KB (at most about 16 MB in all, in practice the
    /// few sizes of a workload's events).
    /// </summary>
    public static ArrayPool<byte> RentedArrays { get; } = ArrayPool<byte>.Create(MaxPooledArrayBytes, MaxPooledArraysPerSize);

    public EventEncoder()
    {
        this.writer = new Utf8JsonWriter(this.buffer);
    }

    /// <summary>Encodes one event.</summary>
    /// <param name="request">The event.</param>
    /// <returns>Its compact JSON.</returns>
    public byte[] Encode(EventRequest request) => this.Encode(request, sessionId: null, rent: false, out _);

    /// <summary>
    /// Encodes one event into an array rented from <see cref="RentedArrays"/> (longer than the JSON): the
    /// caller owns it, and returns it once nothing reads it any more (or leaves it to the GC).
    /// </summary>
    /// <param name="request">The event.</param>
    /// <param name="length">The length of its JSON, from the start of the array.</param>
    /// <returns>The rented array holding its compact JSON.</returns>
    public byte[] EncodeRented(EventRequest request, out int length) => this.Encode(request, sessionId: null, rent: true, out length);

    /// <summary>
    /// Encodes one event as it reads with <paramref name="sessionId"/> as its <c>session_id</c>; the event is
    /// changed only while it is encoded.
    /// </summary>
    /// <param name="request">The event.</param>
    /// <param name="sessionId">The session id to write.</param>
    /// <returns>Its compact JSON.</returns>
    public byte[] EncodeWithSession(EventRequest request, string sessionId) => this.Encode(request, sessionId, rent: false, out _);

    /// <summary>
    /// <see cref="EncodeWithSession"/> into a rented array, as <see cref="EncodeRented"/>.
    /// </summary>
    /// <param name="request">The event.</param>
    /// <param name="sessionId">The session id to write.</param>
    /// <param name="length">The length of its JSON.</param>
    /// <returns>The rented array holding its compact JSON.</returns>
    public byte[] EncodeWithSessionRented(EventRequest request, string sessionId, out int length) =>
        this.Encode(request, sessionId, rent: true, out length);

    /// <summary>
    /// Encodes one event, as it reads with <paramref name="sessionId"/> as its <c>session_id</c> when one is given
    /// (the event is changed only while it is encoded), into an exact-size array or one rented from
    /// <see cref="RentedArrays"/>.
    /// </summary>
    /// <param name="request">The event.</param>
    /// <param name="sessionId">The session id to write, or null for the event's own.</param>
    /// <param name="rent">Whether the array is rented (longer than the JSON).</param>
    /// <param name="length">The length of its JSON, from the start of the array.</param>
    /// <returns>The array holding its compact JSON.</returns>
    public byte[] Encode(EventRequest request, string? sessionId, bool rent, out int length)
    {
        var own = sessionId is null ? null : request.SessionId;
        if (sessionId is not null)
        {
            request.SessionId = sessionId;
        }

        try
        {
            var json = this.Write(request);
            length = json.Length;
            if (!rent)
            {
                return json.ToArray();
            }

            var rented = RentedArrays.Rent(json.Length);
            json.CopyTo(rented);
            return rented;
        }
        finally
        {
            if (sessionId is not null)
            {
                request.SessionId = own;
            }

            this.Clear();
        }
    }

    /// <summary>
    /// Encodes one event as <see cref="Encode(EventRequest, string?, bool, out int)"/> without a session, and, when its
    /// own <c>session_id</c> is not <paramref name="sessionId"/>, also as it reads with <paramref name="sessionId"/>:
    /// the first JSON with the property spliced in (see <see cref="EncodeSpliceable"/>), so the event is written once.
    /// </summary>
    /// <param name="request">The event.</param>
    /// <param name="sessionId">The session id of its batch.</param>
    /// <param name="rent">Whether the arrays are rented (longer than the JSON).</param>
    /// <param name="length">The length of its JSON, from the start of the array.</param>
    /// <param name="withSession">Its JSON with <paramref name="sessionId"/>, or null when its own is that.</param>
    /// <param name="withSessionLength">The length of <paramref name="withSession"/>'s JSON (0 when null).</param>
    /// <returns>The array holding its compact JSON.</returns>
    public byte[] Encode(EventRequest request, string sessionId, bool rent, out int length, out byte[]? withSession, out int withSessionLength)
    {
        var json = this.EncodeSpliceable(request, sessionId, rent, out length, out var splice);
        withSession = null;
        withSessionLength = 0;
        if (!splice.IsNone)
        {
            Span<byte> plain = stackalloc byte[128];
            ReadOnlySpan<byte> property = SessionSplice.TryWritePlainProperty(sessionId, plain, out var plainLength)
                ? plain[..plainLength]
                : SessionSplice.Property(sessionId);
            withSessionLength = splice.SplicedLength(length, property.Length);
            withSession = rent ? RentedArrays.Rent(withSessionLength) : new byte[withSessionLength];
            splice.Write(json.AsSpan(0, length), property, withSession);
        }

        return json;
    }

    /// <summary>
    /// Encodes one event as <see cref="Encode(EventRequest, string?, bool, out int)"/> without a session, once, and
    /// reports where its JSON takes <paramref name="sessionId"/> when its own <c>session_id</c> is not that: the
    /// property goes where the serializer puts it (after <c>event_id</c>), in place of the event's own.
    /// </summary>
    /// <param name="request">The event.</param>
    /// <param name="sessionId">The session id of its batch.</param>
    /// <param name="rent">Whether the array is rented (longer than the JSON).</param>
    /// <param name="length">The length of its JSON, from the start of the array.</param>
    /// <param name="splice">Where its JSON takes <paramref name="sessionId"/>; none when its own is that.</param>
    /// <returns>The array holding its compact JSON.</returns>
    public byte[] EncodeSpliceable(EventRequest request, string sessionId, bool rent, out int length, out SessionSplice splice)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(sessionId);
        try
        {
            EventJsonWriter.Write(this.writer, request, out var slot, out var end, out var before, out var after);
            this.writer.Flush();
            var json = this.buffer.WrittenSpan;
            length = json.Length;
            var first = rent ? RentedArrays.Rent(length) : new byte[length];
            json.CopyTo(first);

            var own = request.SessionId;
            splice = string.Equals(own, sessionId, StringComparison.Ordinal)
                ? default

                // The event's own property (with its comma, if one was written before it) is replaced; an event without
                // one takes the comma that separates the property from its neighbours.
                : new SessionSplice(checked((int)slot), checked((int)(end - slot)), before, !before && after && own is null);
            return first;
        }
        finally
        {
            this.Clear();
        }
    }

    public void Dispose()
    {
        this.writer.Dispose();
        this.buffer.Dispose();
    }

    private ReadOnlySpan<byte> Write(EventRequest request)
    {
        EventJsonWriter.Write(this.writer, request, out _, out _, out _);
        this.writer.Flush();
        return this.buffer.WrittenSpan;
    }

    private void Clear()
    {
        this.writer.Reset();
        this.buffer.Clear();
    }
}
