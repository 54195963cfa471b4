// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Assembly;
using HoneyHive.OtelBridge.Implementation.Otlp;
using HoneyHive.OtelBridge.Tests.Implementation.Mapping;

namespace HoneyHive.OtelBridge.Tests.Implementation.Api;

/// <summary>
/// <see cref="EventJsonWriter"/> (through <see cref="EventEncoder"/>) against the source-generated serializer it
/// replaces, <c>JsonSerializer.SerializeToUtf8Bytes(request, HoneyHiveJsonContext.Api.EventRequest)</c>: on random
/// events (every field null or not, nested objects and arrays, names and strings that need escaping, non-ASCII and lone
/// surrogates, numbers of every kind including non-finite doubles, document-backed objects, arrays and values, values of
/// other types and options) and on the mapper's events for the golden traces, the same bytes or the same exception; the
/// same for the event with its batch's <c>session_id</c> spliced in. And <see cref="SessionJsonWriter"/> against
/// <c>HoneyHiveJsonContext.Api.SessionStartRequest</c> the same way, on random sessions and the mapper's.
/// </summary>
public sealed class EventJsonWriterTests
{
    private static readonly string[] Texts =
    [
        string.Empty, "a", "model", "chat \"quoted\" <tag> & 'single'", "caf\u00e9 – 日本", "\u2028\u2029", "tab\tnew\nline\u0001",
        "😀 smile", "back\\slash /", "lone \ud800 high", "lone \udc00 low", "+1", new string('x', 300) + "\n" + new string('é', 200),
    ];

    private static readonly string[] JsonTexts =
    [
        "\"plain\"", "\"caf\\u00e9\"", "\"a\\nb\\t\\\"q\\\" \\\\ \\/\"", "\"\\ud83d\\ude00\"", "1", "1.0", "1e5", "-0", "2.50",
        "12345678901234567890", "0.1E-3", "true", "false", "null", "{}", "[]", "{\"a\":1,\"b\\u0041\":[true,null,\"x\"]}",
        "[1,{\"k\":\"v\\u2028\"},[],\"\\u003c\"]", "{\"nested\":{\"deep\":{\"x\":-1.5e-300}},\"a\":\"b\"}",
    ];

    private static readonly JsonSerializerOptions AsStrings = new() { NumberHandling = JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowNamedFloatingPointLiterals };

