// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Text.Json;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// Events encoded once into compact UTF-8 JSON (the source-generated <see cref="HoneyHiveJsonContext"/>, so the bytes
/// are those the batch serializer writes for each event), and batch bodies written from those bytes. Delivery encodes
/// the events of a session event batch when it takes the call and then keeps only the bytes, never the
/// <see cref="EventRequest"/> trees: sizing, merging, splitting and every retry reuse them.
/// </summary>
internal static class EncodedEvents
{
    /// <summary>
    /// Encodes the events of a session event batch: a new call whose <see cref="SessionEventBatchCall.EncodedEvents"/>
    /// hold each event's JSON and whose events keep only their identity (<see cref="Identity"/>), so the
    /// <see cref="EventRequest"/> trees of <paramref name="batch"/> can be let go; <paramref name="batch"/> is left as
    /// it was.
    /// </summary>
    /// <param name="batch">The batch, not encoded yet.</param>
    /// <returns>
    /// The encoded call; its events' JSON (the array behind its <see cref="SessionEventBatchCall.EncodedEvents"/>);
    /// and, per event, its JSON with the batch's <c>session_id</c> where the event's own differs (what a cross-session
    /// batch sends for it), or null when every event has the batch's session (mapped events have none, so not them).
    /// </returns>
    public static (SessionEventBatchCall Call, byte[][] Events, byte[]?[]? WithSession) Encode(SessionEventBatchCall batch)
    {
        var (call, events, _, withSession, _) = Encode(batch, rent: false);
        return (call, events, withSession);
    }

    /// <summary>
    /// <see cref="Encode(SessionEventBatchCall)"/> into arrays rented from <see cref="EventEncoder.RentedArrays"/>, longer
    /// than the JSON they hold (delivery's way: it returns them once the events were delivered or given up).
    /// </summary>
    /// <param name="batch">The batch, not encoded yet.</param>
    /// <returns>As <see cref="Encode(SessionEventBatchCall, bool)"/> with <c>rent</c> set.</returns>
    public static (SessionEventBatchCall Call, byte[][] Events, int[] Lengths, byte[]?[]? WithSession, int[]? WithSessionLengths) EncodeRented(SessionEventBatchCall batch) =>
        Encode(batch, rent: true);

    /// <summary>
    /// Encodes the events of a session event batch (see <see cref="Encode(SessionEventBatchCall)"/>), into exact-size
    /// arrays or into arrays rented from <see cref="EventEncoder.RentedArrays"/>; a rented call's
    /// <see cref="SessionEventBatchCall.EncodedLengths"/> are the lengths, an exact one's are null (each array is its
    /// JSON).
    /// </summary>
    /// <param name="batch">The batch, not encoded yet.</param>
    /// <param name="rent">Whether the arrays are rented.</param>
    /// <returns>
    /// The encoded call; its events' arrays and the length of the JSON in each; and, per event, its JSON with the
    /// batch's <c>session_id</c> where the event's own differs, with its length (both null when every event has the
    /// batch's session; mapped events have no session of their own, so theirs are not null).
    /// </returns>
    public static (SessionEventBatchCall Call, byte[][] Events, int[] Lengths, byte[]?[]? WithSession, int[]? WithSessionLengths) Encode(SessionEventBatchCall batch, bool rent)
    {
        // Each event written once; its JSON with the batch's session spliced from it, as a cross-session body gets it.
        var (call, encoded, lengths, splices) = EncodeSpliceable(batch, rent);
        byte[]?[]? withSession = null;
        int[]? withSessionLengths = null;
        if (splices is not null)
        {
            withSession = new byte[encoded.Length][];
            withSessionLengths = new int[encoded.Length];
            for (var i = 0; i < encoded.Length; i++)
            {
                if (!splices[i].IsNone)
                {
                    withSession[i] = EventEncoder.WithSession(encoded[i].AsSpan(0, lengths[i]), splices[i], batch.SessionId, rent, out withSessionLengths[i]);
                }
            }
        }

        return (call, encoded, lengths, withSession, withSessionLengths);
    }

