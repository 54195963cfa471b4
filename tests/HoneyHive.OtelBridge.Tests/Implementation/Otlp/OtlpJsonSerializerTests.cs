// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using HoneyHive.OtelBridge.Implementation.Otlp;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Common.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Resource.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Trace.V1;

namespace HoneyHive.OtelBridge.Tests.Implementation.Otlp;

public sealed class OtlpJsonSerializerTests
{
    private const string TraceIdHex = "5b8efff798038103d269b633813fc60c";
    private const string RootSpanIdHex = "eee19b7ec3c1b174";
    private const string ChildSpanIdHex = "eee19b7ec3c1b173";
    private const string LinkTraceIdHex = "0af7651916cd43dd8448eb211c80319c";
    private const string LinkSpanIdHex = "b7ad6b7169203331";

    // What an OTLP/HTTP JSON exporter sends: camelCase, hex ids, 64-bit integers as strings,
    // enums as integers.
    private const string RealisticJson = """
        {
          "resourceSpans": [
            {
              "resource": {
                "attributes": [
                  { "key": "service.name", "value": { "stringValue": "chat-service" } },
                  { "key": "process.pid", "value": { "intValue": "4242" } }
                ]
              },
              "scopeSpans": [
                {
                  "scope": { "name": "my.agent", "version": "1.2.3" },
                  "spans": [
                    {
                      "traceId": "5b8efff798038103d269b633813fc60c",
                      "spanId": "eee19b7ec3c1b174",
                      "name": "agent run",
                      "kind": 2,
                      "startTimeUnixNano": "1714492800123000000",
                      "endTimeUnixNano": "1714492801123000000",
                      "flags": 257,
                      "status": { "code": 1 }
                    },
                    {
                      "traceId": "5b8efff798038103d269b633813fc60c",
                      "spanId": "eee19b7ec3c1b173",
                      "parentSpanId": "eee19b7ec3c1b174",
                      "name": "chat gpt-4o",
                      "kind": 3,
                      "startTimeUnixNano": "1714492800200000000",
                      "endTimeUnixNano": "1714492800900000000",
                      "attributes": [
                        { "key": "gen_ai.operation.name", "value": { "stringValue": "chat" } },
                        { "key": "gen_ai.usage.input_tokens", "value": { "intValue": "100" } },
                        { "key": "gen_ai.request.temperature", "value": { "doubleValue": 0.7 } },
                        { "key": "stream", "value": { "boolValue": true } },
                        { "key": "blob", "value": { "bytesValue": "AQID" } },
                        { "key": "stop", "value": { "arrayValue": { "values": [ { "stringValue": "END" }, { "intValue": "7" } ] } } },
                        { "key": "meta", "value": { "kvlistValue": { "values": [ { "key": "a", "value": { "boolValue": false } } ] } } },
                        { "key": "empty", "value": {} }
                      ],
                      "droppedAttributesCount": 1,
                      "events": [
                        {
                          "timeUnixNano": "1714492800300000000",
                          "name": "gen_ai.choice",
                          "attributes": [ { "key": "index", "value": { "intValue": "0" } } ]
                        }
                      ],
                      "links": [
                        {
                          "traceId": "0af7651916cd43dd8448eb211c80319c",
                          "spanId": "b7ad6b7169203331",
                          "attributes": [ { "key": "link.kind", "value": { "stringValue": "retry-of" } } ],
                          "flags": 1
                        }
                      ],
                      "status": { "code": 2, "message": "rate limited" }
                    }
                  ]
                }
              ]
            }
          ]
        }
        """;