    [Property(MaxTest = 1500)]
    public Property Encode_RandomEvent_SerializerBytes()
    {
        return Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            // Arrange
            var random = new Random(seed);
            var request = Event(random);
            using var encoder = new EventEncoder();
            var writeFirst = random.Next(2) == 0;

            // Act
            var expected = writeFirst ? null : Outcome(() => JsonSerializer.SerializeToUtf8Bytes(request, HoneyHiveJsonContext.Api.EventRequest));
            var actual = Outcome(() => encoder.Encode(request));
            expected ??= Outcome(() => JsonSerializer.SerializeToUtf8Bytes(request, HoneyHiveJsonContext.Api.EventRequest));
            var again = Outcome(() => encoder.Encode(request));

            // Assert
            return (expected == actual).Label($"seed {seed}\nexpected: {expected}\nactual:   {actual}")
                .And((again == actual).Label("encoded twice"));
        });
    }

    [Property(MaxTest = 1000)]
    public Property Encode_RandomEventAndBatchSession_BothJsonsAsTheSerializerWritesThem()
    {
        return Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            // Arrange
            var random = new Random(seed);
            var request = Event(random);
            var batchSession = random.Next(4) == 0 ? Pick(random, Texts) : "00000000-0000-4000-8000-00000000000" + random.Next(10);
            using var encoder = new EventEncoder();
            var rent = random.Next(2) == 0;

            // Act
            string actual, actualWithSession;
            try
            {
                var json = encoder.Encode(request, batchSession, rent, out var length, out var withSession, out var withSessionLength);
                actual = Convert.ToHexString(json, 0, length);
                actualWithSession = withSession is null ? "none" : Convert.ToHexString(withSession, 0, withSessionLength);
            }
            catch (Exception e)
            {
                actual = actualWithSession = "threw " + e.GetType().FullName;
            }

            var expected = Outcome(() => JsonSerializer.SerializeToUtf8Bytes(request, HoneyHiveJsonContext.Api.EventRequest));
            var expectedWithSession = "none";
            if (!string.Equals(request.SessionId, batchSession, StringComparison.Ordinal))
            {
                var own = request.SessionId;
                request.SessionId = batchSession;
                expectedWithSession = Outcome(() => JsonSerializer.SerializeToUtf8Bytes(request, HoneyHiveJsonContext.Api.EventRequest));
                request.SessionId = own;
            }

            if (expected.StartsWith("threw", StringComparison.Ordinal) || expectedWithSession.StartsWith("threw", StringComparison.Ordinal))
            {
                // Either throws: the encoder throws (its own exception type is the writer's either way).
                return actual.StartsWith("threw", StringComparison.Ordinal).Label($"seed {seed}: expected a throw, got {actual}");
            }

            // Assert
            return (expected == actual).Label($"seed {seed}\nexpected: {expected}\nactual:   {actual}")
                .And((expectedWithSession == actualWithSession).Label($"with session\nexpected: {expectedWithSession}\nactual:   {actualWithSession}"));
        });
    }

    [Property(MaxTest = 1000)]
    public Property WriteSession_RandomSession_SerializerBytes()
    {
        return Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            // Arrange
            var random = new Random(seed);
            var request = Session(random);

            // Act: the writer first (the serializer makes each field's JsonObject).
            var actual = Outcome(() => Body(new StartSessionCall(request)));
            var expected = Outcome(() => JsonSerializer.SerializeToUtf8Bytes(request, HoneyHiveJsonContext.Api.SessionStartRequest));

            // Assert
            return (expected == actual).Label($"seed {seed}\nexpected: {expected}\nactual:   {actual}");
        });
    }

    [Theory]
    [MemberData(nameof(TraceMapperTests.GoldenTraces), MemberType = typeof(TraceMapperTests))]
    public void WriteSession_MappedGoldenTrace_SerializerBytes(string name)
    {
        // Arrange
        var sessions = Mapped(name).OfType<StartSessionCall>().ToList();

        // Act: each body as delivery writes it (the mapper's fields as they are), then the serializer's.
        var actual = sessions.Select(s => Convert.ToHexString(Body(s))).ToList();
        var expected = sessions.Select(s => Convert.ToHexString(JsonSerializer.SerializeToUtf8Bytes(s.Request, HoneyHiveJsonContext.Api.SessionStartRequest))).ToList();

        // Assert
        Assert.NotEmpty(sessions);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void WriteSession_InBatchSessionProperties_SerializerBytes()
    {
        // Arrange: POST /v1/events/batch carries a session as session_properties.
        var random = new Random(7);
        var request = new EventBatchRequest { Events = [Event(random)], SessionProperties = Session(random) };
        var call = new EventBatchCall(request) { EncodedEvents = [JsonSerializer.SerializeToUtf8Bytes(request.Events[0], HoneyHiveJsonContext.Api.EventRequest)] };

        // Act
        var actual = Body(call);
        var expected = JsonSerializer.SerializeToUtf8Bytes(request, HoneyHiveJsonContext.Api.EventBatchRequest);

        // Assert
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(TraceMapperTests.GoldenTraces), MemberType = typeof(TraceMapperTests))]
    public void Encode_MappedGoldenTrace_SerializerBytesWithAndWithoutSession(string name)
    {
        // Arrange
        var events = MappedEvents(name);
        using var encoder = new EventEncoder();
        var expected = new List<string>();
        var actual = new List<string>();

        // Act: the encoder first, as delivery does (the mapper's fields written as they are), then the serializer (which
        // reads the fields as JsonObjects, made from them).
        foreach (var (sessionId, request) in events)
        {
            var json = encoder.Encode(request, sessionId, rent: true, out var length, out var withSession, out var withSessionLength);
            actual.Add(Convert.ToHexString(json, 0, length));
            actual.Add(withSession is null ? Convert.ToHexString(json, 0, length) : Convert.ToHexString(withSession, 0, withSessionLength));

            expected.Add(Convert.ToHexString(JsonSerializer.SerializeToUtf8Bytes(request, HoneyHiveJsonContext.Api.EventRequest)));
            var own = request.SessionId;
            request.SessionId = sessionId;
            expected.Add(Convert.ToHexString(JsonSerializer.SerializeToUtf8Bytes(request, HoneyHiveJsonContext.Api.EventRequest)));
            request.SessionId = own;
        }

        // Assert
        Assert.NotEmpty(events);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(false, false, false, "{\"session_id\":\"s\\\"1\"}")]
    [InlineData(false, false, true, "{\"session_id\":\"s\\\"1\",\"parent_id\":\"p\"}")]
    [InlineData(true, false, false, "{\"event_type\":\"chain\",\"session_id\":\"s\\\"1\"}")]
    [InlineData(true, true, true, "{\"event_type\":\"chain\",\"inputs\":{},\"session_id\":\"s\\\"1\",\"parent_id\":\"p\"}")]
    public void Encode_SessionSplicedFirstLastOrBetween_SerializerBytes(bool eventType, bool inputs, bool parent, string expected)
    {
        // Arrange
        var request = new EventRequest { EventType = eventType ? EventTypes.Chain : null!, Inputs = inputs ? [] : null!, ParentId = parent ? "p" : null };
        using var encoder = new EventEncoder();

        // Act
        encoder.Encode(request, "s\"1", rent: false, out _, out var withSession, out var withSessionLength);

        // Assert
        Assert.NotNull(withSession);
        Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(withSession, 0, withSessionLength));
        request.SessionId = "s\"1";
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(request, HoneyHiveJsonContext.Api.EventRequest), withSession);
    }

    [Fact]
    public void Encode_DocumentBackedObject_WrittenAsTheDocument()
    {
        // Arrange: names and strings escaped in the text; the document's own forms of numbers.
        using var document = JsonDocument.Parse("{\"b\\u0041\":\"caf\\u00e9\",\"n\":1.50,\"x\":[1e5,-0]}");
        var request = new EventRequest { Inputs = JsonObject.Create(document.RootElement)! };
        using var encoder = new EventEncoder();

        // Act
        var json = encoder.Encode(request);

        // Assert
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(request, HoneyHiveJsonContext.Api.EventRequest), json);
        Assert.Equal("{\"event_type\":\"chain\",\"inputs\":{\"bA\":\"café\",\"n\":1.50,\"x\":[1e5,-0]}}", System.Text.Encoding.UTF8.GetString(json));
    }

    /// <summary>The mapper's events of a golden trace, each with its batch's session id.</summary>
    private static List<(string SessionId, EventRequest Event)> MappedEvents(string name) =>
        [.. Mapped(name).OfType<SessionEventBatchCall>().SelectMany(c => c.Request.Events.Select(e => (c.SessionId, e)))];

    /// <summary>The mapper's calls for a golden trace.</summary>
    private static List<ApiCall> Mapped(string name)
    {
        using var input = new StreamReader(Path.Combine(AppContext.BaseDirectory, "Implementation", "Mapping", "Golden", name + ".otlp.json"));
        var sink = new CollectingSink();
        var assembler = new TraceAssembler(sink, new TraceAssemblerOptions { RootWait = Timeout.InfiniteTimeSpan });
        foreach (var request in OtlpJsonSerializer.ParseLines(input))
        {
            assembler.Add(request.ToSpanRecords().Spans);
        }

        assembler.FlushAll();
        return [.. sink.Calls];
    }

    private static byte[] Body(ApiCall call)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, ApiJsonWriterOptions.Value))
        {
            call.WriteBody(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string Outcome(Func<byte[]> act)
    {
        try
        {
            return Convert.ToHexString(act());
        }
        catch (Exception e)
        {
            return "threw " + e.GetType().FullName;
        }
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static string? MaybeText(Random random) => random.Next(3) == 0 ? null : Pick(random, Texts);

    private static JsonObject? MaybeObject(Random random) => random.Next(3) == 0 ? null : Object(random, depth: 0);

    private static EventRequest Event(Random random)
    {
        var request = new EventRequest
        {
            EventId = MaybeText(random),
            SessionId = random.Next(3) == 0 ? MaybeText(random) : null,
            ParentId = MaybeText(random),
            ChildrenIds = MaybeIds(random),
            EventName = MaybeText(random),
            Source = MaybeText(random),
            Config = MaybeObject(random),
            Outputs = MaybeObject(random),
            Error = MaybeText(random),
            StartTime = random.Next(3) == 0 ? null : Pick(random, [0L, 1L, -1L, long.MaxValue, long.MinValue, 1_700_000_000_123L]),
            EndTime = random.Next(3) == 0 ? null : random.NextInt64(),
            Duration = MaybeDuration(random),
            Metadata = MaybeObject(random),
            Metrics = MaybeObject(random),
            Feedback = MaybeObject(random),
            UserProperties = MaybeObject(random),
            ProjectId = MaybeText(random),
        };
        if (random.Next(8) == 0)
        {
            request.EventType = null!;
        }
        else if (random.Next(2) == 0)
        {
            request.EventType = Pick(random, Texts);
        }

        request.Inputs = random.Next(8) == 0 ? null! : Object(random, depth: 0);

        // Some fields as the mapper makes them: properties not made into a JsonObject (strings and numbers as they are).
        if (random.Next(3) == 0)
        {
            request.InputsField = Fields(random);
        }

        request.ConfigField = SometimesFields(random, request.ConfigField);
        request.OutputsField = SometimesFields(random, request.OutputsField);
        request.MetadataField = SometimesFields(random, request.MetadataField);
        request.MetricsField = SometimesFields(random, request.MetricsField);
        request.FeedbackField = SometimesFields(random, request.FeedbackField);
        request.UserPropertiesField = SometimesFields(random, request.UserPropertiesField);
        return request;
    }

    private static List<string>? MaybeIds(Random random) =>
        random.Next(3) == 0 ? [.. Enumerable.Range(0, random.Next(4)).Select(_ => MaybeText(random)!)] : null;

    /// <summary>A duration, now and then not finite (the writer throws as the serializer does), or none.</summary>
    private static double? MaybeDuration(Random random) =>
        random.Next(3) == 0 ? null : Double(random, allowNonFinite: random.Next(20) == 0);

    private static SessionStartRequest Session(Random random)
    {
        var request = new SessionStartRequest
        {
            SessionId = MaybeText(random),
            SessionName = MaybeText(random),
            EventName = MaybeText(random),
            Source = MaybeText(random),
            StartTime = random.Next(3) == 0 ? null : Pick(random, [0L, -1L, long.MaxValue, long.MinValue, 1_700_000_000_123L]),
            EndTime = random.Next(3) == 0 ? null : random.NextInt64(),
            Duration = MaybeDuration(random),
            Config = MaybeObject(random),
            Inputs = MaybeObject(random),
            Outputs = MaybeObject(random),
            Metadata = MaybeObject(random),
            UserProperties = MaybeObject(random),
            ChildrenIds = MaybeIds(random),
        };

        // Some fields as the mapper makes them (a root span's metadata: properties, with resource a field of its own).
        request.ConfigField = SometimesFields(random, request.ConfigField);
        request.InputsField = SometimesFields(random, request.InputsField);
        request.OutputsField = SometimesFields(random, request.OutputsField);
        request.MetadataField = SometimesFields(random, request.MetadataField);
        request.UserPropertiesField = SometimesFields(random, request.UserPropertiesField);
        return request;
    }

    /// <summary>A third of the time, properties as the mapper makes them instead of <paramref name="field"/>.</summary>
    private static FieldObject? SometimesFields(Random random, FieldObject? field) => random.Next(3) == 0 ? Fields(random) : field;

    private static FieldObject Fields(Random random, int depth = 0)
    {
        var count = random.Next(6);
        var properties = new KeyValuePair<string, FieldValue>[count];
        for (var i = 0; i < count; i++)
        {
            // Each arm cast: JsonNode converts from all of them, so uncast the switch would make every value a node.
            var value = random.Next(6) switch
            {
                0 => (FieldValue)Pick(random, Texts),
                1 => (FieldValue)Pick(random, [0L, -1L, 42L, long.MaxValue, long.MinValue, 9_007_199_254_740_993L]),
                2 => (FieldValue)Double(random, allowNonFinite: random.Next(30) == 0),
                3 => (FieldValue)(random.Next(2) == 0),
                4 when depth < 2 => (FieldValue)Fields(random, depth + 1),
                _ => (FieldValue)Node(random, depth: 1),
            };
            properties[i] = KeyValuePair.Create(Pick(random, Texts) + i, value);
        }

        return new FieldObject(properties);
    }

    private static double Double(Random random, bool allowNonFinite)
    {
        double[] usual = [0.1, 1e300, -0.0, 0.0, 1.0, 250.125, double.Epsilon, double.MaxValue, -1.5e-300, 1.0 / 3, 12345678.9];
        return allowNonFinite && random.Next(2) == 0
            ? Pick(random, [double.NaN, double.PositiveInfinity, double.NegativeInfinity])
            : random.Next(3) == 0 ? random.NextDouble() * Math.Pow(10, random.Next(-20, 20)) : Pick(random, usual);
    }

    private static JsonObject Object(Random random, int depth)
    {
        switch (random.Next(8))
        {
            case 0:
                return JsonObject.Create(JsonDocument.Parse("{\"k\\u0041\":" + Pick(random, JsonTexts) + ",\"z\":" + Pick(random, JsonTexts) + "}").RootElement)!;
            case 1:
                // Parsed, then read (materialized) or changed.
                var parsed = (JsonObject)JsonNode.Parse("{\"a\":" + Pick(random, JsonTexts) + ",\"b\":" + Pick(random, JsonTexts) + "}")!;
                if (random.Next(2) == 0)
                {
                    parsed["added"] = Node(random, depth + 1);
                }
                else
                {
                    _ = parsed.Count;
                }

                return parsed;
            default:
                var obj = new JsonObject();
                var count = random.Next(depth > 2 ? 2 : 5);
                for (var i = 0; i < count; i++)
                {
                    obj[Pick(random, Texts) + i] = Node(random, depth + 1);
                }

                return obj;
        }
    }

    private static JsonArray Array(Random random, int depth)
    {
        if (random.Next(5) == 0)
        {
            return JsonArray.Create(JsonDocument.Parse("[" + Pick(random, JsonTexts) + "," + Pick(random, JsonTexts) + "]").RootElement)!;
        }

        var array = new JsonArray();
        var count = random.Next(depth > 2 ? 2 : 5);
        for (var i = 0; i < count; i++)
        {
            array.Add(Node(random, depth + 1));
        }

        return array;
    }

    private static JsonNode? Node(Random random, int depth)
    {
        var kind = random.Next(depth > 3 ? 14 : 17);
        return kind switch
        {
            0 => null,
            1 => JsonValue.Create(Pick(random, Texts)),
            2 => JsonValue.Create(random.Next(2) == 0),
            3 => JsonValue.Create(random.Next(int.MinValue, int.MaxValue)),
            4 => JsonValue.Create(Pick(random, [0L, -1L, long.MaxValue, long.MinValue, 9_007_199_254_740_993L])),
            5 => JsonValue.Create(Double(random, allowNonFinite: random.Next(30) == 0)),
            6 => JsonValue.Create(Pick(random, [0.1m, 1m, -0.0m, 79228162514264337593543950335m, 1.50m])),
            7 => JsonValue.Create(JsonDocument.Parse(Pick(random, JsonTexts.Where(t => t[0] is not ('{' or '[')).ToList())).RootElement),
            8 => JsonValue.Create((float)Double(random, allowNonFinite: false)),
            9 => JsonValue.Create((short)random.Next(short.MinValue, short.MaxValue)),
            10 => JsonValue.Create(new Guid(random.Next(), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)),
            11 => JsonSerializer.SerializeToNode(Double(random, allowNonFinite: true), AsStrings),
            12 => JsonValue.Create('\u00e9'),
            13 => JsonNode.Parse(Pick(random, JsonTexts)),
            14 => Object(random, depth),
            _ => Array(random, depth),
        };
    }
}
