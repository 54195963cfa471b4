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
        this.writer = new Utf8JsonWriter(this.buffer, ApiJsonWriterOptions.Value);
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
        if (sessionId is not null)
        {
            // Through the splice, as delivery's cross-session bodies get it: the event is written once, as it is.
            var json = this.Encode(request, sessionId, rent, out length, out var withSession, out var withSessionLength);
            if (withSession is null)
            {
                return json;
            }

            if (rent)
            {
                RentedArrays.Return(json);
            }

            length = withSessionLength;
            return withSession;
        }

        ArgumentNullException.ThrowIfNull(request);
        try
        {
            EventJsonWriter.Write(this.writer, request, out _, out _, out _);
            this.writer.Flush();
            length = this.buffer.WrittenSpan.Length;
            return Copy(this.buffer.WrittenSpan, rent);
        }
        finally
        {
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
            withSession = WithSession(json.AsSpan(0, length), splice, sessionId, rent, out withSessionLength);
        }

        return json;
    }

    /// <summary>
    /// An event's JSON with <paramref name="sessionId"/> spliced in where <paramref name="splice"/> says (see
    /// <see cref="EncodeSpliceable"/>), in a new array of its own (exact-size, or rented from <see cref="RentedArrays"/>).
    /// </summary>
    /// <param name="json">The event's JSON.</param>
    /// <param name="splice">Where the session goes (not none).</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="rent">Whether the array is rented (longer than the JSON).</param>
    /// <param name="length">The length of the spliced JSON, from the start of the array.</param>
    /// <returns>The array holding the spliced JSON.</returns>
    public static byte[] WithSession(ReadOnlySpan<byte> json, SessionSplice splice, string sessionId, bool rent, out int length)
    {
        Span<byte> plain = stackalloc byte[SessionSplice.MaxPlainPropertyBytes];
        var property = SessionSplice.Property(sessionId, plain);
        length = splice.SplicedLength(json.Length, property.Length);
        var spliced = rent ? RentedArrays.Rent(length) : new byte[length];
        splice.Write(json, property, spliced);
        return spliced;
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
            length = this.buffer.WrittenSpan.Length;
            var first = Copy(this.buffer.WrittenSpan, rent);

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

    /// <summary>The JSON in an exact-size array, or in one rented from <see cref="RentedArrays"/>.</summary>
    private static byte[] Copy(ReadOnlySpan<byte> json, bool rent)
    {
        if (!rent)
        {
            return json.ToArray();
        }

        var rented = RentedArrays.Rent(json.Length);
        json.CopyTo(rented);
        return rented;
    }

    private void Clear()
    {
        this.writer.Reset();
        this.buffer.Clear();
    }
}
