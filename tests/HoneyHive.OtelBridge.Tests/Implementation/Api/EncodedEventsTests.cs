// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Tests.Shared;

namespace HoneyHive.OtelBridge.Tests.Implementation.Api;

public class EncodedEventsTests
{
    private const string SessionId = "00000000-0000-4000-8000-000000000042";

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(100)]
    public void WriteBody_SessionEventBatchFromEncodedEvents_SameBytesAsTheSerializedBatch(int count)
    {
        // Arrange
        var events = Enumerable.Range(0, count).Select(i => TestEvents.Rich(i, SessionId)).ToList();
        var expected = new SessionEventBatchCall(SessionId, new SessionEventBatchRequest { Events = events }).GetBodyUtf8();
        var call = new SessionEventBatchCall(SessionId, new SessionEventBatchRequest { Events = [.. events.Select(EncodedEvents.Identity)] })
        {
            EncodedEvents = Encode(events),
        };

        // Act
        var body = call.GetBodyUtf8();

        // Assert
        Assert.Equal(expected, body);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void WriteBody_CrossSessionBatchFromEncodedEvents_SameBytesAsTheSerializedBatch(bool singleSession, bool sessionProperties)
    {
        // Arrange: the old path set each event's session_id and serialized the batch.
        var events = Enumerable.Range(0, 10).Select(i => TestEvents.Rich(i, "00000000-0000-4000-8000-00000000000" + (i % 3))).ToList();
        var request = new EventBatchRequest
        {
            Events = events,
            SingleSession = singleSession ? false : null,
            SessionProperties = sessionProperties ? new SessionStartRequest { SessionId = SessionId, SessionName = "s ü" } : null,
        };
        var expected = new EventBatchCall(request).GetBodyUtf8();
        var call = new EventBatchCall(new EventBatchRequest
        {
            Events = [.. events.Select(EncodedEvents.Identity)],
            SingleSession = request.SingleSession,
            SessionProperties = request.SessionProperties,
        })
        {
            EncodedEvents = Encode(events),
        };

        // Act
        var body = call.GetBodyUtf8();

        // Assert
        Assert.Equal(expected, body);
        Assert.Equal("00000000-0000-4000-8000-000000000000", call.SessionId);
    }

    [Fact]
    public void WriteBody_WriterWithOtherEscaping_EventsWrittenAsTheSerializerWritesThemThere()
    {
        // Arrange: a writer with the default encoder escapes more than the encoder's.
        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.Default };
        var events = Enumerable.Range(0, 3).Select(i => TestEvents.Rich(i, SessionId)).ToList();
        var call = new SessionEventBatchCall(SessionId, new SessionEventBatchRequest { Events = [.. events.Select(EncodedEvents.Identity)] })
        {
            EncodedEvents = Encode(events),
        };

        // Act
        var body = Write(call, options);

        // Assert
        Assert.Equal(Write(new SessionEventBatchCall(SessionId, new SessionEventBatchRequest { Events = events }), options), body);
    }

    [Fact]
    public void Encode_BatchWithEventsOfItsSessionAndWithout_SameBodyAndTheSessionBytesOnlyWhereMissing()
    {
        // Arrange
        var events = new List<EventRequest> { TestEvents.Rich(1, SessionId), TestEvents.Rich(2, null) };
        var batch = new SessionEventBatchCall(SessionId, new SessionEventBatchRequest { Events = events }) { LogPosition = 7, AcceptedTimestamp = 9 };
        var expectedBody = batch.GetBodyUtf8();
        var withItsSession = TestEvents.Rich(2, null);
        withItsSession.SessionId = SessionId;

        // Act
        var (call, encoded, withSession) = EncodedEvents.Encode(batch);

        // Assert
        Assert.Equal(expectedBody, call.GetBodyUtf8());
        Assert.Same(encoded, call.EncodedEvents);
        Assert.Equal((7L, 9L, SessionId), (call.LogPosition, call.AcceptedTimestamp, call.SessionId));
        Assert.NotNull(withSession);
        Assert.Null(withSession[0]);
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(withItsSession, HoneyHiveJsonContext.Api.EventRequest), withSession[1]);
        Assert.Null(events[1].SessionId);
        Assert.Equal(expectedBody, batch.GetBodyUtf8());
    }

    [Fact]
    public void Encode_EventsOfTheBatchSession_NoSecondEncoding()
    {
        // Arrange
        var batch = new SessionEventBatchCall(SessionId, new SessionEventBatchRequest { Events = [TestEvents.Rich(1, SessionId)] });

        // Act
        var (_, _, withSession) = EncodedEvents.Encode(batch);

        // Assert
        Assert.Null(withSession);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    public void EncodeRented_BatchWithEventsOfItsSessionAndWithout_SameBodiesAsEncode(int count)
    {
        // Arrange
        var events = Enumerable.Range(0, count).Select(i => TestEvents.Rich(i, i % 3 == 1 ? null : SessionId)).ToList();
        var batch = new SessionEventBatchCall(SessionId, new SessionEventBatchRequest { Events = events }) { LogPosition = 7, AcceptedTimestamp = 9 };
        var (exactCall, _, exactWithSession) = EncodedEvents.Encode(batch);

        // Act
        var (call, encoded, lengths, withSession, withSessionLengths) = EncodedEvents.EncodeRented(batch);

        // Assert
        Assert.Equal(exactCall.GetBodyUtf8(), call.GetBodyUtf8());
        Assert.Equal(batch.GetBodyUtf8(), call.GetBodyUtf8());
        Assert.Same(encoded, call.EncodedEvents);
        Assert.Same(lengths, call.EncodedLengths);
        Assert.Equal((7L, 9L, SessionId), (call.LogPosition, call.AcceptedTimestamp, call.SessionId));
        Assert.Equal(exactWithSession is null, withSession is null);
        for (var i = 0; i < count; i++)
        {
            var expected = exactWithSession?[i];
            var actual = withSession?[i] is { } json ? json.AsSpan(0, withSessionLengths![i]).ToArray() : null;
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [InlineData(SessionId)]
    [InlineData("conv/\"quoted\" <tag> & é – 日本 \u2028 😀")]
    [InlineData("lone \ud83d high")]
    [InlineData("")]
    public void EncodeSpliceable_BatchWithEventsOfNoOwnAndOtherSessions_SplicedBodyIsTheSerializedBatchWithTheSession(string sessionId)
    {
        // Arrange: events without a session, with the batch's, with another one; and one with nothing before the
        // session (only what comes after it), and one with nothing at all.
        var events = Enumerable.Range(0, 9)
            .Select(i => TestEvents.Rich(i, (i % 3) switch { 0 => null, 1 => sessionId, _ => "other \"session\"" }))
            .Append(new EventRequest { Inputs = null!, ParentId = "p" })
            .Append(new EventRequest { Inputs = null!, SessionId = "own", ParentId = "p" })
            .Append(new EventRequest { Inputs = null! })
            .Append(new EventRequest { Inputs = null!, SessionId = "own" })
            .ToList();
        var batch = new SessionEventBatchCall(sessionId, new SessionEventBatchRequest { Events = events });
        var withTheSession = events.Select(e =>
        {
            var copy = EventCopy(e);
            copy.SessionId = sessionId;
            return copy;
        }).ToList();
        var expected = new EventBatchCall(new EventBatchRequest { Events = withTheSession }).GetBodyUtf8();
        var expectedRelaxed = Write(new EventBatchCall(new EventBatchRequest { Events = withTheSession }), new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true });

        // Act
        var (call, encoded, lengths, splices) = EncodedEvents.EncodeSpliceable(batch, rent: true);
        var identities = call.Request.Events.Select(e =>
        {
            e.SessionId = sessionId;
            return e;
        }).ToList();
        var spliced = new EventBatchCall(new EventBatchRequest { Events = identities })
        {
            EncodedEvents = encoded,
            EncodedLengths = lengths,
            SessionSplices = splices,
        };
        var body = spliced.GetBodyUtf8();
        var relaxed = Write(spliced, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true });

        // Assert: the own JSON of each event once; spliced, the batch of the events with the batch's session.
        Assert.NotNull(splices);
        Assert.Equal(events.Select(e => e.SessionId == sessionId), splices.Select(splice => splice.IsNone));
        Assert.Equal(expected, body);
        Assert.Equal(expectedRelaxed, relaxed);
        Assert.Equal(new SessionEventBatchCall(sessionId, new SessionEventBatchRequest { Events = events }).GetBodyUtf8(), call.GetBodyUtf8());
        Assert.InRange(spliced.BodySizeHint - body.Length, 0, 1024 + (SessionSplice.MaxPlainPropertyBytes * events.Count));
        Assert.InRange(call.BodySizeHint - call.GetBodyUtf8().Length, 0, 1024 + events.Count);
    }

    [Fact]
    public void GetBodyUtf8_EncodedEvents_TheirBytesAsTheyAre()
    {
        // Arrange: JSON no writer of the bridge writes (an escape where none is needed, a number's own form), so a
        // body that re-read and re-wrote each event would show it: delivery's bodies take the encoded bytes whole.
        var json = "{\"event_type\":\"chain\",\"inputs\":{\"a\":\"\\u0041\",\"n\":1.50}}"u8.ToArray();
        var call = new EventBatchCall(new EventBatchRequest { Events = [new EventRequest { EventType = EventTypes.Chain }] })
        {
            EncodedEvents = [json],
        };

        // Act
        var body = System.Text.Encoding.UTF8.GetString(call.GetBodyUtf8());

        // Assert
        Assert.Equal("{\"events\":[" + System.Text.Encoding.UTF8.GetString(json) + "]}", body);
    }

    [Fact]
    public void WriteBody_EventBatchWithLengths_WritesOnlyTheJsonOfEachArray()
    {
        // Arrange
        var events = Enumerable.Range(0, 3).Select(i => TestEvents.Rich(i, SessionId)).ToList();
        var exact = Encode(events);
        var padded = exact.Select(json => json.Concat("garbage after the JSON"u8.ToArray()).ToArray()).ToArray();
        var call = new EventBatchCall(new EventBatchRequest { Events = [.. events.Select(EncodedEvents.Identity)] })
        {
            EncodedEvents = padded,
            EncodedLengths = [.. exact.Select(json => json.Length)],
        };

        // Act
        var body = call.GetBodyUtf8();

        // Assert
        Assert.Equal(new EventBatchCall(new EventBatchRequest { Events = events }).GetBodyUtf8(), body);
    }

    [Fact]
    public void Identity_RichEvent_KeepsTheIdentityAndDropsEveryTree()
    {
        // Arrange
        var request = TestEvents.Rich(4, SessionId);

        // Act
        var identity = EncodedEvents.Identity(request);

        // Assert
        Assert.Equal(
            (request.EventType, request.EventId, request.SessionId, request.ParentId, request.EventName),
            (identity.EventType, identity.EventId, identity.SessionId, identity.ParentId, identity.EventName));
        Assert.Empty(identity.Inputs);
        Assert.Null(identity.Outputs);
        Assert.Null(identity.Config);
        Assert.Null(identity.Metadata);
        Assert.Null(identity.Metrics);
    }

    private static EventRequest EventCopy(EventRequest e)
    {
        var copy = JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(e, HoneyHiveJsonContext.Api.EventRequest), HoneyHiveJsonContext.Api.EventRequest)!;
        copy.Inputs = e.Inputs is null ? null! : copy.Inputs;
        return copy;
    }

    private static byte[][] Encode(List<EventRequest> events)
    {
        using var encoder = new EventEncoder();
        return [.. events.Select(encoder.Encode)];
    }

    private static byte[] Write(ApiCall call, JsonWriterOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, options))
        {
            call.WriteBody(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
