// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

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
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.EncodedEvents is not null)
        {
            throw new ArgumentException("The batch is encoded already.", nameof(batch));
        }

        var events = batch.Request.Events;
        var encoded = new byte[events.Count][];
        var lengths = new int[events.Count];
        var identities = new List<EventRequest>(events.Count);
        byte[]?[]? withSession = null;
        int[]? withSessionLengths = null;
        using (var encoder = new EventEncoder())
        {
            for (var i = 0; i < encoded.Length; i++)
            {
                var request = events[i];
                encoded[i] = encoder.Encode(request, batch.SessionId, rent, out lengths[i], out var json, out var jsonLength);
                if (json is not null)
                {
                    withSession ??= new byte[events.Count][];
                    withSessionLengths ??= new int[events.Count];
                    withSession[i] = json;
                    withSessionLengths[i] = jsonLength;
                }

                identities.Add(Identity(request));
            }
        }

        var call = new SessionEventBatchCall(batch.SessionId, new SessionEventBatchRequest { Events = identities })
        {
            EncodedEvents = encoded,
            EncodedLengths = rent ? lengths : null,
            LogPosition = batch.LogPosition,
            AcceptedTimestamp = batch.AcceptedTimestamp,
        };
        return (call, encoded, lengths, withSession, withSessionLengths);
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
    public static void WriteEventsProperty(Utf8JsonWriter writer, IReadOnlyList<byte[]> events, IReadOnlyList<int>? lengths = null)
    {
        // A writer with other settings than the encoder's (the map command's relaxed escaping, indentation) gets
        // each event re-read and re-written in its own settings; delivery's writer takes the bytes as they are.
        var asIs = writer.Options.Encoder is null && !writer.Options.Indented;
        writer.WritePropertyName("events"u8);
        writer.WriteStartArray();
        for (var i = 0; i < events.Count; i++)
        {
            var json = new ReadOnlyMemory<byte>(events[i], 0, lengths is null ? events[i].Length : lengths[i]);
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