    /// <summary>
    /// Encodes the events of a session event batch once each (delivery's way): a new call as
    /// <see cref="Encode(SessionEventBatchCall, bool)"/> makes, and, per event, where its JSON takes the batch's
    /// <c>session_id</c> (<see cref="SessionSplice"/>) instead of a second JSON with it: a cross-session body splices
    /// the property in while it is written (<see cref="WriteEventsProperty"/>).
    /// </summary>
    /// <param name="batch">The batch, not encoded yet.</param>
    /// <param name="rent">Whether the arrays are rented from <see cref="EventEncoder.RentedArrays"/>.</param>
    /// <returns>
    /// The encoded call; its events' arrays and the length of the JSON in each; and, per event, where the batch's
    /// <c>session_id</c> goes (null when every event has the batch's session; mapped events have none, so not them).
    /// </returns>
    public static (SessionEventBatchCall Call, byte[][] Events, int[] Lengths, SessionSplice[]? Splices) EncodeSpliceable(SessionEventBatchCall batch, bool rent)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.EncodedEvents is not null)
        {
            throw new ArgumentException("The batch is encoded already.", nameof(batch));
        }

        var events = batch.Request.Events;
        var encoded = new byte[events.Count][];
        var lengths = new int[events.Count];
        var identities = new List<EventRequest>(events.Count);
        SessionSplice[]? splices = null;
        var done = 0;
        try
        {
            using var encoder = new EventEncoder();
            for (; done < encoded.Length; done++)
            {
                var request = events[done];
                encoded[done] = encoder.EncodeSpliceable(request, batch.SessionId, rent, out lengths[done], out var splice);
                if (!splice.IsNone)
                {
                    splices ??= new SessionSplice[events.Count];
                    splices[done] = splice;
                }

                identities.Add(Identity(request));
            }
        }
        catch when (rent)
        {
            // An event the writer refuses (a non-finite number): the arrays rented so far go back.
            for (var i = 0; i < done; i++)
            {
                EventEncoder.RentedArrays.Return(encoded[i]);
            }

            throw;
        }

        var call = new SessionEventBatchCall(batch.SessionId, new SessionEventBatchRequest { Events = identities })
        {
            EncodedEvents = encoded,
            EncodedLengths = rent ? lengths : null,
            LogPosition = batch.LogPosition,
            AcceptedTimestamp = batch.AcceptedTimestamp,
        };
        return (call, encoded, lengths, splices);
    }

    /// <summary>
    /// What is kept of an encoded event besides its bytes: the fields delivery and its listeners read (type, id,
    /// session, parent, name); <c>inputs</c> is left empty and every other tree is dropped.
    /// </summary>
    /// <param name="request">The event.</param>
    /// <returns>A new event with its identity only.</returns>
    public static EventRequest Identity(EventRequest request) => new()
    {
        EventType = request.EventType,
        EventId = request.EventId,
        SessionId = request.SessionId,
        ParentId = request.ParentId,
        EventName = request.EventName,
    };

    /// <summary>Writes <c>"events":[...]</c> (the property and its array) from encoded events.</summary>
    /// <param name="writer">The writer, inside the body object.</param>
    /// <param name="events">The encoded events.</param>
    /// <param name="lengths">The length of each event's JSON from the start of its array; null: the whole arrays.</param>
    /// <param name="splices">
    /// Per event, where its <c>session_id</c> is spliced into its JSON as it is written (<see cref="SessionSplice"/>;
    /// none: as it is); null: every event as it is.
    /// </param>
    /// <param name="identities">The events' identities, whose <c>session_id</c> is spliced (with <paramref name="splices"/>).</param>
    /// <param name="sessionId">The session spliced into an event whose identity has none.</param>
    public static void WriteEventsProperty(
        Utf8JsonWriter writer,
        IReadOnlyList<byte[]> events,
        IReadOnlyList<int>? lengths = null,
        IReadOnlyList<SessionSplice>? splices = null,
        IReadOnlyList<EventRequest>? identities = null,
        string? sessionId = null)
    {
        // A writer with other settings than the encoder's (another escaping, indentation) gets each event re-read and
        // re-written in its own settings; delivery's writer (ApiJsonWriterOptions) takes the bytes as they are.
        var asIs = ReferenceEquals(writer.Options.Encoder, ApiJsonWriterOptions.Encoder) && !writer.Options.Indented;
        byte[]? scratch = null;
        string? propertySession = null;
        Span<byte> plainProperty = stackalloc byte[SessionSplice.MaxPlainPropertyBytes];
        ReadOnlySpan<byte> property = plainProperty[..0];
        try
        {
            writer.WritePropertyName("events"u8);
            writer.WriteStartArray();
            for (var i = 0; i < events.Count; i++)
            {
                var json = new ReadOnlyMemory<byte>(events[i], 0, lengths is null ? events[i].Length : lengths[i]);
                if (splices is not null && splices[i] is { IsNone: false } splice)
                {
                    // Spliced into one scratch array for the whole body (the writer takes a value whole), not an array
                    // per event.
                    var session = identities?[i].SessionId ?? sessionId
                        ?? throw new InvalidOperationException("An event to write with its session has no session id.");
                    if (!string.Equals(session, propertySession, StringComparison.Ordinal))
                    {
                        // A UUID is written as it is, without an array; another id through the writer, once a run.
                        propertySession = session;
                        property = SessionSplice.Property(session, plainProperty);
                    }

                    var needed = splice.SplicedLength(json.Length, property.Length);
                    if (scratch is null || scratch.Length < needed)
                    {
                        if (scratch is not null)
                        {
                            ArrayPool<byte>.Shared.Return(scratch);
                        }

                        scratch = null;
                        scratch = ArrayPool<byte>.Shared.Rent(needed);
                    }

                    json = new ReadOnlyMemory<byte>(scratch, 0, splice.Write(json.Span, property, scratch));
                }

                if (asIs)
                {
                    writer.WriteRawValue(json.Span, skipInputValidation: true);
                }
                else
                {
                    using var document = JsonDocument.Parse(json);
                    document.RootElement.WriteTo(writer);
                }
            }

            writer.WriteEndArray();
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }

    /// <summary>
    /// The bytes of an <c>events</c> body written from encoded events (<see cref="WriteEventsProperty"/>), or a little
    /// more: each event's JSON, a comma, a spliced <c>session_id</c> property where there is one (at most
    /// <see cref="SessionSplice.MaxPlainPropertyBytes"/> for a plain id), and room for the envelope and the batch's
    /// other properties.
    /// </summary>
    /// <param name="events">The events' arrays.</param>
    /// <param name="lengths">The length of each event's JSON (null: the arrays' lengths).</param>
    /// <param name="splices">Where each event's session goes (null: nowhere).</param>
    /// <returns>The size hint, at most <see cref="Array.MaxLength"/>.</returns>
    public static int BodySizeHint(IReadOnlyList<byte[]> events, IReadOnlyList<int>? lengths, IReadOnlyList<SessionSplice>? splices)
    {
        long bytes = 1024;
        for (var i = 0; i < events.Count; i++)
        {
            bytes += (lengths is null ? events[i].Length : lengths[i]) + 1;
            if (splices is not null && !splices[i].IsNone)
            {
                bytes += SessionSplice.MaxPlainPropertyBytes;
            }
        }

        return (int)Math.Min(bytes, Array.MaxLength);
    }

    /// <summary>Copies <paramref name="count"/> items from <paramref name="start"/>.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="items">The items.</param>
    /// <param name="start">The first index.</param>
    /// <param name="count">How many.</param>
    /// <returns>A new array.</returns>
    public static T[] Slice<T>(IReadOnlyList<T> items, int start, int count)
    {
        var slice = new T[count];
        for (var i = 0; i < count; i++)
        {
            slice[i] = items[start + i];
        }

        return slice;
    }
}
