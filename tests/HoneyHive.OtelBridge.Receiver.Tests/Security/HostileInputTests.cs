// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using HoneyHive.OtelBridge.Implementation.Otlp;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Common.V1;
using HoneyHive.OtelBridge.Receiver.Hosting;
using HoneyHive.OtelBridge.Receiver.Tests.Hosting;
using HoneyHive.OtelBridge.Receiver.Tests.Otlp;

namespace HoneyHive.OtelBridge.Receiver.Tests.Security;

/// <summary>Each malformed or hostile input gets its defined answer over both front doors, and the server keeps serving.</summary>
public sealed class HostileInputTests
{
    private const string GrpcService = "opentelemetry.proto.collector.trace.v1.TraceService";

    public enum Answer
    {
        /// <summary>gRPC OK / HTTP 200.</summary>
        Ok,

        /// <summary>gRPC INVALID_ARGUMENT / HTTP 400.</summary>
        Invalid,
    }

    public static TheoryData<string, Answer> MalformedBodies => new()
    {
        { "truncated", Answer.Invalid },
        { "length-past-end", Answer.Invalid },
        { "wrong-wire-type-known-field", Answer.Ok },
        { "end-group-without-start", Answer.Invalid },
        { "anyvalue-10000-deep", Answer.Invalid },
        { "invalid-utf8-name", Answer.Invalid },
        { "random-garbage", Answer.Invalid },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task GrpcExport_MalformedBody_DefinedAnswerAndStillServing(string kind, Answer expected)
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync();
        var raw = new Method<byte[], byte[]>(MethodType.Unary, GrpcService, "Export", Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));

        // Act
        var ex = await Record.ExceptionAsync(async () => await server.Channel.CreateCallInvoker().AsyncUnaryCall(raw, null, default, MalformedBody(kind)));
        var after = await new TraceService.TraceServiceClient(server.Channel).ExportAsync(OtlpRequests.RootWithChild().Request);

        // Assert
        if (expected == Answer.Ok)
        {
            Assert.Null(ex);
        }
        else
        {
            Assert.Equal(StatusCode.InvalidArgument, Assert.IsType<RpcException>(ex).StatusCode);
        }

