// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using Google.Protobuf;
using HoneyHive.OtelBridge.Implementation.Otlp;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Implementation.Spans;
using HoneyHive.OtelBridge.Tests.Implementation.Spans;
using static HoneyHive.OtelBridge.Tests.Implementation.Otlp.ProtobufWire;

namespace HoneyHive.OtelBridge.Tests.Implementation.Otlp;

/// <summary>
/// The decoder against its definition: for any bytes, <c>ExportTraceServiceRequest.Parser.ParseFrom(bytes).ToSpanRecords(limits)</c>,
/// the same spans and rejections, or the same refusal.
/// </summary>
public sealed class OtlpProtobufDecoderTests
{
    private static readonly byte[] TraceId = Convert.FromHexString("5b8efff798038103d269b633813fc60c");
    private static readonly byte[] SpanId = Convert.FromHexString("eee19b7ec3c1b174");
    private static readonly byte[] ParentId = Convert.FromHexString("eee19b7ec3c1b173");

    public static TheoryData<string> EdgeCaseNames => [.. EdgeCases().Keys];

    public static TheoryData<string> MalformedNames => [.. Malformed().Keys];

    [Theory]
    [MemberData(nameof(EdgeCaseNames))]
    public void Decode_EdgeCase_SameAsParseFromToSpanRecords(string name)
    {
        // Arrange
        var (bytes, limits) = EdgeCases()[name];

        // Act
        var decoded = OtlpProtobufDecoder.TryDecode(bytes, limits, out var actual);

        // Assert
        Assert.True(decoded);
        var expected = ExportTraceServiceRequest.Parser.ParseFrom(bytes).ToSpanRecords(limits);
        AssertSameResult(expected, actual!);
        AssertSameResult(expected, OtlpProtobufDecoder.DecodeChecked(bytes, limits));
    }

    [Fact]
    public void Decode_SeededRandomRequests_SameAsParseFromToSpanRecords()
    {
        // Arrange
        var requests = new OtlpRandomRequests(20260429);
        var limitChoices = new[]
        {
            OtlpConversionLimits.Default,
            new OtlpConversionLimits { MaxSpans = 3, MaxAttributesPerSpan = 2, MaxAttributeDepth = 2 },
            new OtlpConversionLimits { MaxSpans = 0, MaxAttributeDepth = 1 },
        };

        var accepted = 0;
        for (var n = 0; n < 400; n++)
        {
            var bytes = requests.Request();
            var limits = limitChoices[n % limitChoices.Length];

            // Act and Assert
            accepted += AssertSameOutcome(bytes, limits) ? 1 : 0;
        }

        // Assert: most are valid (the rest hold an invalid UTF-8 string, refused by both).
        Assert.InRange(accepted, 200, 400);
    }

    [Fact]
    public void Decode_EveryTruncation_RefusedOrSameAsParseFrom()
    {
        // Arrange
        var requests = new OtlpRandomRequests(7);
        for (var n = 0; n < 5; n++)
        {
            var bytes = requests.Request();
            for (var length = 0; length < bytes.Length; length++)
            {
                // Act and Assert
                _ = AssertSameOutcome(bytes[..length], OtlpConversionLimits.Default);
            }
        }
    }

