// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using Google.Protobuf;
using HoneyHive.OtelBridge.Implementation.Otlp;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Common.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Resource.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Trace.V1;

namespace HoneyHive.OtelBridge.Tests.Implementation.Otlp;

public sealed class OtlpSpanConversionExtensionsTests
{
    private const string TraceIdHex = "5b8efff798038103d269b633813fc60c";
    private const string SpanIdHex = "eee19b7ec3c1b174";
    private const string ParentSpanIdHex = "eee19b7ec3c1b173";

    [Fact]
    public void ToSpanRecords_EveryValueType_ConvertsToRecordTypes()
    {
        // Arrange
        var span = NewSpan(SpanIdHex);
        var array = new ArrayValue();
        array.Values.Add(new AnyValue { StringValue = "a" });
        array.Values.Add(new AnyValue { IntValue = 2 });
        array.Values.Add(new AnyValue());
        var inner = new KeyValueList();
        inner.Values.Add(Kv("x", new AnyValue { DoubleValue = 1.5 }));
        var kvlist = new KeyValueList();
        kvlist.Values.Add(Kv("inner", new AnyValue { KvlistValue = inner }));
        kvlist.Values.Add(Kv("flag", new AnyValue { BoolValue = false }));
        span.Attributes.Add(Kv("s", new AnyValue { StringValue = "text" }));
        span.Attributes.Add(Kv("b", new AnyValue { BoolValue = true }));
        span.Attributes.Add(Kv("i", new AnyValue { IntValue = long.MinValue }));
        span.Attributes.Add(Kv("d", new AnyValue { DoubleValue = double.NaN }));
        span.Attributes.Add(Kv("bytes", new AnyValue { BytesValue = ByteString.CopyFrom(0, 255) }));
        span.Attributes.Add(Kv("arr", new AnyValue { ArrayValue = array }));
        span.Attributes.Add(Kv("kv", new AnyValue { KvlistValue = kvlist }));
        span.Attributes.Add(Kv("empty", new AnyValue()));
        span.Attributes.Add(new KeyValue { Key = "absent" });

        // Act
        var record = Assert.Single(Request(span).ToSpanRecords().Spans);

        // Assert
        var attributes = record.Attributes;
        Assert.Equal(["s", "b", "i", "d", "bytes", "arr", "kv", "empty", "absent"], attributes.Select(a => a.Key));
        Assert.Equal("text", Assert.IsType<string>(attributes[0].Value));
        Assert.True(Assert.IsType<bool>(attributes[1].Value));
        Assert.Equal(long.MinValue, Assert.IsType<long>(attributes[2].Value));
        Assert.True(double.IsNaN(Assert.IsType<double>(attributes[3].Value)));
        Assert.Equal(new byte[] { 0, 255 }, Assert.IsType<byte[]>(attributes[4].Value));
        var convertedArray = Assert.IsType<object?[]>(attributes[5].Value);
        Assert.Equal(new object?[] { "a", 2L, null }, convertedArray);
        var convertedKv = Assert.IsAssignableFrom<IReadOnlyList<KeyValuePair<string, object?>>>(attributes[6].Value);
        Assert.Equal(["inner", "flag"], convertedKv.Select(a => a.Key));
        var convertedInner = Assert.IsAssignableFrom<IReadOnlyList<KeyValuePair<string, object?>>>(convertedKv[0].Value);
        Assert.Equal(new KeyValuePair<string, object?>("x", 1.5), Assert.Single(convertedInner));
        Assert.False(Assert.IsType<bool>(convertedKv[1].Value));
        Assert.Null(attributes[7].Value);
        Assert.Null(attributes[8].Value);
    }