        Assert.Null(after.PartialSuccess);
        Assert.Equal(2, server.Ingress.Spans.Count);
    }

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task HttpPost_MalformedBody_DefinedAnswerAndStillServing(string kind, Answer expected)
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync();

        // Act
        using var response = await server.Http.PostAsync(OtlpReceiverOptions.TracesPath, Protobuf(MalformedBody(kind)));
        using var after = await server.Http.PostAsync(OtlpReceiverOptions.TracesPath, Protobuf(OtlpRequests.RootWithChild().Request.ToByteArray()));

        // Assert
        Assert.Equal(expected == Answer.Ok ? HttpStatusCode.OK : HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(2, server.Ingress.Spans.Count);
    }

    [Fact]
    public async Task HttpPost_Json10000LevelsDeep_400()
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync();
        var json = "{\"resourceSpans\":" + new string('[', 10_000) + new string(']', 10_000) + "}";
        using var content = new StringContent(json, Encoding.UTF8, "application/json");

        // Act
        using var response = await server.Http.PostAsync(OtlpReceiverOptions.TracesPath, content);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(server.Ingress.Spans);
    }

    [Fact]
    public async Task GrpcExport_SpansPastPerRequestLimit_FirstTakenRestInPartialSuccess()
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync(new OtlpReceiverOptions { GrpcPort = 0, HttpPort = 0, Limits = new OtlpReceiverLimits { MaxSpansPerRequest = 3 } });
        var traceId = OtlpRequests.NewTraceId();
        var spans = Enumerable.Range(0, 5).Select(i => OtlpRequests.Span(traceId, null, "s" + i, i, i + 1)).ToArray();

        // Act
        var response = await new TraceService.TraceServiceClient(server.Channel).ExportAsync(OtlpRequests.Request(spans));

        // Assert
        Assert.Equal(2, response.PartialSuccess.RejectedSpans);
        Assert.Contains("past the limit of 3 spans per request", response.PartialSuccess.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(["s0", "s1", "s2"], server.Ingress.Spans.Select(s => s.Name).Order().ToArray());
    }

    [Fact]
    public async Task HttpPost_SpanPastAttributeLimit_ThatSpanRejectedOthersTaken()
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync(new OtlpReceiverOptions { GrpcPort = 0, HttpPort = 0, Limits = new OtlpReceiverLimits { MaxAttributesPerSpan = 4 } });
        var traceId = OtlpRequests.NewTraceId();
        var wide = OtlpRequests.Span(traceId, null, "wide", 0, 1, [.. Enumerable.Range(0, 5).Select(i => ("k" + i, "v"))]);
        var narrow = OtlpRequests.Span(traceId, null, "narrow", 0, 1, [.. Enumerable.Range(0, 4).Select(i => ("k" + i, "v"))]);

        // Act
        using var response = await server.Http.PostAsync(OtlpReceiverOptions.TracesPath, Protobuf(OtlpRequests.Request(wide, narrow).ToByteArray()));
        var body = ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, body.PartialSuccess.RejectedSpans);
        Assert.Contains("5 attributes, more than the limit of 4", body.PartialSuccess.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal("narrow", Assert.Single(server.Ingress.Spans).Name);
    }

    [Fact]
    public async Task GrpcExport_AttributeNestedPastDepthLimit_ReplacedByMarker()
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync(new OtlpReceiverOptions { GrpcPort = 0, HttpPort = 0, Limits = new OtlpReceiverLimits { MaxAttributeDepth = 2 } });
        var span = OtlpRequests.Span(OtlpRequests.NewTraceId(), null, "deep", 0, 1);
        span.Attributes.Add(new KeyValue { Key = "nested", Value = Nest(3) });

        // Act
        var response = await new TraceService.TraceServiceClient(server.Channel).ExportAsync(OtlpRequests.Request(span));

        // Assert: depth 1 = the outer array, depth 2 = its element array, whose elements would be at depth 3.
        Assert.Null(response.PartialSuccess);
        var value = Assert.Single(server.Ingress.Spans).Attributes.Single(a => a.Key == "nested").Value;
        var outer = Assert.IsType<object?[]>(value);
        Assert.Equal(OtlpSpanConversionExtensions.DepthLimitMarker, Assert.Single(outer));
    }

    [Theory]
    [InlineData("start-zero", 1, null)]
    [InlineData("end-before-start", 0, true)]
    [InlineData("end-zero", 0, true)]
    [InlineData("self-parent", 0, null)]
    [InlineData("trace-id-short", 1, null)]
    [InlineData("span-id-long", 1, null)]
    [InlineData("parent-id-short", 1, null)]
    public async Task GrpcExport_BrokenSpan_DefinedAnswer(string kind, int rejected, bool? clamped)
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync();
        var traceId = OtlpRequests.NewTraceId();
        var good = OtlpRequests.Span(traceId, null, "good", 0, 10);
        var broken = OtlpRequests.Span(traceId, good.SpanId.ToByteArray(), "broken", 5, 8);
        switch (kind)
        {
            case "start-zero": broken.StartTimeUnixNano = 0; break;
            case "end-before-start": broken.EndTimeUnixNano = broken.StartTimeUnixNano - 1_000_000; break;
            case "end-zero": broken.EndTimeUnixNano = 0; break;
            case "self-parent": broken.ParentSpanId = broken.SpanId; break;
            case "trace-id-short": broken.TraceId = ByteString.CopyFrom(new byte[15]); break;
            case "span-id-long": broken.SpanId = ByteString.CopyFrom(new byte[9]); break;
            case "parent-id-short": broken.ParentSpanId = ByteString.CopyFrom(new byte[3]); break;
        }

        // Act
        var response = await new TraceService.TraceServiceClient(server.Channel).ExportAsync(OtlpRequests.Request(good, broken));

        // Assert
        Assert.Equal(rejected, response.PartialSuccess?.RejectedSpans ?? 0);
        Assert.Equal(2 - rejected, server.Ingress.Spans.Count);
        if (rejected == 0)
        {
            var taken = server.Ingress.Spans.Single(s => s.Name == "broken");
            Assert.True(taken.EndTimeUnixNano >= taken.StartTimeUnixNano);
            var flag = taken.Attributes.Where(a => a.Key == OtlpSpanConversionExtensions.EndTimeClampedAttribute).Select(a => (bool?)a.Value).SingleOrDefault();
            Assert.Equal(clamped, flag);
            if (clamped == true)
            {
                Assert.Equal(taken.StartTimeUnixNano, taken.EndTimeUnixNano);
            }
        }
    }

    [Fact]
    public async Task GrpcExport_DuplicateSpanIds_FirstKeptRestRejected()
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync();
        var traceId = OtlpRequests.NewTraceId();
        var first = OtlpRequests.Span(traceId, null, "first", 0, 10);
        var second = OtlpRequests.Span(traceId, null, "second", 0, 10);
        second.SpanId = first.SpanId;
        var third = second.Clone();
        third.Name = "third";
        var otherTrace = OtlpRequests.Span(OtlpRequests.NewTraceId(), null, "same-span-id-other-trace", 0, 10);
        otherTrace.SpanId = first.SpanId;

        // Act
        var response = await new TraceService.TraceServiceClient(server.Channel).ExportAsync(OtlpRequests.Request(first, second, third, otherTrace));

        // Assert
        Assert.Equal(2, response.PartialSuccess.RejectedSpans);
        Assert.Contains("duplicate span_id", response.PartialSuccess.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(["first", "same-span-id-other-trace"], server.Ingress.Spans.Select(s => s.Name).Order().ToArray());
    }

    internal static byte[] MalformedBody(string kind)
    {
        var valid = OtlpRequests.RootWithChild().Request.ToByteArray();
        switch (kind)
        {
            case "truncated":
                return valid[..(valid.Length / 2)];
            case "length-past-end":
                return [0x0A, 0xFF, 0xFF, 0x03, 0x01, 0x02];
            case "wrong-wire-type-known-field":
                // Field 1 (resource_spans, a message) sent as a varint: skipped as an unknown field, an empty request.
                return [0x08, 0x01];
            case "end-group-without-start":
                return [0x0C];
            case "anyvalue-10000-deep":
                return DeepRequest(10_000);
            case "invalid-utf8-name":
                return InvalidUtf8Name();
            default:
                var random = new Random(12345);
                var bytes = new byte[512];
                random.NextBytes(bytes);
                bytes[0] = 0x0A;
                return bytes;
        }
    }

    private static AnyValue Nest(int levels)
    {
        var value = new AnyValue { StringValue = "leaf" };
        for (var i = 0; i < levels; i++)
        {
            var array = new ArrayValue();
            array.Values.Add(value);
            value = new AnyValue { ArrayValue = array };
        }

        return value;
    }

    /// <summary>A request whose one attribute is an AnyValue nested <paramref name="levels"/> deep, written by hand (the
    /// protobuf writer would not refuse it, but its reader must).</summary>
    private static byte[] DeepRequest(int levels)
    {
        var value = new AnyValue { StringValue = "leaf" }.ToByteArray();
        for (var i = 0; i < levels; i++)
        {
            var array = Field(1, value);
            value = Field(5, array);
        }

        var keyValue = Concat(Field(1, Encoding.UTF8.GetBytes("deep")), Field(2, value));
        var span = OtlpRequests.Span(OtlpRequests.NewTraceId(), null, "deep", 0, 1).ToByteArray();
        var spanWithAttribute = Concat(span, Field(9, keyValue));
        var scope = Field(2, spanWithAttribute);
        var resource = Field(2, scope);
        return Field(1, resource);
    }

    private static byte[] InvalidUtf8Name()
    {
        var span = OtlpRequests.Span(OtlpRequests.NewTraceId(), null, "x", 0, 1);
        span.Name = string.Empty;
        var spanBytes = Concat(span.ToByteArray(), Field(5, [0xC3, 0x28, 0xFF, 0xFE]));
        return Field(1, Field(2, Field(2, spanBytes)));
    }

    private static byte[] Field(int number, byte[] payload)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(number, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(payload));
        output.Flush();
        return stream.ToArray();
    }

    private static byte[] Concat(byte[] a, byte[] b) => [.. a, .. b];

    private static ByteArrayContent Protobuf(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return content;
    }
}
