// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// One HoneyHive API request the bridge makes: what mapping produces, what delivery sends,
/// and what <c>honeyhive-bridge map</c> prints (<c>{"method", "path", "body"}</c>).
/// </summary>
internal abstract class ApiCall
{
    /// <summary>The body buffer a call starts with when it cannot tell its size (a session, an event update).</summary>
    internal const int DefaultBodySizeHint = 16 * 1024;

    /// <summary>Gets the HTTP method.</summary>
    public abstract string Method { get; }

    /// <summary>Gets the path relative to the API base URL, starting with <c>/v1/</c>.</summary>
    public abstract string Path { get; }

    /// <summary>Gets the session this call belongs to (delivery keeps calls of one session in order).</summary>
    public abstract string SessionId { get; }

    /// <summary>
    /// Gets or sets the lowest durable-log position of the spans this call was made from (a merged call takes the
    /// minimum), or <see cref="Durability.LogPositions.None"/> (the default) when none of them is in a log. The
    /// log keeps a record until every call made from it is delivered or given up.
    /// </summary>
    public long LogPosition { get; set; } = Durability.LogPositions.None;

    /// <summary>
    /// Gets or sets when the earliest span this call was made from was accepted (a
    /// <see cref="System.Diagnostics.Stopwatch"/> timestamp), or 0 when unknown. Delivery latency is measured from it.
    /// </summary>
    public long AcceptedTimestamp { get; set; }

    /// <summary>
    /// Gets about how many bytes the body takes, at least (the size its buffer starts with). Event batches written
    /// from their encoded events know it to a few bytes: a 100-event body started at 16 KB grew five times, copying
    /// each time what was written so far.
    /// </summary>
    public virtual int BodySizeHint => DefaultBodySizeHint;

    /// <summary>Writes the JSON body of the request.</summary>
    /// <param name="writer">The writer.</param>
    public abstract void WriteBody(Utf8JsonWriter writer);

    /// <summary>
    /// Releases the pooled documents its events' values are read from, once the call was written for the last time
    /// (only an event batch from mapping has any: sessions and event updates, written again on every retry, own exact
    /// copies). Its trees must not be read afterwards.
    /// </summary>
    public virtual void ReleaseDocuments()
    {
    }