    [Fact]
    public void ParseRequest_RealisticOtlpJson_EqualsRequestBuiltInCode()
    {
        // Arrange
        var expected = BuildExpectedRequest();

        // Act
        var actual = OtlpJsonSerializer.ParseRequest(RealisticJson);

        // Assert
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void ParseRequest_Utf8Bytes_EqualsStringParse()
    {
        // Arrange
        var bytes = Encoding.UTF8.GetBytes(RealisticJson);

        // Act
        var actual = OtlpJsonSerializer.ParseRequest(bytes);

        // Assert
        Assert.Equal(BuildExpectedRequest(), actual);
    }

    [Fact]
    public void ParseRequest_SnakeCaseNamesEnumNamesAndNumericInt64_EqualsCamelCase()
    {
        // Arrange
        const string json = """
            {"resource_spans":[{"resource":{"attributes":[{"key":"service.name","value":{"string_value":"chat-service"}},{"key":"process.pid","value":{"int_value":4242}}]},
            "scope_spans":[{"scope":{"name":"my.agent","version":"1.2.3"},"spans":[
            {"trace_id":"5B8EFFF798038103D269B633813FC60C","span_id":"eee19b7ec3c1b174","name":"agent run","kind":"SPAN_KIND_SERVER",
             "start_time_unix_nano":1714492800123000000,"end_time_unix_nano":"1714492801123000000","flags":257,"status":{"code":"STATUS_CODE_OK"}}]}]}]}
            """;
        var expected = BuildExpectedRequest();
        expected.ResourceSpans[0].ScopeSpans[0].Spans.RemoveAt(1);

        // Act
        var actual = OtlpJsonSerializer.ParseRequest(json);

        // Assert
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("9007199254740993", 9007199254740993L)]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("\"9223372036854775807\"", long.MaxValue)]
    public void ParseRequest_Int64AsNumberAboveDoublePrecision_KeepsEveryDigit(string jsonValue, long expected)
    {
        // Arrange (a nested kvlist value and an event time, written as JSON numbers)
        var json = """
            {"resourceSpans":[{"scopeSpans":[{"spans":[{"events":[{"timeUnixNano":1714492800123000001}],
             "attributes":[{"key":"outer","value":{"kvlistValue":{"values":[{"key":"n","value":{"intValue":VALUE}}]}}}]}]}]}]}
            """.Replace("VALUE", jsonValue, StringComparison.Ordinal);

        // Act
        var span = OtlpJsonSerializer.ParseRequest(json).ResourceSpans[0].ScopeSpans[0].Spans[0];

        // Assert
        Assert.Equal(expected, span.Attributes[0].Value.KvlistValue.Values[0].Value.IntValue);
        Assert.Equal(1714492800123000001UL, span.Events[0].TimeUnixNano);
    }

    [Fact]
    public void ParseRequest_UnknownFields_AreIgnored()
    {
        // Arrange
        const string json = """
            {"futureTopLevel":{"x":[1,2,3]},"resourceSpans":[{"resource":{"attributes":[],"entityRefs":[{"type":"service"}]},
            "schemaUrl":"https://opentelemetry.io/schemas/1.30.0","scopeSpans":[{"spans":[
            {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"n","brandNewField":"v",
             "attributes":[{"key":"k","value":{"stringValue":"s","newValueKind":1}}]}]}]}]}
            """;

        // Act
        var actual = OtlpJsonSerializer.ParseRequest(json);

        // Assert
        var span = Assert.Single(Assert.Single(Assert.Single(actual.ResourceSpans).ScopeSpans).Spans);
        Assert.Equal("n", span.Name);
        Assert.Equal(TraceIdHex, Convert.ToHexString(span.TraceId.ToByteArray()).ToLowerInvariant());
        Assert.Equal("s", Assert.Single(span.Attributes).Value.StringValue);
    }

    [Fact]
    public void ParseRequest_EmptyIds_ParseAsEmptyBytes()
    {
        // Arrange (OTLP: an empty id string is zero-length; the conversion rejects the span)
        const string json = """{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"","spanId":"","parentSpanId":""}]}]}]}""";

        // Act
        var actual = OtlpJsonSerializer.ParseRequest(json);

        // Assert
        var span = actual.ResourceSpans[0].ScopeSpans[0].Spans[0];
        Assert.True(span.TraceId.IsEmpty);
        Assert.True(span.SpanId.IsEmpty);
        Assert.True(span.ParentSpanId.IsEmpty);
    }