    [Fact]
    public void ToSpanRecords_Span_CopiesIdsNameTimesEventsAndLinks()
    {
        // Arrange
        var span = NewSpan(SpanIdHex, ParentSpanIdHex);
        span.Name = "chat gpt-4o";
        span.StartTimeUnixNano = 1714492800123456789;
        span.EndTimeUnixNano = 1714492801123456789;
        var ev = new Span.Types.Event { Name = "gen_ai.choice", TimeUnixNano = 1714492800500000000 };
        ev.Attributes.Add(Kv("index", new AnyValue { IntValue = 0 }));
        span.Events.Add(ev);
        var link = new Span.Types.Link { TraceId = Hex("0af7651916cd43dd8448eb211c80319c"), SpanId = Hex("b7ad6b7169203331") };
        link.Attributes.Add(Kv("why", new AnyValue { StringValue = "retry" }));
        span.Links.Add(link);
        span.Links.Add(new Span.Types.Link { TraceId = Hex("00"), SpanId = Hex("b7ad6b7169203331") });

        // Act
        var record = Assert.Single(Request(span).ToSpanRecords().Spans);

        // Assert
        Assert.Equal(TraceIdHex, record.TraceId.ToHexString());
        Assert.Equal(SpanIdHex, record.SpanId.ToHexString());
        Assert.Equal(ParentSpanIdHex, record.ParentSpanId.ToHexString());
        Assert.False(record.IsRoot);
        Assert.Equal("chat gpt-4o", record.Name);
        Assert.Equal(1714492800123456789, record.StartTimeUnixNano);
        Assert.Equal(1714492801123456789, record.EndTimeUnixNano);
        var recordEvent = Assert.Single(record.Events);
        Assert.Equal("gen_ai.choice", recordEvent.Name);
        Assert.Equal(1714492800500000000, recordEvent.TimeUnixNano);
        Assert.Equal(new KeyValuePair<string, object?>("index", 0L), Assert.Single(recordEvent.Attributes));
        var recordLink = Assert.Single(record.Links);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", recordLink.TraceId.ToHexString());
        Assert.Equal("b7ad6b7169203331", recordLink.SpanId.ToHexString());
        Assert.Equal(new KeyValuePair<string, object?>("why", "retry"), Assert.Single(recordLink.Attributes));
    }

    [Fact]
    public void ToSpanRecords_ResourceAndScope_CopiedOntoEachSpan()
    {
        // Arrange
        var request = new ExportTraceServiceRequest();
        for (var r = 0; r < 2; r++)
        {
            var resource = new Resource();
            resource.Attributes.Add(Kv("service.name", new AnyValue { StringValue = $"svc-{r}" }));
            var resourceSpans = new ResourceSpans { Resource = resource };
            var withScope = new ScopeSpans { Scope = new InstrumentationScope { Name = $"scope-{r}", Version = "1.0" } };
            withScope.Spans.Add(NewSpan($"00000000000000{r}1"));
            withScope.Spans.Add(NewSpan($"00000000000000{r}2"));
            var withoutScope = new ScopeSpans();
            withoutScope.Spans.Add(NewSpan($"00000000000000{r}3"));
            resourceSpans.ScopeSpans.Add(withScope);
            resourceSpans.ScopeSpans.Add(withoutScope);
            request.ResourceSpans.Add(resourceSpans);
        }

        request.ResourceSpans.Add(new ResourceSpans { ScopeSpans = { new ScopeSpans { Spans = { NewSpan("0000000000000031") } } } });

        // Act
        var spans = request.ToSpanRecords().Spans;

        // Assert
        Assert.Equal(
            [
                ("0000000000000001", "svc-0", "scope-0", "1.0"),
                ("0000000000000002", "svc-0", "scope-0", "1.0"),
                ("0000000000000003", "svc-0", null, null),
                ("0000000000000011", "svc-1", "scope-1", "1.0"),
                ("0000000000000012", "svc-1", "scope-1", "1.0"),
                ("0000000000000013", "svc-1", null, null),
                ("0000000000000031", null, null, null),
            ],
            spans.Select(s => (
                s.SpanId.ToHexString(),
                (string?)s.ResourceAttributes.SingleOrDefault(a => a.Key == "service.name").Value,
                s.ScopeName,
                s.ScopeVersion)));
        Assert.Same(spans[0].ResourceAttributes, spans[2].ResourceAttributes);
        Assert.Empty(spans[6].ResourceAttributes);
    }