    /// <summary>Gets the JSON body as UTF-8 bytes.</summary>
    /// <returns>The body.</returns>
    /// <remarks>
    /// The body is written into pooled buffers, so the only array left to the GC is the one
    /// returned (a growing <c>ArrayBufferWriter</c> left every smaller copy behind: 4.6x the body).
    /// </remarks>
    public byte[] GetBodyUtf8()
    {
        using var buffer = new PooledByteBufferWriter(this.BodySizeHint);
        using (var writer = new Utf8JsonWriter(buffer, ApiJsonWriterOptions.Value))
        {
            this.WriteBody(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary><c>POST /v1/sessions</c>.</summary>
internal sealed class StartSessionCall(SessionStartRequest request) : ApiCall
{
    public SessionStartRequest Request { get; } = request;

    public override string Method => "POST";

    public override string Path => "/v1/sessions";

    public override string SessionId => this.Request.SessionId ?? string.Empty;

    public override void WriteBody(Utf8JsonWriter writer) => SessionJsonWriter.Write(writer, this.Request);
}

/// <summary><c>POST /v1/sessions/{session_id}/events/batch</c>.</summary>
internal sealed class SessionEventBatchCall(string sessionId, SessionEventBatchRequest request) : ApiCall
{
    public SessionEventBatchRequest Request { get; } = request;

    /// <inheritdoc/>
    public override int BodySizeHint =>
        this.EncodedEvents is { } encoded ? Api.EncodedEvents.BodySizeHint(encoded, this.EncodedLengths, this.SessionSplices) : DefaultBodySizeHint;

    /// <summary>
    /// Gets the compact JSON of each event of <see cref="Request"/>, in order, when the events were encoded once
    /// (delivery does, see <see cref="EncodedEvents"/>); the body is then written from these bytes, and the events of
    /// <see cref="Request"/> keep only their identity (<see cref="EncodedEvents.Identity"/>). Null: the body is
    /// serialized from <see cref="Request"/>.
    /// </summary>
    public IReadOnlyList<byte[]>? EncodedEvents { get; init; }

    /// <summary>
    /// Gets the length of each event's JSON in <see cref="EncodedEvents"/>, from the start of its array, when the arrays
    /// are longer than the JSON (rented: delivery's, see <see cref="EncodedEvents.EncodeRented"/>); null: each array is
    /// exactly its event's JSON.
    /// </summary>
    public IReadOnlyList<int>? EncodedLengths { get; init; }

    /// <summary>
    /// Gets, per event of <see cref="EncodedEvents"/>, where its <c>session_id</c> (its identity's in
    /// <see cref="Request"/>, or this call's session when it has none) is spliced into its JSON as the body is written (<see cref="SessionSplice"/>; none: the
    /// JSON as it is); null: every event's JSON as it is. Delivery's way of sending events that were encoded without
    /// their session (see <see cref="EncodedEvents.EncodeSpliceable"/>) with it.
    /// </summary>
    public IReadOnlyList<SessionSplice>? SessionSplices { get; init; }

    public override string Method => "POST";

    public override string Path => "/v1/sessions/" + this.SessionId + "/events/batch";

    public override string SessionId { get; } = sessionId;

    /// <summary>Releases the pooled documents of the events of <see cref="Request"/>
    /// (<see cref="EventRequest.ReleaseDocuments"/>).</summary>
    public override void ReleaseDocuments()
    {
        foreach (var request in this.Request.Events)
        {
            request.ReleaseDocuments();
        }
    }

    public override void WriteBody(Utf8JsonWriter writer)
    {
        if (this.EncodedEvents is not { } encoded)
        {
            JsonSerializer.Serialize(writer, this.Request, HoneyHiveJsonContext.Api.SessionEventBatchRequest);
            return;
        }

        writer.WriteStartObject();
        Api.EncodedEvents.WriteEventsProperty(writer, encoded, this.EncodedLengths, this.SessionSplices, this.Request.Events, this.SessionId);
        writer.WriteEndObject();
    }
}

/// <summary><c>PUT /v1/events/{event_id}</c>.</summary>
internal sealed class UpdateEventCall(string sessionId, string eventId, EventUpdateRequest request) : ApiCall
{
    public EventUpdateRequest Request { get; } = request;

    public string EventId { get; } = eventId;

    public override string Method => "PUT";

    public override string Path => "/v1/events/" + this.EventId;

    public override string SessionId { get; } = sessionId;

    public override void WriteBody(Utf8JsonWriter writer) =>
        JsonSerializer.Serialize(writer, this.Request, HoneyHiveJsonContext.Api.EventUpdateRequest);
}

/// <summary>
/// Where mapped calls go: delivery implements it; tests and <c>map</c> collect into a list.
/// Calls of one session arrive in the order they must be sent (session first). A sink that writes an event batch for
/// the last time releases its events' pooled documents (<see cref="ApiCall.ReleaseDocuments"/>); one that
/// does not leaves them to the GC.
/// </summary>
internal interface IApiCallSink
{
    /// <summary>Takes the calls of one assembled trace, in order.</summary>
    /// <param name="calls">The calls.</param>
    /// <exception cref="InvalidOperationException">The sink cannot take the calls now (delivery: its queue is full).</exception>
    void Submit(IReadOnlyList<ApiCall> calls);

    /// <summary>
    /// Takes the calls of one assembled trace, in order, if the sink has room for all of them; never blocks.
    /// </summary>
    /// <param name="calls">The calls.</param>
    /// <returns><see langword="true"/> if accepted; <see langword="false"/> if refused (nothing was taken).</returns>
    bool TrySubmit(IReadOnlyList<ApiCall> calls)
    {
        this.Submit(calls);
        return true;
    }

    /// <summary>
    /// Prepares the calls of one assembled trace for a later submission, on the caller's thread: whatever does not
    /// depend on the order in which traces are submitted (delivery encodes the events). Never blocks on the sink's
    /// room. The default keeps the calls as they are.
    /// </summary>
    /// <param name="calls">The calls, in order.</param>
    /// <returns>The prepared calls, for <see cref="Submit(PreparedCalls)"/> or <see cref="TrySubmit(PreparedCalls)"/>.</returns>
    PreparedCalls Prepare(IReadOnlyList<ApiCall> calls) => new(calls);

    /// <summary>Takes calls prepared by <see cref="Prepare"/>, in order (as <see cref="Submit(IReadOnlyList{ApiCall})"/>).</summary>
    /// <param name="prepared">The prepared calls.</param>
    /// <exception cref="InvalidOperationException">The sink cannot take the calls now (delivery: its queue is full);
    /// <paramref name="prepared"/> may be submitted again.</exception>
    void Submit(PreparedCalls prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        this.Submit(prepared.Calls);
    }

    /// <summary>
    /// Takes calls prepared by <see cref="Prepare"/> if the sink has room for all of them; never blocks. A refused set
    /// may be submitted again as it is (nothing is prepared twice).
    /// </summary>
    /// <param name="prepared">The prepared calls.</param>
    /// <returns><see langword="true"/> if accepted; <see langword="false"/> if refused (nothing was taken).</returns>
    bool TrySubmit(PreparedCalls prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        return this.TrySubmit(prepared.Calls);
    }
}
