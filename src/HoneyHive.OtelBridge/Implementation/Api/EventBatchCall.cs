// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary><c>POST /v1/events/batch</c>: events of any session (each event names its own).</summary>
internal sealed class EventBatchCall(EventBatchRequest request) : ApiCall
{
    public EventBatchRequest Request { get; } = request;

    /// <inheritdoc/>
    public override int BodySizeHint =>
        this.EncodedEvents is { } encoded ? Api.EncodedEvents.BodySizeHint(encoded, this.EncodedLengths, this.SessionSplices) : DefaultBodySizeHint;

    public override string Method => "POST";

    public override string Path => "/v1/events/batch";

    /// <summary>Gets the session of the first event (delivery orders by it), or empty.</summary>
    public override string SessionId =>
        this.Request.Events.Count > 0 ? this.Request.Events[0].SessionId ?? string.Empty : string.Empty;

    /// <summary>
    /// Gets the compact JSON of each event of <see cref="Request"/>, in order and with its <c>session_id</c>, when the
    /// events were encoded once (delivery does, see <see cref="EncodedEvents"/>); the events are then written from
    /// these bytes, and the events of <see cref="Request"/> keep only their identity. Null: the body is serialized
    /// from <see cref="Request"/>.
    /// </summary>
    public IReadOnlyList<byte[]>? EncodedEvents { get; init; }

    /// <summary>
    /// Gets the length of each event's JSON in <see cref="EncodedEvents"/> when the arrays are longer than the JSON
    /// (rented, delivery's); null: each array is exactly its event's JSON.
    /// </summary>
    public IReadOnlyList<int>? EncodedLengths { get; init; }

    /// <summary>
    /// Gets, per event of <see cref="EncodedEvents"/>, where its <c>session_id</c> (its identity's in
    /// <see cref="Request"/>) is spliced into its JSON as the body is written (<see cref="SessionSplice"/>; none: the
    /// JSON as it is); null: every event's JSON as it is. Delivery's way of sending events that were encoded without
    /// their session (see <see cref="EncodedEvents.EncodeSpliceable"/>) with it.
    /// </summary>
    public IReadOnlyList<SessionSplice>? SessionSplices { get; init; }

    public override void WriteBody(Utf8JsonWriter writer)
    {
        if (this.EncodedEvents is not { } encoded)
        {
            JsonSerializer.Serialize(writer, this.Request, HoneyHiveJsonContext.Api.EventBatchRequest);
            return;
        }

        // The order and omissions of the serializer: events, single_session, session_properties; nulls left out.
        writer.WriteStartObject();
        Api.EncodedEvents.WriteEventsProperty(writer, encoded, this.EncodedLengths, this.SessionSplices, this.Request.Events, null);
        if (this.Request.SingleSession is { } singleSession)
        {
            writer.WriteBoolean("single_session"u8, singleSession);
        }

        if (this.Request.SessionProperties is { } properties)
        {
            writer.WritePropertyName("session_properties"u8);
            SessionJsonWriter.Write(writer, properties);
        }

        writer.WriteEndObject();
    }
}