    [Theory]
    [InlineData(0, ActivityKind.Internal)] // SPAN_KIND_UNSPECIFIED
    [InlineData(1, ActivityKind.Internal)]
    [InlineData(2, ActivityKind.Server)]
    [InlineData(3, ActivityKind.Client)]
    [InlineData(4, ActivityKind.Producer)]
    [InlineData(5, ActivityKind.Consumer)]
    [InlineData(42, ActivityKind.Internal)] // a kind from the future
    public void ToSpanRecords_Kind_MapsToActivityKind(int otlpKind, ActivityKind expected)
    {
        // Arrange
        var span = NewSpan(SpanIdHex);
        span.Kind = (Span.Types.SpanKind)otlpKind;

        // Act
        var record = Assert.Single(Request(span).ToSpanRecords().Spans);

        // Assert
        Assert.Equal(expected, record.Kind);
    }

    [Theory]
    [InlineData(null, null, ActivityStatusCode.Unset, null)] // no status message at all
    [InlineData(0, "", ActivityStatusCode.Unset, null)]
    [InlineData(1, "", ActivityStatusCode.Ok, null)]
    [InlineData(2, "rate limited", ActivityStatusCode.Error, "rate limited")]
    [InlineData(9, "odd", ActivityStatusCode.Unset, "odd")] // a code from the future
    public void ToSpanRecords_Status_MapsCodeAndMessage(int? otlpCode, string? message, ActivityStatusCode expectedCode, string? expectedMessage)
    {
        // Arrange
        var span = NewSpan(SpanIdHex);
        if (otlpCode is not null)
        {
            span.Status = new Status { Code = (Status.Types.StatusCode)otlpCode.Value, Message = message ?? string.Empty };
        }

        // Act
        var record = Assert.Single(Request(span).ToSpanRecords().Spans);

        // Assert
        Assert.Equal(expectedCode, record.StatusCode);
        Assert.Equal(expectedMessage, record.StatusMessage);
    }

    [Theory]
    [InlineData("trace", "", "trace_id must be 16 bytes, got 0")]
    [InlineData("trace", "5b8efff798038103d269b633813fc6", "trace_id must be 16 bytes, got 15")]
    [InlineData("trace", "5b8efff798038103d269b633813fc60c00", "trace_id must be 16 bytes, got 17")]
    [InlineData("trace", "00000000000000000000000000000000", "trace_id is all zeros")]
    [InlineData("span", "", "span_id must be 8 bytes, got 0")]
    [InlineData("span", "eee19b7ec3c1b1", "span_id must be 8 bytes, got 7")]
    [InlineData("span", "0000000000000000", "span_id is all zeros")]
    [InlineData("parent", "eee19b7e", "parent_span_id must be empty or 8 bytes, got 4")]
    [InlineData("parent", "eee19b7ec3c1b17300", "parent_span_id must be empty or 8 bytes, got 9")]
    public void ToSpanRecords_BadIds_RejectsThatSpanOnlyWithReason(string field, string hex, string expectedReason)
    {
        // Arrange
        var bad = NewSpan("0000000000000002");
        switch (field)
        {
            case "trace":
                bad.TraceId = Hex(hex);
                break;
            case "span":
                bad.SpanId = Hex(hex);
                break;
            default:
                bad.ParentSpanId = Hex(hex);
                break;
        }

        var request = Request(NewSpan("0000000000000001"), bad, NewSpan("0000000000000003"));

        // Act
        var result = request.ToSpanRecords();

        // Assert
        Assert.Equal(["0000000000000001", "0000000000000003"], result.Spans.Select(s => s.SpanId.ToHexString()));
        Assert.Equal(1, result.RejectedSpans);
        Assert.Equal($"Rejected 1 of 3 spans: resource_spans[0].scope_spans[0].spans[1]: {expectedReason}.", result.ErrorMessage);
        var partial = result.ToExportResponse().PartialSuccess;
        Assert.NotNull(partial);
        Assert.Equal(1, partial.RejectedSpans);
        Assert.Equal(result.ErrorMessage, partial.ErrorMessage);
    }

    [Fact]
    public void ToSpanRecords_ParentAllZeros_IsRoot()
    {
        // Arrange
        var span = NewSpan(SpanIdHex, "0000000000000000");

        // Act
        var result = Request(span).ToSpanRecords();

        // Assert
        var record = Assert.Single(result.Spans);
        Assert.True(record.IsRoot);
        Assert.Equal(default, record.ParentSpanId);
        Assert.Equal(0, result.RejectedSpans);
    }

