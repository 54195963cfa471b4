// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Compression;
using HoneyHive.OtelBridge.Implementation.Delivery;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Implementation.Otlp;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Implementation.Pipeline;
using HoneyHive.OtelBridge.LocalApi;
using HoneyHive.OtelBridge.Receiver.Tests;
using HoneyHive.OtelBridge.Receiver.Tests.Otlp;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace HoneyHive.OtelBridge.EndToEnd.Tests.Receiver;

/// <summary>
/// Real OTLP clients over real loopback sockets: client → receiver → pipeline → local API, then the stored session and
/// events read back field by field.
/// </summary>
public sealed class OtlpReceiverEndToEndTests
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.FromUnixTimeMilliseconds(OtlpRequests.EpochMs);

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task DotNetOtlpExporter_AgentTrace_SessionAndEventsStoredFieldByField(OtlpExportProtocol protocol)
    {
        // Arrange
        await using var server = await ReceiverEndToEndServer.StartAsync();
        var sourceName = "e2e-" + protocol;
        using var source = new ActivitySource(sourceName);
        var endpoint = protocol == OtlpExportProtocol.Grpc
            ? server.Host.GrpcAddress
            : new Uri(server.Host.HttpAddress, "/v1/traces");
        Activity.Current = null;
        ActivityTraceId traceId;
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(sourceName)
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("dotnet-e2e"))
            .AddOtlpExporter(o =>
            {
                o.Endpoint = endpoint;
                o.Protocol = protocol;
                o.ExportProcessorType = ExportProcessorType.Simple;
            })
            .Build())
        {
            // Act: children end (and are exported) first, the root last.
            var root = Start(source, "invoke_agent weather-agent", default, 0, ("gen_ai.operation.name", "invoke_agent"), ("input.value", "What is the weather in Paris?"));
            traceId = root.TraceId;
            var chat = Start(source, "chat gpt-4o-mini", root.Context, 100, ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o-mini"), ("input.value", "Paris weather?"), ("output.value", "Sunny"));
            var tool = Start(source, "execute_tool get_weather", chat.Context, 200, ("gen_ai.operation.name", "execute_tool"), ("gen_ai.tool.name", "get_weather"));
            End(tool, 300);
            End(chat, 400);
            End(root, 900);
            Assert.True(provider.ForceFlush(10_000));
        }

        await server.FlushAsync();

        // Assert
        var sessionId = HoneyHiveIds.SessionIdForTrace(traceId);
        var stored = await server.GetSessionAsync(sessionId);
        var session = stored["session"]!;
        Assert.Equal(sessionId, (string?)session["session_id"]);
        Assert.Equal("invoke_agent weather-agent", (string?)session["event_name"]);
        Assert.Equal(OtlpRequests.EpochMs, session["start_time"]!.GetValue<long>());
        Assert.Equal(OtlpRequests.EpochMs + 900, session["end_time"]!.GetValue<long>());
        var events = Events(stored);
        Assert.Equal(2, events.Count);
        var chatEvent = events["chat gpt-4o-mini"];
        Assert.Equal("model", (string?)chatEvent["event_type"]);
        Assert.Equal(sessionId, (string?)chatEvent["parent_id"]);
        Assert.Equal(HoneyHiveIds.EventIdForSpan(traceId, ParseSpanId(chatEvent)), (string?)chatEvent["event_id"]);
        Assert.Equal(OtlpRequests.EpochMs + 100, chatEvent["start_time"]!.GetValue<long>());
        Assert.Equal(OtlpRequests.EpochMs + 400, chatEvent["end_time"]!.GetValue<long>());
        Assert.Equal("Paris weather?", (string?)chatEvent["inputs"]!["input"]);
        Assert.Equal("Sunny", (string?)chatEvent["outputs"]!["output"]);
        Assert.Equal("gpt-4o-mini", (string?)chatEvent["config"]!["model"]);
        var toolEvent = events["execute_tool get_weather"];
        Assert.Equal("tool", (string?)toolEvent["event_type"]);
        Assert.Equal((string?)chatEvent["event_id"], (string?)toolEvent["parent_id"]);
        Assert.Equal(OtlpRequests.EpochMs + 200, toolEvent["start_time"]!.GetValue<long>());
        Assert.Equal(OtlpRequests.EpochMs + 300, toolEvent["end_time"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    public async Task NodeOtlpGrpcExporter_PolyglotExample_SessionAndEventsStored(string compression)
    {
        // Arrange: with gzip, grpc-js compresses each message with zlib (GRPC_TRACE=all shows a 1,000-byte message
        // going out as 630), and the receiver's own gzip (OtlpGzipCompressionProvider) reads it.
        var exampleDir = Path.Combine(RepositoryRoot.Find(), "examples", "polyglot-node");
        Assert.True(
            Directory.Exists(Path.Combine(exampleDir, "node_modules", "@opentelemetry", "exporter-trace-otlp-grpc")),
            $"The Node example's packages are missing: run `npm ci` in {exampleDir} (./test.sh does it).");
        await using var server = await ReceiverEndToEndServer.StartAsync();
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = exampleDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("index.js");
        start.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = server.Host.GrpcAddress.ToString().TrimEnd('/');
        start.Environment["OTEL_EXPORTER_OTLP_COMPRESSION"] = compression;

        // Act
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await process.WaitForExitAsync(timeout.Token);
        }

        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"node exited {process.ExitCode}: {output} {await stderr}");
        var traceHex = output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("trace_id=", StringComparison.Ordinal))["trace_id=".Length..];
        await server.FlushAsync();

        // Assert
        var traceId = ActivityTraceId.CreateFromString(traceHex);
        var sessionId = HoneyHiveIds.SessionIdForTrace(traceId);
        var stored = await server.GetSessionAsync(sessionId);
        var session = stored["session"]!;
        Assert.Equal("invoke_agent weather-agent", (string?)session["event_name"]);
        var sessionStart = session["start_time"]!.GetValue<long>();
        var sessionEnd = session["end_time"]!.GetValue<long>();
        var events = stored["events"]!.AsArray().Select(e => e!.AsObject()).OrderBy(e => e["start_time"]!.GetValue<long>()).ToList();
        // The Node service runs its three spans within a millisecond or two, so start times can tie: compare the
        // (name, type) pairs without depending on the order of equal times.
        Assert.Equal(
            ["chat gpt-4o-mini:model", "chat gpt-4o-mini:model", "execute_tool get_weather:tool"],
            events.Select(e => (string)e["event_name"]! + ":" + (string)e["event_type"]!).Order(StringComparer.Ordinal));
        Assert.All(events, e => Assert.Equal(sessionId, (string?)e["parent_id"]));
        // The Node SDK anchors each span's times to a performance clock that can drift from the wall clock by some
        // milliseconds under load (seen here: a span ending 13 ms "before" it started), so the times are checked to
        // lie within the trace's window, with a second of slack, not to nest exactly.
        Assert.All(events, e =>
        {
            Assert.InRange(e["start_time"]!.GetValue<long>(), sessionStart - 1000, sessionEnd + 1000);
            Assert.InRange(e["end_time"]!.GetValue<long>(), sessionStart - 1000, sessionEnd + 1000);
        });
        var chats = events.Where(e => (string?)e["event_type"] == "model").ToList();
        Assert.All(chats, e => Assert.Equal("gpt-4o-mini", (string?)e["config"]!["model"]));
        Assert.All(chats, e => Assert.Contains("What is the weather in Paris?", e["inputs"]!.ToJsonString(), StringComparison.Ordinal));
        Assert.Contains("polyglot-node-agent", session.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HttpJson_PostedBody_StoredAndAnsweredInJson(bool gzip)
    {
        // Arrange
        await using var server = await ReceiverEndToEndServer.StartAsync();
        var (request, traceId) = OtlpRequests.RootWithChild("json-agent");
        using var http = new HttpClient { BaseAddress = server.Host.HttpAddress };

        // Act
        using var response = await http.PostAsync("/v1/traces", OtlpHttpBodies.Create(Encoding.UTF8.GetBytes(OtlpJsonSerializer.FormatRequest(request)), "application/json", gzip));
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        await server.FlushAsync();

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(answer.ContainsKey("partialSuccess"));
        await AssertRootWithChildStoredAsync(server, traceId, "json-agent");
    }

    [Fact]
    public async Task GrpcNetClient_GzipCompressedExport_Stored()
    {
        // Arrange
        await using var server = await ReceiverEndToEndServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Host.GrpcAddress, new GrpcChannelOptions
        {
            CompressionProviders = [new GzipCompressionProvider(CompressionLevel.Fastest)],
        });
        var (request, traceId) = OtlpRequests.RootWithChild("gzip-agent");

        // Act: the Collector's otlp_grpc exporter compresses with gzip by default.
        var response = await new TraceService.TraceServiceClient(channel).ExportAsync(request, new Metadata { { "grpc-internal-encoding-request", "gzip" } });
        await server.FlushAsync();

        // Assert
        Assert.Null(response.PartialSuccess);
        await AssertRootWithChildStoredAsync(server, traceId, "gzip-agent");
    }

    [Fact]
    public async Task HttpProtobuf_GzipContentEncoding_Stored()
    {
        // Arrange
        await using var server = await ReceiverEndToEndServer.StartAsync();
        var (request, traceId) = OtlpRequests.RootWithChild("http-gzip-agent");
        using var http = new HttpClient { BaseAddress = server.Host.HttpAddress };

        // Act
        using var response = await http.PostAsync("/v1/traces", OtlpHttpBodies.Create(request.ToByteArray(), "application/x-protobuf", gzip: true));
        await server.FlushAsync();

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync()).PartialSuccess);
        await AssertRootWithChildStoredAsync(server, traceId, "http-gzip-agent");
    }

    [Fact]
    public async Task GrpcExport_TenMebibyteRequest_AcceptedAndStored()
    {
        // Arrange: over grpc-dotnet's 4 MiB default, under the receiver's 64 MiB.
        await using var server = await ReceiverEndToEndServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Host.GrpcAddress, new GrpcChannelOptions { MaxSendMessageSize = null });
        var traceId = OtlpRequests.NewTraceId();
        var root = OtlpRequests.Span(traceId, null, "big-agent", 0, 100);
        var chat = OtlpRequests.Span(traceId, root.SpanId.ToByteArray(), "chat", 10, 90, ("gen_ai.operation.name", "chat"), ("input.value", new string('x', 10 * 1024 * 1024)));
        var request = OtlpRequests.Request(chat, root);
        Assert.True(request.CalculateSize() > 10 * 1024 * 1024);

        // Act
        var response = await new TraceService.TraceServiceClient(channel).ExportAsync(request);
        await server.FlushAsync();

        // Assert
        Assert.Null(response.PartialSuccess);
        var stored = await server.GetSessionAsync(HoneyHiveIds.SessionIdForTrace(ActivityTraceId.CreateFromBytes(traceId)));
        Assert.Equal("chat", (string?)Assert.Single(stored["events"]!.AsArray())!["event_name"]);
        Assert.Equal(0, server.Pipeline.LostCalls);
    }

    [Fact]
    public async Task GrpcExport_GoodAndBadSpans_PartialSuccessAndGoodOnesStored()
    {
        // Arrange
        await using var server = await ReceiverEndToEndServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Host.GrpcAddress);
        var traceId = OtlpRequests.NewTraceId();
        var root = OtlpRequests.Span(traceId, null, "mixed-agent", 0, 900);
        var good = OtlpRequests.Span(traceId, root.SpanId.ToByteArray(), "chat", 100, 400, ("gen_ai.operation.name", "chat"));
        var bad = OtlpRequests.Span(traceId, root.SpanId.ToByteArray(), "bad", 100, 400);
        bad.SpanId = ByteString.CopyFrom([1, 2, 3]);

        // Act
        var response = await new TraceService.TraceServiceClient(channel).ExportAsync(OtlpRequests.Request(good, bad, root));
        await server.FlushAsync();

        // Assert
        Assert.NotNull(response.PartialSuccess);
        Assert.Equal(1, response.PartialSuccess.RejectedSpans);
        Assert.False(string.IsNullOrWhiteSpace(response.PartialSuccess.ErrorMessage));
        var stored = await server.GetSessionAsync(HoneyHiveIds.SessionIdForTrace(ActivityTraceId.CreateFromBytes(traceId)));
        Assert.Equal("mixed-agent", (string?)stored["session"]!["event_name"]);
        Assert.Equal("chat", (string?)Assert.Single(stored["events"]!.AsArray())!["event_name"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Export_ApiStalledAndQueueFull_RetryableRefusalThenEveryAcknowledgedTraceDelivered(bool http)
    {
        // Arrange: a small delivery queue (saturated at 8 of 10 calls), one request at a time, an API that stalls.
        var options = new BridgePipelineOptions
        {
            Delivery = new HoneyHiveDeliveryOptions { MaxQueuedCalls = 10, MaxConcurrency = 1 },
        };
        await using var server = await ReceiverEndToEndServer.StartAsync(options);
        server.Api.Faults.Enqueue(new InjectedFault { Delay = TimeSpan.FromMilliseconds(1500), Count = 4 });
        using var channel = GrpcChannel.ForAddress(server.Host.GrpcAddress);
        var grpcClient = new TraceService.TraceServiceClient(channel);
        using var httpClient = new HttpClient { BaseAddress = server.Host.HttpAddress };
        var acknowledged = new List<string>();
        string? refusedSession = null;

        // Act: export one trace (root + child: two calls) per request until the receiver refuses.
        for (var i = 0; i < 50 && refusedSession is null; i++)
        {
            var (request, traceId) = OtlpRequests.RootWithChild("pressure-" + i);
            var sessionId = HoneyHiveIds.SessionIdForTrace(ActivityTraceId.CreateFromBytes(traceId));
            if (http)
            {
                using var response = await httpClient.PostAsync("/v1/traces", OtlpHttpBodies.Create(request.ToByteArray(), "application/x-protobuf", gzip: false));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    acknowledged.Add(sessionId);
                    continue;
                }

                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
                refusedSession = sessionId;
            }
            else
            {
                try
                {
                    await grpcClient.ExportAsync(request);
                    acknowledged.Add(sessionId);
                }
                catch (RpcException ex)
                {
                    Assert.Equal(Grpc.Core.StatusCode.Unavailable, ex.StatusCode);
                    Assert.NotNull(ex.GetRpcStatus()?.GetDetail<RetryInfo>());
                    refusedSession = sessionId;
                }
            }
        }

        await server.FlushAsync();

        // Assert
        Assert.NotNull(refusedSession);
        Assert.NotEmpty(acknowledged);
        Assert.False(await server.SessionExistsAsync(refusedSession));
        foreach (var sessionId in acknowledged)
        {
            var stored = await server.GetSessionAsync(sessionId);
            Assert.Single(stored["events"]!.AsArray());
        }

        var (sessions, events) = await server.StatsAsync();
        Assert.Equal(acknowledged.Count, sessions);
        Assert.Equal(acknowledged.Count, events);
        Assert.Equal(0, server.Pipeline.LostCalls);
        Assert.Empty(server.Pipeline.Delivery.GetLosses());
    }

    private static Activity Start(ActivitySource source, string name, ActivityContext parent, long startMs, params (string Key, object? Value)[] tags)
    {
        var activity = source.StartActivity(name, ActivityKind.Internal, parent, tags.Select(t => new KeyValuePair<string, object?>(t.Key, t.Value)), startTime: Epoch.AddMilliseconds(startMs));
        Assert.NotNull(activity);
        return activity;
    }

    private static void End(Activity activity, long endMs)
    {
        activity.SetEndTime(Epoch.AddMilliseconds(endMs).UtcDateTime);
        activity.Stop();
    }

    private static ActivitySpanId ParseSpanId(JsonNode @event) =>
        ActivitySpanId.CreateFromString(((string?)@event["metadata"]?["span_id"]) ?? throw new InvalidOperationException("metadata.span_id missing: " + @event.ToJsonString()));

    private static Dictionary<string, JsonObject> Events(JsonObject stored) =>
        stored["events"]!.AsArray().Select(e => e!.AsObject()).ToDictionary(e => (string)e["event_name"]!);

    private static async Task AssertRootWithChildStoredAsync(ReceiverEndToEndServer server, byte[] traceId, string name)
    {
        var sessionId = HoneyHiveIds.SessionIdForTrace(ActivityTraceId.CreateFromBytes(traceId));
        var stored = await server.GetSessionAsync(sessionId);
        Assert.Equal(name, (string?)stored["session"]!["event_name"]);
        Assert.Equal(OtlpRequests.EpochMs, stored["session"]!["start_time"]!.GetValue<long>());
        Assert.Equal(OtlpRequests.EpochMs + 900, stored["session"]!["end_time"]!.GetValue<long>());
        var chat = Assert.Single(stored["events"]!.AsArray())!;
        Assert.Equal("chat", (string?)chat["event_name"]);
        Assert.Equal("model", (string?)chat["event_type"]);
        Assert.Equal(sessionId, (string?)chat["parent_id"]);
        Assert.Equal(OtlpRequests.EpochMs + 100, chat["start_time"]!.GetValue<long>());
        Assert.Equal(OtlpRequests.EpochMs + 400, chat["end_time"]!.GetValue<long>());
        Assert.Equal("gpt-4o-mini", (string?)chat["config"]!["model"]);
    }
}