    [Fact]
    public void Decode_RandomlyDamagedRequests_RefusedOrSameAsParseFrom()
    {
        // Arrange
        var requests = new OtlpRandomRequests(11);
        var random = new Random(11);
        for (var n = 0; n < 3000; n++)
        {
            var bytes = requests.Request();
            if (bytes.Length == 0)
            {
                continue;
            }

            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = random.Next(3) switch
                {
                    0 => (byte)random.Next(256),
                    1 => 0xFF,
                    _ => (byte)(bytes[random.Next(bytes.Length)] ^ (1 << random.Next(8))),
                };
            }

            // Act and Assert
            _ = AssertSameOutcome(bytes, OtlpConversionLimits.Default);
        }
    }

    [Theory]
    [MemberData(nameof(MalformedNames))]
    public void Decode_Malformed_ThrowsInvalidProtocolBufferExceptionAsParseFrom(string name)
    {
        // Arrange
        var bytes = Malformed()[name];

        // Act
        var decoded = OtlpProtobufDecoder.TryDecode(bytes, OtlpConversionLimits.Default, out _);

        // Assert
        Assert.Throws<InvalidProtocolBufferException>(() => ExportTraceServiceRequest.Parser.ParseFrom(bytes));
        Assert.False(decoded);
        var ours = Assert.Throws<InvalidProtocolBufferException>(() => OtlpProtobufDecoder.Decode(bytes, OtlpConversionLimits.Default));
        var theirs = Assert.Throws<InvalidProtocolBufferException>(() => OtlpProtobufDecoder.ThrowIfInvalid(bytes));
        Assert.Equal(theirs.Message, ours.Message);
    }

    [Theory]
    [InlineData(99, true)]
    [InlineData(100, true)]
    [InlineData(101, false)]
    [InlineData(102, false)]
    public void Decode_NestedMessages_RefusedPastTheRecursionLimitAsParseFrom(int messages, bool valid)
    {
        // Arrange: resource_spans, scope_spans, span, attribute and its value are 5 nested messages; an array adds 2
        // (the array, its element), a key/value list 3 (the list, the pair, its value).
        var value = VarintField(3, 1);
        var nested = 5;
        if ((messages - nested) % 2 == 1)
        {
            value = MessageField(6, MessageField(1, StringField(1, "k"), MessageField(2, value)));
            nested += 3;
        }

        for (; nested < messages; nested += 2)
        {
            value = MessageField(5, MessageField(1, value));
        }

        var bytes = Request(Span(MessageField(9, StringField(1, "k"), MessageField(2, value))));

        // Act
        var decoded = OtlpProtobufDecoder.TryDecode(bytes, OtlpConversionLimits.Default, out _);

        // Assert
        Assert.Equal(valid, ParsesWithGoogle(bytes));
        Assert.Equal(valid, decoded);
        _ = AssertSameOutcome(bytes, OtlpConversionLimits.Default);
    }

    [Theory]
    [InlineData(98)]
    [InlineData(99)]
    [InlineData(100)]
    [InlineData(101)]
    public void Decode_NestedUnknownGroups_RefusedPastTheRecursionLimitAsParseFrom(int groups)
    {
        // Arrange
        var group = VarintField(1, 1);
        for (var g = 0; g < groups; g++)
        {
            group = GroupField(50, group);
        }

        // Act and Assert
        _ = AssertSameOutcome(Request(Span(group)), OtlpConversionLimits.Default);
        _ = AssertSameOutcome(group, OtlpConversionLimits.Default);
    }

    [Fact]
    public void Decode_RepeatedKeys_TakesKeysFromTheCache()
    {
        // Arrange
        var bytes = Request(
            Span(MessageField(9, StringField(1, "gen_ai.request.model"), MessageField(2, StringField(1, "gpt-4o")))),
            Span(MessageField(9, StringField(1, "gen_ai.request.model"), MessageField(2, StringField(1, "gpt-4o"))), BytesField(2, ParentId)));

        // Act
        var spans = OtlpProtobufDecoder.Decode(bytes, OtlpConversionLimits.Default).Spans;

        // Assert
        Assert.Same(spans[0].Attributes[0].Key, spans[1].Attributes[0].Key);
        Assert.Same(spans[0].Name, spans[1].Name);
    }

    private static Dictionary<string, (byte[] Bytes, OtlpConversionLimits Limits)> EdgeCases()
    {
        var d = OtlpConversionLimits.Default;
        var kv = (string key, byte[] value) => MessageField(9, StringField(1, key), MessageField(2, value));
        var deep = VarintField(3, 42);
        for (var level = 0; level < 36; level++)
        {
            deep = MessageField(5, MessageField(1, deep));
        }

        var mixed = VarintField(3, 42);
        for (var level = 0; level < 12; level++)
        {
            mixed = level % 2 == 0
                ? MessageField(5, MessageField(1, mixed))
                : MessageField(6, MessageField(1, StringField(1, "k" + level), MessageField(2, mixed)));
        }

        var cases = new Dictionary<string, (byte[], OtlpConversionLimits)>
        {
            ["empty request"] = ([], d),
            ["one span"] = (Request(Span()), d),
            ["every value kind"] = (Request(Span(
                kv("s", StringField(1, "text")),
                kv("b", VarintField(2, 1)),
                kv("b0", VarintField(2, 0)),
                kv("i", VarintField(3, unchecked((ulong)long.MinValue))),
                kv("d", Fixed64Field(4, (ulong)BitConverter.DoubleToInt64Bits(double.NaN))),
                kv("bytes", BytesField(7, [0, 255])),
                kv("empty bytes", BytesField(7, [])),
                kv("empty string", StringField(1, string.Empty)),
                kv("arr", MessageField(5, MessageField(1, StringField(1, "a")), MessageField(1, VarintField(3, 2)), MessageField(1))),
                kv("empty arr", MessageField(5)),
                kv("kv", MessageField(6, MessageField(1, StringField(1, "x"), MessageField(2, Fixed64Field(4, 0x3FF8000000000000))))),
                kv("empty kv", MessageField(6)),
                kv("empty", []),
                MessageField(9, StringField(1, "absent")),
                MessageField(9, MessageField(2, StringField(1, "no key"))))), d),
            ["nested past the default depth"] = (Request(Span(kv("deep", deep))), d),
            ["nested past depth 3"] = (Request(Span(kv("deep", deep), kv("mixed", mixed))), new OtlpConversionLimits { MaxAttributeDepth = 3 }),
            ["nested lists within the default depth"] = (Request(Span(kv("mixed", mixed))), d),
            ["nested at depth 1"] = (Request(Span(kv("deep", deep), kv("flat", VarintField(3, 1)))), new OtlpConversionLimits { MaxAttributeDepth = 1 }),
            ["invalid ids"] = (Request(
                SpanWithIds(new byte[15], SpanId, []),
                SpanWithIds(new byte[16], SpanId, []),
                SpanWithIds(TraceId, new byte[9], []),
                SpanWithIds(TraceId, new byte[8], []),
                SpanWithIds(TraceId, SpanId, new byte[3]),
                SpanWithIds(TraceId, ParentId, new byte[8]),
                SpanWithIds([], [], [])), d),
            ["times"] = (Request(
                Message(BytesField(1, TraceId), BytesField(2, [1, 0, 0, 0, 0, 0, 0, 1]), Fixed64Field(7, 0), Fixed64Field(8, 5)),
                Message(BytesField(1, TraceId), BytesField(2, [2, 0, 0, 0, 0, 0, 0, 1]), Fixed64Field(7, 10)),
                Message(BytesField(1, TraceId), BytesField(2, [3, 0, 0, 0, 0, 0, 0, 1]), Fixed64Field(7, 10), Fixed64Field(8, 9), kv("a", VarintField(3, 1))),
                Message(BytesField(1, TraceId), BytesField(2, [4, 0, 0, 0, 0, 0, 0, 1]), Fixed64Field(7, ulong.MaxValue), Fixed64Field(8, ulong.MaxValue - 1))), d),
            ["duplicate span ids"] = (Request(Span(), Span(), Span(BytesField(2, ParentId)), Span()), d),
            ["past max spans"] = (Request(Span(), Span(BytesField(2, ParentId)), Span(BytesField(2, [9, 9, 9, 9, 9, 9, 9, 9]))), new OtlpConversionLimits { MaxSpans = 2 }),
            ["past max attributes"] = (Request(Span(kv("a", []), kv("b", [])), Span(BytesField(2, ParentId), kv("a", []))), new OtlpConversionLimits { MaxAttributesPerSpan = 1 }),
            ["more than ten rejected"] = (Request([.. Enumerable.Range(0, 14).Select(_ => SpanWithIds(TraceId, new byte[8], []))]), d),
            ["unknown fields of each wire type"] = (Message(
                VarintField(2, 7),
                MessageField(1,
                    Fixed64Field(9, 1),
                    MessageField(1, Fixed32Field(9, 1), MessageField(1, StringField(1, "r"), GroupField(3, VarintField(1, 1)), MessageField(2, StringField(1, "v"), Fixed32Field(9, 1)))),
                    MessageField(2,
                        GroupField(9, BytesField(1, [1]), GroupField(8)),
                        MessageField(1, StringField(1, "scope"), VarintField(9, 3)),
                        MessageField(2, Span(
                            VarintField(99999, 1),
                            GroupField(536870911),
                            MessageField(11, StringField(2, "ev"), Fixed64Field(1, 5), GroupField(9), MessageField(3, StringField(1, "ek"), VarintField(5, 5))),
                            MessageField(13, BytesField(1, TraceId), BytesField(2, ParentId), Fixed32Field(6, 1), VarintField(5, 1)),
                            MessageField(15, VarintField(3, 2), Fixed64Field(1, 1), StringField(2, "bad")))),
                        VarintField(4, 1)))), d),
            ["wrong wire types for known fields"] = (Request(Span(
                VarintField(1, 5),
                Fixed32Field(5, 5),
                BytesField(6, [1]),
                VarintField(7, 5),
                VarintField(9, 1),
                BytesField(15, [8, 1]),
                kv("v", Message(Fixed64Field(1, 1), BytesField(2, [1]), BytesField(3, [1]), VarintField(4, 1), VarintField(5, 1), Fixed32Field(6, 1), VarintField(7, 1))))), d),
            ["fields given twice"] = (Request(Span(
                StringField(5, "first"),
                StringField(5, "second"),
                VarintField(6, 2),
                VarintField(6, 3),
                MessageField(15, VarintField(3, 2), StringField(2, "error")),
                MessageField(15, StringField(2, string.Empty)),
                MessageField(15, VarintField(3, 1)),
                MessageField(9, StringField(1, "k1"), StringField(1, "k2"), MessageField(2, StringField(1, "v1")), MessageField(2, VarintField(3, 2))),
                kv("array merge", Message(MessageField(5, MessageField(1, VarintField(3, 1))), MessageField(5, MessageField(1, VarintField(3, 2))))),
                kv("array string array", Message(MessageField(5, MessageField(1, VarintField(3, 1))), StringField(1, "s"), MessageField(5, MessageField(1, VarintField(3, 3))))),
                kv("kvlist merge", Message(MessageField(6, MessageField(1, StringField(1, "a"))), GroupField(9), MessageField(6, MessageField(1, StringField(1, "b"))))),
                kv("array then kvlist", Message(MessageField(5, MessageField(1)), MessageField(6, MessageField(1, StringField(1, "b"))))),
                kv("string then array", Message(StringField(1, "s"), MessageField(5))),
                kv("int then empty", Message(VarintField(3, 9), BytesField(99, []))),
                MessageField(9, StringField(1, "value merge"), MessageField(2, MessageField(5, MessageField(1, VarintField(3, 1)))), MessageField(2, MessageField(5, MessageField(1, VarintField(3, 2))))),
                MessageField(9, StringField(1, "value merge replaced"), MessageField(2, StringField(1, "a")), MessageField(2, VarintField(2, 1))),
                BytesField(2, ParentId),
                BytesField(4, SpanId),
                Fixed64Field(7, 3),
                Fixed64Field(8, 2))), d),
            ["resource and scope given twice"] = (Message(MessageField(1,
                MessageField(1, MessageField(1, StringField(1, "service.name"), MessageField(2, StringField(1, "a")))),
                MessageField(2, MessageField(1, StringField(1, "s1"), StringField(2, "v1")), MessageField(1, StringField(1, "s2")), MessageField(2, Span())),
                MessageField(1, MessageField(1, StringField(1, "host"), MessageField(2, StringField(1, "b")))),
                MessageField(2, MessageField(1, StringField(2, "v")), MessageField(1, StringField(2, string.Empty)), MessageField(2, Span(BytesField(2, ParentId)))))), d),
            ["empty resource and scope"] = (Message(
                MessageField(1, MessageField(1), MessageField(2, MessageField(1), MessageField(2, Span()))),
                MessageField(1, MessageField(2, MessageField(2, Span(BytesField(2, ParentId)))), MessageField(2))), d),
            ["fields out of order"] = (Request(Message(
                MessageField(15, VarintField(3, 2)),
                kv("z", VarintField(3, 1)),
                Fixed64Field(8, 2000),
                MessageField(13, BytesField(2, ParentId), BytesField(1, TraceId)),
                kv("a", VarintField(3, 2)),
                MessageField(11, MessageField(3, StringField(1, "e")), Fixed64Field(1, 3), StringField(2, "n")),
                Fixed64Field(7, 1000),
                StringField(5, "late name"),
                BytesField(2, SpanId),
                BytesField(1, TraceId))), d),
            ["links"] = (Request(Span(
                MessageField(13, BytesField(1, TraceId), BytesField(2, ParentId), MessageField(4, StringField(1, "why"))),
                MessageField(13, BytesField(1, new byte[16]), BytesField(2, ParentId)),
                MessageField(13, BytesField(1, TraceId)),
                MessageField(13),
                MessageField(13, BytesField(2, SpanId), BytesField(1, TraceId)))), d),
            ["utf-8 and invalid utf-8 in bytes fields"] = (Request(Span(
                StringField(5, "名前 😀"),
                MessageField(9, StringField(1, "ключ"), MessageField(2, BytesField(7, [0xED, 0xA0, 0x80, 0x41]))),
                BytesField(16, [0xFF]),
                MessageField(15, StringField(2, "ошибка")))), d),
            ["kinds and status codes"] = (Request([.. Enumerable.Range(0, 8).Select(k => Span(
                BytesField(2, [(byte)(k + 1), 1, 1, 1, 1, 1, 1, 1]),
                VarintField(6, k == 7 ? ulong.MaxValue : (ulong)k),
                MessageField(15, VarintField(3, k == 7 ? ulong.MaxValue : (ulong)k))))]), d),
        };
        return cases;
    }

    private static Dictionary<string, byte[]> Malformed()
    {
        var valid = Request(Span(MessageField(9, StringField(1, "k"), MessageField(2, StringField(1, "v")))));
        return new Dictionary<string, byte[]>
        {
            ["tag 0"] = [0],
            ["tag 0 after a field"] = [.. valid, 0, 0],
            ["field 0 length-delimited"] = [.. valid, 2, 0],
            ["field 0 varint"] = [8 >> 3, 0],
            ["wire type 6"] = [.. valid, 14, 0],
            ["wire type 7"] = Request(Span([.. Tag(99, 7), 0])),
            ["end group outside a group"] = [.. valid, .. Tag(1, 4)],
            ["end group in a span"] = Request(Span(Tag(20, 4))),
            ["unclosed group"] = Request(Span(Tag(20, 3), VarintField(1, 1))),
            ["group closed by another field"] = Request(Span(Tag(20, 3), Tag(21, 4))),
            ["varint of eleven bytes"] = Request(Span([.. Tag(6, 0), 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])),
            ["tag varint of eleven bytes"] = [0x8A, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0],
            ["truncated varint"] = [.. Tag(6, 0), 0x80],
            ["truncated fixed64"] = Request(Span([.. Tag(7, 1), 1, 2, 3])),
            ["truncated fixed32"] = [.. Tag(16, 5), 1, 2, 3],
            ["length past the end"] = [10, 5, 0],
            ["length past its message"] = Request(Span([.. Tag(5, 2), 50, 1, 2])),
            ["negative length"] = [.. Tag(1, 2), 0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
            ["negative length of ten bytes"] = [.. Tag(3, 2), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
            ["malformed rejected span"] = Request(SpanWithIds(new byte[3], SpanId, []), Span(MessageField(9, MessageField(2, [0])))),
            ["invalid utf-8 in a span name"] = Request(Span(BytesField(5, [0xFF, 0x41, 0xC3]))),
            ["invalid utf-8 in a key"] = Request(Span(MessageField(9, BytesField(1, [0xE2, 0x82])))),
            ["surrogate in a string value"] = Request(Span(MessageField(9, MessageField(2, BytesField(1, [0xED, 0xA0, 0x80, 0x41]))))),
            ["invalid utf-8 in a status message"] = Request(Span(MessageField(15, BytesField(2, [0xF0, 0x9F, 0x98])))),
            ["invalid utf-8 in a trace state"] = Request(Span(BytesField(3, [0xC0, 0x80]))),
            ["invalid utf-8 in a schema url"] = Message(MessageField(1, BytesField(3, [0xFF]))),
            ["invalid utf-8 in a rejected span"] = Request(SpanWithIds([], [], []), Span(MessageField(11, BytesField(2, [0xFF])))),
            ["malformed in scope attributes"] = Message(MessageField(1, MessageField(2, MessageField(1, MessageField(3, [0xFF]))))),
        };
    }

    private static byte[] Request(params byte[][] spans) =>
        Message(MessageField(1, MessageField(2, [.. spans.Select(s => BytesField(2, s))])));

    private static byte[] Span(params byte[][] more) =>
        Message([BytesField(1, TraceId), BytesField(2, SpanId), StringField(5, "span"), Fixed64Field(7, 1000), Fixed64Field(8, 2000), .. more]);

    private static byte[] SpanWithIds(byte[] traceId, byte[] spanId, byte[] parentId) =>
        Message(BytesField(1, traceId), BytesField(2, spanId), BytesField(4, parentId), Fixed64Field(7, 1000), Fixed64Field(8, 2000));

    private static bool ParsesWithGoogle(byte[] bytes)
    {
        try
        {
            _ = ExportTraceServiceRequest.Parser.ParseFrom(bytes);
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
    }

    private static bool AssertSameOutcome(byte[] bytes, OtlpConversionLimits limits)
    {
        OtlpConversionResult? expected = null;
        try
        {
            expected = ExportTraceServiceRequest.Parser.ParseFrom(bytes).ToSpanRecords(limits);
        }
        catch (InvalidProtocolBufferException)
        {
        }

        var decoded = OtlpProtobufDecoder.TryDecode(bytes, limits, out var actual);
        Assert.True(decoded == expected is not null, $"Google.Protobuf {(expected is null ? "refuses" : "accepts")} {Convert.ToHexString(bytes)}");
        if (expected is not null)
        {
            AssertSameResult(expected, actual!);
            AssertSameResult(expected, OtlpProtobufDecoder.DecodeChecked(bytes, limits));
        }

        return decoded;
    }

    private static void AssertSameResult(OtlpConversionResult expected, OtlpConversionResult actual)
    {
        Assert.Equal(expected.RejectedSpans, actual.RejectedSpans);
        Assert.Equal(expected.ErrorMessage, actual.ErrorMessage);
        Assert.Equal(expected.Spans.Count, actual.Spans.Count);
        for (var i = 0; i < expected.Spans.Count; i++)
        {
            SpanRecordAssert.Equal(expected.Spans[i], actual.Spans[i]);
        }
    }
}