    [Fact]
    public void ToSpanRecords_ManyRejections_CountsAllAndListsTheFirstTen()
    {
        // Arrange
        var spans = new List<Span>();
        for (var i = 0; i < 25; i++)
        {
            var span = NewSpan(SpanIdHex);
            span.TraceId = ByteString.Empty;
            spans.Add(span);
        }

        spans.Add(NewSpan(SpanIdHex));

        // Act
        var result = Request([.. spans]).ToSpanRecords();

        // Assert
        Assert.Single(result.Spans);
        Assert.Equal(25, result.RejectedSpans);
        Assert.StartsWith("Rejected 25 of 26 spans: resource_spans[0].scope_spans[0].spans[0]: trace_id", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("spans[9]:", result.ErrorMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("spans[10]:", result.ErrorMessage, StringComparison.Ordinal);
        Assert.EndsWith("; and 15 more.", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ToSpanRecords_NothingRejected_ResponseIsFullSuccess()
    {
        // Arrange
        var request = Request(NewSpan(SpanIdHex));

        // Act
        var result = request.ToSpanRecords();

        // Assert
        Assert.Equal(0, result.RejectedSpans);
        Assert.Null(result.ErrorMessage);
        Assert.Null(result.ToExportResponse().PartialSuccess);
    }

    [Fact]
    public void ToSpanRecords_EmptyRequest_NoSpansNoError()
    {
        // Arrange
        var request = new ExportTraceServiceRequest();

        // Act
        var result = request.ToSpanRecords();

        // Assert
        Assert.Empty(result.Spans);
        Assert.Equal(0, result.RejectedSpans);
        Assert.Null(result.ErrorMessage);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ToSpanRecords_TenThousandNestedLevels_StopsAtDefaultDepthWithMarker(bool useArrays)
    {
        // Arrange (built iteratively: the message itself is 10,000 levels deep)
        var value = new AnyValue { StringValue = "bottom" };
        for (var i = 0; i < 10_000; i++)
        {
            value = useArrays
                ? new AnyValue { ArrayValue = new ArrayValue { Values = { value } } }
                : new AnyValue { KvlistValue = new KeyValueList { Values = { Kv("k", value) } } };
        }

        var span = NewSpan(SpanIdHex);
        span.Attributes.Add(Kv("deep", value));

        // Act
        var record = Assert.Single(Request(span).ToSpanRecords().Spans);

        // Assert
        var levels = CountContainerLevels(record.Attributes[0].Value, out var leaf);
        Assert.Equal(OtlpSpanConversionExtensions.DefaultMaxAttributeDepth - 1, levels);
        Assert.Equal(OtlpSpanConversionExtensions.DepthLimitMarker, leaf);
    }

    [Theory]
    [InlineData(1, 0, OtlpSpanConversionExtensions.DepthLimitMarker)]
    [InlineData(3, 2, OtlpSpanConversionExtensions.DepthLimitMarker)]
    [InlineData(4, 3, "bottom")]
    public void ToSpanRecords_ConfiguredDepth_BoundsNesting(int maxDepth, int expectedLevels, string expectedLeaf)
    {
        // Arrange (three arrays around a string: the string is at depth 4)
        var value = new AnyValue { StringValue = "bottom" };
        for (var i = 0; i < 3; i++)
        {
            value = new AnyValue { ArrayValue = new ArrayValue { Values = { value } } };
        }

        var span = NewSpan(SpanIdHex);
        span.Attributes.Add(Kv("nested", value));

        // Act
        var record = Assert.Single(Request(span).ToSpanRecords(maxDepth).Spans);

        // Assert
        Assert.Equal(expectedLevels, CountContainerLevels(record.Attributes[0].Value, out var leaf));
        Assert.Equal(expectedLeaf, leaf);
    }

    [Fact]
    public void ToSpanRecords_TimeAboveInt64_IsClamped()
    {
        // Arrange
        var span = NewSpan(SpanIdHex);
        span.EndTimeUnixNano = ulong.MaxValue;

        // Act
        var record = Assert.Single(Request(span).ToSpanRecords().Spans);

        // Assert
        Assert.Equal(long.MaxValue, record.EndTimeUnixNano);
    }

    private static int CountContainerLevels(object? value, out object? leaf)
    {
        var levels = 0;
        while (true)
        {
            switch (value)
            {
                case object?[] array:
                    value = Assert.Single(array);
                    break;
                case IReadOnlyList<KeyValuePair<string, object?>> list:
                    value = Assert.Single(list).Value;
                    break;
                default:
                    leaf = value;
                    return levels;
            }

            levels++;
        }
    }

    private static ByteString Hex(string hex) => ByteString.CopyFrom(Convert.FromHexString(hex));

    [Theory]
    [InlineData(0UL, 5UL, 1, false)]
    [InlineData(10UL, 5UL, 0, true)]
    [InlineData(10UL, 0UL, 0, true)]
    [InlineData(10UL, 10UL, 0, false)]
    public void ToSpanRecords_BrokenTimes_DefinedAnswer(ulong start, ulong end, int rejected, bool clamped)
    {
        // Arrange
        var span = NewSpan("b7ad6b7169203331");
        span.StartTimeUnixNano = start;
        span.EndTimeUnixNano = end;

        // Act
        var result = Request(span).ToSpanRecords();

        // Assert
        Assert.Equal(rejected, result.RejectedSpans);
        if (rejected == 0)
        {
            var record = Assert.Single(result.Spans);
            Assert.Equal((long)start, record.StartTimeUnixNano);
            Assert.Equal(clamped ? (long)start : (long)end, record.EndTimeUnixNano);
            Assert.Equal(clamped, record.Attributes.Any(a => a.Key == OtlpSpanConversionExtensions.EndTimeClampedAttribute && Equals(a.Value, true)));
        }
        else
        {
            Assert.Contains("start_time_unix_nano is 0", result.ErrorMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ToSpanRecords_Limits_SpansAndAttributesPastThemRejectedOneByOne()
    {
        // Arrange
        var wide = NewSpan("0000000000000001");
        wide.Attributes.Add(Kv("a", new AnyValue { IntValue = 1 }));
        wide.Attributes.Add(Kv("b", new AnyValue { IntValue = 2 }));
        var spans = new[] { wide, NewSpan("0000000000000002"), NewSpan("0000000000000003"), NewSpan("0000000000000004") };
        var limits = new OtlpConversionLimits { MaxSpans = 2, MaxAttributesPerSpan = 1 };

        // Act
        var result = Request(spans).ToSpanRecords(limits);

        // Assert: the wide span is rejected; 2 and 3 fill the limit; 4 is past it.
        Assert.Equal(2, result.RejectedSpans);
        Assert.Equal(["span 0000000000000002", "span 0000000000000003"], result.Spans.Select(s => s.Name));
        Assert.Contains("2 attributes, more than the limit of 1", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("spans[3]: past the limit of 2 spans per request", result.ErrorMessage, StringComparison.Ordinal);
    }

    private static KeyValue Kv(string key, AnyValue value) => new() { Key = key, Value = value };

    private static Span NewSpan(string spanIdHex, string? parentSpanIdHex = null)
    {
        // A start time of 0 is rejected (see ToSpanRecords_BrokenTimes_DefinedAnswer): every span here has real times.
        var span = new Span
        {
            TraceId = Hex(TraceIdHex),
            SpanId = Hex(spanIdHex),
            Name = "span " + spanIdHex,
            StartTimeUnixNano = 1_714_492_800_000_000_000,
            EndTimeUnixNano = 1_714_492_801_000_000_000,
        };
        if (parentSpanIdHex is not null)
        {
            span.ParentSpanId = Hex(parentSpanIdHex);
        }

        return span;
    }

    private static ExportTraceServiceRequest Request(params Span[] spans)
    {
        var scopeSpans = new ScopeSpans();
        scopeSpans.Spans.Add(spans);
        var resourceSpans = new ResourceSpans();
        resourceSpans.ScopeSpans.Add(scopeSpans);
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(resourceSpans);
        return request;
    }
}
