// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using HoneyHive.OtelBridge.Implementation.Otlp;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Receiver.Hosting;
using HoneyHive.OtelBridge.Receiver.Tests.Otlp;

namespace HoneyHive.OtelBridge.Receiver.Tests.Hosting;

/// <summary>Tier (b): gRPC and OTLP/HTTP through the real ASP.NET Core pipeline on a TestServer.</summary>
public sealed class OtlpReceiverHostTests
{
    private const string GrpcService = "opentelemetry.proto.collector.trace.v1.TraceService";

    [Fact]
    public async Task GrpcExport_GzipCompressedRequest_Accepted()
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync();
        var client = new TraceService.TraceServiceClient(server.Channel);
        var (request, _) = OtlpRequests.RootWithChild();
        var headers = new Metadata { { "grpc-internal-encoding-request", "gzip" } };

        // Act
        using var call = client.ExportAsync(request, headers);
        var response = await call;

        // Assert
        Assert.Null(response.PartialSuccess);
        Assert.Equal(2, server.Ingress.Spans.Count);
    }

    [Fact]
    public async Task GrpcExport_UndecodableBody_InvalidArgumentAndServerStillServing()
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync();
        var raw = new Method<byte[], byte[]>(MethodType.Unary, GrpcService, "Export", Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
        var invoker = server.Channel.CreateCallInvoker();

        // Act
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await invoker.AsyncUnaryCall(raw, null, default, [0xFF, 0xFF, 0xFF, 0x07, 0x01]));
        var after = await new TraceService.TraceServiceClient(server.Channel).ExportAsync(OtlpRequests.RootWithChild().Request);

        // Assert
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Null(after.PartialSuccess);
        Assert.Equal(2, server.Ingress.Spans.Count);
    }

    [Fact]
    public async Task GrpcExport_RequestOverLimit_ResourceExhaustedAndNothingTaken()
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync(new OtlpReceiverOptions { GrpcPort = 0, HttpPort = 0, MaxRequestBytes = 64 * 1024 });
        var traceId = OtlpRequests.NewTraceId();
        var request = OtlpRequests.Request(OtlpRequests.Span(traceId, null, "big", 0, 1, ("input.value", new string('x', 100 * 1024))));

        // Act
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await new TraceService.TraceServiceClient(server.Channel).ExportAsync(request));

        // Assert
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Empty(server.Ingress.Spans);
    }

    [Fact]
    public async Task GrpcExport_GzipMessageOverLimitAfterDecompression_ResourceExhaustedAndNothingTaken()
    {
        // Arrange: the repeated text compresses far below the limit, which applies after decompression (as on OTLP/HTTP;
        // grpc-dotnet 2.85 checks it too, with its own message, and the receiver's gzip must keep it).
        await using var server = await ReceiverTestServer.StartAsync(new OtlpReceiverOptions { GrpcPort = 0, HttpPort = 0, MaxRequestBytes = 64 * 1024 });
        var request = OtlpRequests.Request(OtlpRequests.Span(OtlpRequests.NewTraceId(), null, "big", 0, 1, ("input.value", new string('x', 100 * 1024))));
        var headers = new Metadata { { "grpc-internal-encoding-request", "gzip" } };

        // Act
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await new TraceService.TraceServiceClient(server.Channel).ExportAsync(request, headers));

        // Assert
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Contains("65536 bytes (after decompression)", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(server.Ingress.Spans);
    }

    [Theory]
    [InlineData("without its trailer")]
    [InlineData("cut inside its data")]
    [InlineData("followed by other bytes")]
    [InlineData("with corrupt data")]
    public async Task GrpcExport_BrokenGzipMessage_InvalidArgumentAndNothingTaken(string broken)
    {
        // Arrange: without its trailer, grpc-dotnet's own gzip gave the whole request and it was taken.
        await using var server = await ReceiverTestServer.StartAsync();
        Func<byte[], byte[]> reshape = broken switch
        {
            "without its trailer" => body => GzipBodies.Cut(body, 8),
            "cut inside its data" => body => GzipBodies.Cut(body, 40),
            "with corrupt data" => GzipBodies.Corrupt,
            _ => body => [.. body, 0, 0, 0, 0],
        };
        var channel = server.CreateChannel(new ReshapedGzipCompressionProvider(message => reshape(GzipBodies.Compress(message))));
        var headers = new Metadata { { "grpc-internal-encoding-request", "gzip" } };

        // Act
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await new TraceService.TraceServiceClient(channel).ExportAsync(OtlpRequests.RootWithChild().Request, headers));
        var after = await new TraceService.TraceServiceClient(server.Channel).ExportAsync(OtlpRequests.RootWithChild().Request, headers);

        // Assert
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("The gzip message cannot be decompressed", ex.Status.Detail, StringComparison.Ordinal);
        Assert.NotNull(ex.GetRpcStatus()?.GetDetail<BadRequest>());
        Assert.Null(after.PartialSuccess);
        Assert.Equal(2, server.Ingress.Spans.Count);
    }

    [Fact]
    public async Task GrpcExport_GzipMessageInTwoMembers_Accepted()
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync();
        var channel = server.CreateChannel(new ReshapedGzipCompressionProvider(GzipBodies.CompressInTwoMembers));
        var headers = new Metadata { { "grpc-internal-encoding-request", "gzip" } };

        // Act
        var response = await new TraceService.TraceServiceClient(channel).ExportAsync(OtlpRequests.RootWithChild().Request, headers);

        // Assert
        Assert.Null(response.PartialSuccess);
        Assert.Equal(2, server.Ingress.Spans.Count);
    }

    [Fact]
    public async Task GrpcHealthCheck_Running_Serving()
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync();

        // Act
        var response = await new Health.HealthClient(server.Channel).CheckAsync(new HealthCheckRequest());

        // Assert
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Healthz_Running_Ok()
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync();

        // Act
        using var response = await server.Http.GetAsync(OtlpReceiverOptions.HealthPath);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HttpPost_Protobuf_AnsweredInProtobufAndSpansTaken(bool gzip)
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync();
        var (request, _) = OtlpRequests.RootWithChild();

        // Act
        using var response = await server.Http.PostAsync(OtlpReceiverOptions.TracesPath, OtlpHttpBodies.Create(request.ToByteArray(), "application/x-protobuf", gzip));
        var body = await response.Content.ReadAsByteArrayAsync();

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(ExportTraceServiceResponse.Parser.ParseFrom(body).PartialSuccess);
        Assert.Equal(2, server.Ingress.Spans.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HttpPost_Json_AnsweredInJsonAndSpansTaken(bool gzip)
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync();
        var (request, _) = OtlpRequests.RootWithChild();
        var json = OtlpJsonSerializer.FormatRequest(request);

        // Act
        using var response = await server.Http.PostAsync(OtlpReceiverOptions.TracesPath, OtlpHttpBodies.Create(Encoding.UTF8.GetBytes(json), "application/json", gzip));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(body.ContainsKey("partialSuccess"));
        Assert.Equal(2, server.Ingress.Spans.Count);
    }

    [Fact]
    public async Task HttpPost_EmptyRequest_Success()
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync();

        // Act
        using var response = await server.Http.PostAsync(OtlpReceiverOptions.TracesPath, OtlpHttpBodies.Create([], "application/x-protobuf", gzip: false));

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync()).PartialSuccess);
        Assert.Empty(server.Ingress.Spans);
    }

    [Theory]
    [InlineData("application/x-protobuf", false)]
    [InlineData("application/json", false)]
    [InlineData("application/x-protobuf", true)]
    public async Task HttpPost_GarbageBody_400WithStatusInRequestEncodingAndServerStillServing(string contentType, bool brokenGzip)
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync();
        var content = new ByteArrayContent([0xFF, 0xFF, 0xFF, 0x07, 0x01]);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (brokenGzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        // Act
        using var response = await server.Http.PostAsync(OtlpReceiverOptions.TracesPath, content);
        var body = await response.Content.ReadAsByteArrayAsync();
        using var after = await server.Http.PostAsync(OtlpReceiverOptions.TracesPath, OtlpHttpBodies.Create(OtlpRequests.RootWithChild().Request.ToByteArray(), "application/x-protobuf", gzip: false));

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        var status = ParseStatus(body, contentType);
        Assert.Equal((int)StatusCode.InvalidArgument, status.Code);
        Assert.NotNull(status.GetDetail<BadRequest>());
        Assert.False(string.IsNullOrEmpty(status.Message));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(40)]
    public async Task HttpPost_GzipBodyCutShort_400AndNothingTaken(int cut)
    {
        // Arrange: without its 8-byte trailer GZipStream alone gave the whole request and it was taken.
        await using var server = await ReceiverTestServer.StartAsync();
        var content = new ByteArrayContent(GzipBodies.Cut(GzipBodies.Compress(OtlpRequests.RootWithChild().Request.ToByteArray()), cut));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("gzip");

        // Act
        using var response = await server.Http.PostAsync(OtlpReceiverOptions.TracesPath, content);
        var status = ParseStatus(await response.Content.ReadAsByteArrayAsync(), "application/x-protobuf");

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal((int)StatusCode.InvalidArgument, status.Code);
        Assert.Contains("cut short", status.Message, StringComparison.Ordinal);
        Assert.Empty(server.Ingress.Spans);
    }

    [Fact]
    public async Task HttpPost_GzipBodyInTwoMembers_Accepted()
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync();
        var content = new ByteArrayContent(GzipBodies.CompressInTwoMembers(OtlpRequests.RootWithChild().Request.ToByteArray()));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("gzip");

        // Act
        using var response = await server.Http.PostAsync(OtlpReceiverOptions.TracesPath, content);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, server.Ingress.Spans.Count);
    }

    [Fact]
    public async Task HttpPost_OtherContentType_415()
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync();

        // Act
        using var response = await server.Http.PostAsync(OtlpReceiverOptions.TracesPath, new StringContent("hello", Encoding.UTF8, "text/plain"));

        // Assert
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Empty(server.Ingress.Spans);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HttpPost_OverLimit_413(bool gzip)
    {
        // Arrange: gzip shrinks the repeated text far below the limit; the limit applies after decompression.
        await using var server = await ReceiverTestServer.StartAsync(new OtlpReceiverOptions { GrpcPort = 0, HttpPort = 0, MaxRequestBytes = 64 * 1024 });
        var request = OtlpRequests.Request(OtlpRequests.Span(OtlpRequests.NewTraceId(), null, "big", 0, 1, ("input.value", new string('x', 100 * 1024))));

        // Act
        using var response = await server.Http.PostAsync(OtlpReceiverOptions.TracesPath, OtlpHttpBodies.Create(request.ToByteArray(), "application/x-protobuf", gzip));

        // Assert
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(server.Ingress.Spans);
    }

    [Theory]
    [InlineData("application/x-protobuf")]
    [InlineData("application/json")]
    public async Task HttpPost_BridgeCannotTakeMore_503WithRetryAfterAndRetryInfo(string contentType)
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync(new OtlpReceiverOptions { GrpcPort = 0, HttpPort = 0, RetryDelay = TimeSpan.FromSeconds(3) });
        server.Ingress.Refuse = true;
        var (request, _) = OtlpRequests.RootWithChild();
        var bytes = contentType == "application/json" ? Encoding.UTF8.GetBytes(OtlpJsonSerializer.FormatRequest(request)) : request.ToByteArray();

        // Act
        using var response = await server.Http.PostAsync(OtlpReceiverOptions.TracesPath, OtlpHttpBodies.Create(bytes, contentType, gzip: false));
        var body = await response.Content.ReadAsByteArrayAsync();

        // Assert
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
        var status = ParseStatus(body, contentType);
        Assert.Equal((int)StatusCode.Unavailable, status.Code);
        Assert.Equal(TimeSpan.FromSeconds(3), status.Details.Single().Unpack<RetryInfo>().RetryDelay.ToTimeSpan());
        Assert.Empty(server.Ingress.Spans);
    }

    [Fact]
    public async Task GrpcExport_BridgeSaturated_UnavailableWithRetryInfoBeforeTheRequestIsDecoded()
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync(new OtlpReceiverOptions { GrpcPort = 0, HttpPort = 0, RetryDelay = TimeSpan.FromSeconds(3) });
        server.Ingress.Saturated = true;

        // Act
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await new TraceService.TraceServiceClient(server.Channel).ExportAsync(OtlpRequests.RootWithChild().Request));
        server.Ingress.Saturated = false;
        var after = await new TraceService.TraceServiceClient(server.Channel).ExportAsync(OtlpRequests.RootWithChild().Request);

        // Assert: refused without reaching the service (the ingress was never asked), then taken once there is room.
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        var status = ex.GetRpcStatus();
        Assert.NotNull(status);
        Assert.Equal(TimeSpan.FromSeconds(3), status.Details.Single().Unpack<RetryInfo>().RetryDelay.ToTimeSpan());
        Assert.Equal(1, server.Ingress.Calls);
        Assert.Null(after.PartialSuccess);
        Assert.Equal(2, server.Ingress.Spans.Count);
    }

    [Fact]
    public async Task HttpPost_BridgeSaturated_503WithRetryAfterBeforeTheBodyIsRead()
    {
        // Arrange: a body that is not even valid protobuf, so only a refusal before decoding answers 503.
        await using var server = await ReceiverTestServer.StartAsync(new OtlpReceiverOptions { GrpcPort = 0, HttpPort = 0, RetryDelay = TimeSpan.FromSeconds(3) });
        server.Ingress.Saturated = true;

        // Act
        using var response = await server.Http.PostAsync(OtlpReceiverOptions.TracesPath, OtlpHttpBodies.Create([0xFF, 0xFF, 0xFF], "application/x-protobuf", gzip: false));
        var body = await response.Content.ReadAsByteArrayAsync();

        // Assert
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
        Assert.Equal((int)StatusCode.Unavailable, ParseStatus(body, "application/x-protobuf").Code);
        Assert.Equal(0, server.Ingress.Calls);
    }

    [Fact]
    public async Task Export_MaxConcurrentExportsInProgress_BothFrontDoorsRefuseUnreadWithRetryInfoUntilItIsAnswered()
    {
        // Arrange: one export at a time, and the first one held inside the bridge.
        await using var server = await ReceiverTestServer.StartAsync(new OtlpReceiverOptions { GrpcPort = 0, HttpPort = 0, RetryDelay = TimeSpan.FromSeconds(3), MaxConcurrentExports = 1 });
        using var gate = new ManualResetEventSlim();
        server.Ingress.Gate = gate;
        var client = new TraceService.TraceServiceClient(server.Channel);
        var held = client.ExportAsync(OtlpRequests.RootWithChild().Request).ResponseAsync;
        Assert.True(await server.Ingress.Entered.WaitAsync(TimeSpan.FromSeconds(30)), "the first export never reached the bridge");

        // Act: a gRPC export and an OTLP/HTTP one (not even valid protobuf: only a refusal before decoding answers 503).
        var grpcRefused = await Assert.ThrowsAsync<RpcException>(async () => await client.ExportAsync(OtlpRequests.RootWithChild().Request));
        using var httpRefused = await server.Http.PostAsync(OtlpReceiverOptions.TracesPath, OtlpHttpBodies.Create([0xFF, 0xFF, 0xFF], "application/x-protobuf", gzip: false));
        var callsWhileHeld = server.Ingress.Calls;
        server.Ingress.Gate = null;
        gate.Set();
        var first = await held;
        var after = await client.ExportAsync(OtlpRequests.RootWithChild().Request);

        // Assert: both refused before the bridge was asked; the held export answered; then there was a place again.
        Assert.Equal(StatusCode.Unavailable, grpcRefused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), grpcRefused.GetRpcStatus()!.Details.Single().Unpack<RetryInfo>().RetryDelay.ToTimeSpan());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, httpRefused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), httpRefused.Headers.RetryAfter?.Delta);
        Assert.Equal((int)StatusCode.Unavailable, ParseStatus(await httpRefused.Content.ReadAsByteArrayAsync(), "application/x-protobuf").Code);
        Assert.Equal(1, callsWhileHeld);
        Assert.Null(first.PartialSuccess);
        Assert.Null(after.PartialSuccess);
        Assert.Equal(4, server.Ingress.Spans.Count);
    }

    [Fact]
    public async Task Export_RequestsAnsweredWithErrors_GiveTheirPlaceBack()
    {
        // Arrange: one export at a time; every way an admitted request can end other than OK.
        await using var server = await ReceiverTestServer.StartAsync(new OtlpReceiverOptions { GrpcPort = 0, HttpPort = 0, MaxConcurrentExports = 1, MaxRequestBytes = 4096 });
        var client = new TraceService.TraceServiceClient(server.Channel);
        var raw = new Method<byte[], byte[]>(MethodType.Unary, GrpcService, "Export", Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
        var statuses = new List<string>();

        // Act
        var invalid = await Assert.ThrowsAsync<RpcException>(async () => await server.Channel.CreateCallInvoker().AsyncUnaryCall(raw, null, default, [0xFF, 0xFF, 0xFF, 0x07, 0x01]));
        statuses.Add("grpc " + invalid.StatusCode);
        var tooLarge = await Assert.ThrowsAsync<RpcException>(async () => await server.Channel.CreateCallInvoker().AsyncUnaryCall(raw, null, default, new byte[8192]));
        statuses.Add("grpc " + tooLarge.StatusCode);
        server.Ingress.Refuse = true;
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await client.ExportAsync(OtlpRequests.RootWithChild().Request));
        statuses.Add("grpc " + refused.StatusCode);
        using (var response = await server.Http.PostAsync(OtlpReceiverOptions.TracesPath, OtlpHttpBodies.Create(OtlpRequests.RootWithChild().Request.ToByteArray(), "application/x-protobuf", gzip: false)))
        {
            statuses.Add("http " + (int)response.StatusCode);
        }

        server.Ingress.Refuse = false;
        using (var response = await server.Http.PostAsync(OtlpReceiverOptions.TracesPath, OtlpHttpBodies.Create([0xFF, 0xFF, 0xFF], "application/x-protobuf", gzip: false)))
        {
            statuses.Add("http " + (int)response.StatusCode);
        }

        using (var response = await server.Http.PostAsync(OtlpReceiverOptions.TracesPath, OtlpHttpBodies.Create(new byte[8192], "application/x-protobuf", gzip: false)))
        {
            statuses.Add("http " + (int)response.StatusCode);
        }

        var notGzip = OtlpHttpBodies.Create(Encoding.ASCII.GetBytes("this is not gzip"), "application/x-protobuf", gzip: false);
        notGzip.Headers.ContentEncoding.Add("gzip");
        using (notGzip)
        using (var response = await server.Http.PostAsync(OtlpReceiverOptions.TracesPath, notGzip))
        {
            statuses.Add("http " + (int)response.StatusCode);
        }

        var grpcAfter = await client.ExportAsync(OtlpRequests.RootWithChild().Request);
        using var httpAfter = await server.Http.PostAsync(OtlpReceiverOptions.TracesPath, OtlpHttpBodies.Create(OtlpRequests.RootWithChild().Request.ToByteArray(), "application/x-protobuf", gzip: false));

        // Assert: each failure came from past the admission, and none kept its place.
        Assert.Equal(["grpc InvalidArgument", "grpc ResourceExhausted", "grpc Unavailable", "http 503", "http 400", "http 413", "http 400"], statuses);
        Assert.Null(grpcAfter.PartialSuccess);
        Assert.Equal(HttpStatusCode.OK, httpAfter.StatusCode);
        Assert.Equal(4, server.Ingress.Spans.Count);
    }

    private static Google.Rpc.Status ParseStatus(byte[] body, string contentType) => contentType == "application/json"
        ? new JsonParser(JsonParser.Settings.Default.WithTypeRegistry(Receiver.Otlp.OtlpErrorStatus.DetailTypes)).Parse<Google.Rpc.Status>(Encoding.UTF8.GetString(body))
        : Google.Rpc.Status.Parser.ParseFrom(body);
}