    [Theory]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz8efff798038103d269b633813fc60c"}]}]}]}""", "resourceSpans[0].scopeSpans[0].spans[0].traceId")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"eee19b7ec3c1b17"}]}]}]}""", "resourceSpans[0].scopeSpans[0].spans[0].spanId")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"parentSpanId":42}]}]}]}""", "spans[0].parentSpanId must be a hex string")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{},{"links":[{"spanId":"not-hex!"}]}]}]}]}""", "spans[1].links[0].spanId")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8e"}""", "Invalid OTLP/JSON")]
    [InlineData("""[]""", "must be a JSON object")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"soon"}]}]}]}""", "Invalid OTLP/JSON")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"b","value":{"bytesValue":"***"}}]}]}]}]}""", "Invalid OTLP/JSON")]
    [InlineData("""{"resourceSpans":{}}""", "Invalid OTLP/JSON")]
    [InlineData("""not json""", "Invalid OTLP/JSON")]
    public void ParseRequest_BadInput_ThrowsFormatExceptionNamingTheProblem(string json, string expectedMessagePart)
    {
        // Arrange
        var bytes = Encoding.UTF8.GetBytes(json);

        // Act
        var fromString = Assert.ThrowsAny<FormatException>(() => OtlpJsonSerializer.ParseRequest(json));
        var fromBytes = Assert.ThrowsAny<FormatException>(() => OtlpJsonSerializer.ParseRequest(bytes));

        // Assert
        Assert.Contains(expectedMessagePart, fromString.Message, StringComparison.Ordinal);
        Assert.Contains(expectedMessagePart, fromBytes.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseRequest_TrailingContentAfterDocument_ThrowsFormatException()
    {
        // Arrange
        var bytes = Encoding.UTF8.GetBytes("{} {}");

        // Act
        var ex = Assert.ThrowsAny<FormatException>(() => OtlpJsonSerializer.ParseRequest(bytes));

        // Assert
        Assert.Contains("Invalid OTLP/JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseLines_OneRequestPerLine_YieldsEachInOrder()
    {
        // Arrange
        var text = string.Join(
            "\n",
            """{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"first {with braces} and \"quotes\""}]}]}]}""",
            string.Empty,
            """{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"second"}]}]}]}""",
            """{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"third ]"}]}]}]}""") + "\n";

        // Act
        var requests = OtlpJsonSerializer.ParseLines(new StringReader(text)).ToList();

        // Assert
        Assert.Equal(
            ["first {with braces} and \"quotes\"", "second", "third ]"],
            requests.Select(r => r.ResourceSpans[0].ScopeSpans[0].Spans[0].Name));
    }

    [Fact]
    public void ParseLines_WholePrettyPrintedDocument_YieldsOneRequest()
    {
        // Arrange
        using var reader = new StringReader("\uFEFF\r\n" + RealisticJson + "\r\n\r\n");

        // Act
        var requests = OtlpJsonSerializer.ParseLines(reader).ToList();

        // Assert
        Assert.Equal(BuildExpectedRequest(), Assert.Single(requests));
    }

    [Theory]
    [InlineData("{\"resourceSpans\":[]}\n{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"xyz\"}]}]}]}\n", "Line 2:")]
    [InlineData("{\"resourceSpans\":[]}\n\n\n{\"resourceSpans\":[\n", "Line 4:")]
    [InlineData("{\"resourceSpans\":[]}\ngarbage\n", "Line 2:")]
    public void ParseLines_BadDocument_ThrowsFormatExceptionWithLineNumber(string text, string expectedPrefix)
    {
        // Arrange
        var parsed = new List<ExportTraceServiceRequest>();

        // Act
        var ex = Assert.ThrowsAny<FormatException>(() =>
        {
            foreach (var request in OtlpJsonSerializer.ParseLines(new StringReader(text)))
            {
                parsed.Add(request);
            }
        });

        // Assert
        Assert.StartsWith(expectedPrefix, ex.Message, StringComparison.Ordinal);
        Assert.Single(parsed);
    }

    [Fact]
    public void ParseLines_EmptyInput_YieldsNothing()
    {
        // Arrange
        using var reader = new StringReader("  \n\n");

        // Act
        var requests = OtlpJsonSerializer.ParseLines(reader).ToList();

        // Assert
        Assert.Empty(requests);
    }

    [Fact]
    public void FormatResponse_PartialSuccess_IsOtlpJson()
    {
        // Arrange
        var response = new ExportTraceServiceResponse
        {
            PartialSuccess = new ExportTracePartialSuccess { RejectedSpans = 2, ErrorMessage = "2 spans had an invalid trace id" },
        };

        // Act
        var node = JsonNode.Parse(OtlpJsonSerializer.FormatResponse(response))!.AsObject();

        // Assert
        Assert.Equal(["partialSuccess"], node.Select(p => p.Key));
        var partial = node["partialSuccess"]!.AsObject();
        Assert.Equal(JsonValueKind.String, partial["rejectedSpans"]!.GetValueKind());
        Assert.Equal("2", (string?)partial["rejectedSpans"]);
        Assert.Equal("2 spans had an invalid trace id", (string?)partial["errorMessage"]);
    }

    [Fact]
    public void FormatResponse_FullSuccess_IsEmptyObject()
    {
        // Arrange
        var response = new ExportTraceServiceResponse();

        // Act
        var node = JsonNode.Parse(OtlpJsonSerializer.FormatResponse(response));

        // Assert
        Assert.Empty(Assert.IsType<JsonObject>(node));
    }

    [Fact]
    public void FormatRequest_Request_WritesHexIdsIntegerEnumsAndStringInt64()
    {
        // Arrange
        var request = BuildExpectedRequest();

        // Act
        var json = OtlpJsonSerializer.FormatRequest(request);

        // Assert
        var spans = JsonNode.Parse(json)!["resourceSpans"]![0]!["scopeSpans"]![0]!["spans"]!.AsArray();
        Assert.Equal(TraceIdHex, (string?)spans[1]!["traceId"]);
        Assert.Equal(ChildSpanIdHex, (string?)spans[1]!["spanId"]);
        Assert.Equal(RootSpanIdHex, (string?)spans[1]!["parentSpanId"]);
        Assert.Equal(LinkSpanIdHex, (string?)spans[1]!["links"]![0]!["spanId"]);
        Assert.Equal(3, (int)spans[1]!["kind"]!);
        Assert.Equal("1714492800200000000", (string?)spans[1]!["startTimeUnixNano"]);
        Assert.Equal("AQID", (string?)spans[1]!["attributes"]![4]!["value"]!["bytesValue"]);
        Assert.Null(spans[0]!["parentSpanId"]);
    }

    [Fact]
    public void FormatRequest_ThenParseRequest_RoundTrips()
    {
        // Arrange
        var request = BuildExpectedRequest();

        // Act
        var parsed = OtlpJsonSerializer.ParseRequest(OtlpJsonSerializer.FormatRequest(request));

        // Assert
        Assert.Equal(request, parsed);
    }

    private static ByteString Hex(string hex) => ByteString.CopyFrom(Convert.FromHexString(hex));

    private static KeyValue Attribute(string key, AnyValue value) => new() { Key = key, Value = value };

    private static ExportTraceServiceRequest BuildExpectedRequest()
    {
        var root = new Span
        {
            TraceId = Hex(TraceIdHex),
            SpanId = Hex(RootSpanIdHex),
            Name = "agent run",
            Kind = Span.Types.SpanKind.Server,
            StartTimeUnixNano = 1714492800123000000,
            EndTimeUnixNano = 1714492801123000000,
            Flags = 257,
            Status = new Status { Code = Status.Types.StatusCode.Ok },
        };

        var stop = new ArrayValue();
        stop.Values.Add(new AnyValue { StringValue = "END" });
        stop.Values.Add(new AnyValue { IntValue = 7 });
        var meta = new KeyValueList();
        meta.Values.Add(Attribute("a", new AnyValue { BoolValue = false }));

        var child = new Span
        {
            TraceId = Hex(TraceIdHex),
            SpanId = Hex(ChildSpanIdHex),
            ParentSpanId = Hex(RootSpanIdHex),
            Name = "chat gpt-4o",
            Kind = Span.Types.SpanKind.Client,
            StartTimeUnixNano = 1714492800200000000,
            EndTimeUnixNano = 1714492800900000000,
            DroppedAttributesCount = 1,
            Status = new Status { Code = Status.Types.StatusCode.Error, Message = "rate limited" },
        };
        child.Attributes.Add(Attribute("gen_ai.operation.name", new AnyValue { StringValue = "chat" }));
        child.Attributes.Add(Attribute("gen_ai.usage.input_tokens", new AnyValue { IntValue = 100 }));
        child.Attributes.Add(Attribute("gen_ai.request.temperature", new AnyValue { DoubleValue = 0.7 }));
        child.Attributes.Add(Attribute("stream", new AnyValue { BoolValue = true }));
        child.Attributes.Add(Attribute("blob", new AnyValue { BytesValue = ByteString.CopyFrom(1, 2, 3) }));
        child.Attributes.Add(Attribute("stop", new AnyValue { ArrayValue = stop }));
        child.Attributes.Add(Attribute("meta", new AnyValue { KvlistValue = meta }));
        child.Attributes.Add(Attribute("empty", new AnyValue()));

        var choice = new Span.Types.Event { TimeUnixNano = 1714492800300000000, Name = "gen_ai.choice" };
        choice.Attributes.Add(Attribute("index", new AnyValue { IntValue = 0 }));
        child.Events.Add(choice);

        var link = new Span.Types.Link { TraceId = Hex(LinkTraceIdHex), SpanId = Hex(LinkSpanIdHex), Flags = 1 };
        link.Attributes.Add(Attribute("link.kind", new AnyValue { StringValue = "retry-of" }));
        child.Links.Add(link);

        var resource = new Resource();
        resource.Attributes.Add(Attribute("service.name", new AnyValue { StringValue = "chat-service" }));
        resource.Attributes.Add(Attribute("process.pid", new AnyValue { IntValue = 4242 }));

        var scopeSpans = new ScopeSpans { Scope = new InstrumentationScope { Name = "my.agent", Version = "1.2.3" } };
        scopeSpans.Spans.Add(root);
        scopeSpans.Spans.Add(child);

        var resourceSpans = new ResourceSpans { Resource = resource };
        resourceSpans.ScopeSpans.Add(scopeSpans);

        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(resourceSpans);
        return request;
    }
}
