// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Implementation.Pipeline;
using HoneyHive.OtelBridge.Implementation.Spans;
using HoneyHive.OtelBridge.LocalApi;

namespace HoneyHive.OtelBridge.EndToEnd.Tests.Implementation.Pipeline;

public sealed partial class BridgePipelineTests
{
    private const string Key = "pipeline-test-key";

    [Fact]
    public async Task FlushAsync_ChildrenBeforeRoot_SessionAndEventTreeStoredInLocalApi()
    {
        // Arrange
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = Key });
        using var httpClient = HoneyHiveApiClient.CreateDefaultHttpClient();
        var client = new HoneyHiveApiClient(httpClient, new HoneyHiveConnectionSettings { ApiKey = Key, BaseUrl = api.BaseAddress });
        using var pipeline = new BridgePipeline(client);
        var traceId = ActivityTraceId.CreateRandom();
        var root = Span(traceId, default, "invoke_agent weather-agent", 0, 900, ("gen_ai.operation.name", "invoke_agent"));
        var chat = Span(traceId, root.SpanId, "chat gpt-4o-mini", 100, 400, ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o-mini"));
        var tool = Span(traceId, chat.SpanId, "execute_tool get_weather", 200, 300, ("gen_ai.operation.name", "execute_tool"));

        // Act: spans end (and are exported) children first, the root last.
        pipeline.Add([tool]);
        pipeline.Add([chat]);
        pipeline.Add([root]);
        var flushed = await pipeline.FlushAsync(TimeSpan.FromSeconds(20));

        // Assert
        Assert.True(flushed);
        var sessionId = HoneyHiveIds.SessionIdForTrace(traceId);
        var stored = await GetSessionAsync(api, sessionId);
        Assert.Equal("invoke_agent weather-agent", (string?)stored["session"]!["event_name"]);
        Assert.Equal(Ms(0), stored["session"]!["start_time"]!.GetValue<long>());
        var events = stored["events"]!.AsArray().Select(e => e!.AsObject()).ToDictionary(e => (string)e["event_name"]!);
        Assert.Equal(2, events.Count);
        Assert.Equal("model", (string?)events["chat gpt-4o-mini"]["event_type"]);
        Assert.Equal(sessionId, (string?)events["chat gpt-4o-mini"]["parent_id"]);
        Assert.Equal("tool", (string?)events["execute_tool get_weather"]["event_type"]);
        Assert.Equal((string?)events["chat gpt-4o-mini"]["event_id"], (string?)events["execute_tool get_weather"]["parent_id"]);
        Assert.Equal(Ms(200), events["execute_tool get_weather"]["start_time"]!.GetValue<long>());
        Assert.Equal(Ms(300), events["execute_tool get_weather"]["end_time"]!.GetValue<long>());
        Assert.Equal(0, pipeline.LostCalls);
    }

    [Fact]
    public async Task FlushAsync_InfiniteTimeout_WaitsForDelivery()
    {
        // Arrange: the SDK's ForceFlush() passes an infinite timeout; it must mean "wait", not "do not wait".
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = Key });
        using var httpClient = HoneyHiveApiClient.CreateDefaultHttpClient();
        var client = new HoneyHiveApiClient(httpClient, new HoneyHiveConnectionSettings { ApiKey = Key, BaseUrl = api.BaseAddress });
        using var pipeline = new BridgePipeline(client);
        var traceId = ActivityTraceId.CreateRandom();
        var root = Span(traceId, default, "root", 0, 100);
        var child = Span(traceId, root.SpanId, "child", 10, 20);
        pipeline.Add([child, root]);

        // Act
        var flushed = await pipeline.FlushAsync(Timeout.InfiniteTimeSpan);

        // Assert
        Assert.True(flushed);
        var stored = await GetSessionAsync(api, HoneyHiveIds.SessionIdForTrace(traceId));
        Assert.Single(stored["events"]!.AsArray());
    }

    [Fact]
    public async Task FlushAsync_RootNeverArrives_SessionBuiltFromWhatIsThereWithNoDanglingParent()
    {
        // Arrange
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = Key });
        using var httpClient = HoneyHiveApiClient.CreateDefaultHttpClient();
        var client = new HoneyHiveApiClient(httpClient, new HoneyHiveConnectionSettings { ApiKey = Key, BaseUrl = api.BaseAddress });
        using var pipeline = new BridgePipeline(client);
        var traceId = ActivityTraceId.CreateRandom();
        var missingRoot = ActivitySpanId.CreateRandom();
        var child = Span(traceId, missingRoot, "chat", 10, 20, ("gen_ai.operation.name", "chat"));

        // Act
        pipeline.Add([child]);
        var flushed = await pipeline.FlushAsync(TimeSpan.FromSeconds(20));

        // Assert
        Assert.True(flushed);
        var stored = await GetSessionAsync(api, HoneyHiveIds.SessionIdForTrace(traceId));
        var events = stored["events"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var ids = events.Select(e => (string)e["event_id"]!).Append(HoneyHiveIds.SessionIdForTrace(traceId)).ToHashSet();
        Assert.Contains(events, e => (string?)e["event_name"] == "chat");
        Assert.All(events, e => Assert.Contains((string)e["parent_id"]!, ids));
    }

    [Fact]
    public async Task Dispose_WhileATryAcceptIsTakingSpans_TheSpansItTookAreDelivered()
    {
        // Arrange: no durable log (the exporter's default), so only the final flush of Dispose can deliver them. The
        // call is held where it has decided to take the spans, as a front door's call is when a shutdown that ran out
        // of time disposes the pipeline under it.
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = Key });
        using var httpClient = HoneyHiveApiClient.CreateDefaultHttpClient();
        var client = new HoneyHiveApiClient(httpClient, new HoneyHiveConnectionSettings { ApiKey = Key, BaseUrl = api.BaseAddress });
        var pipeline = new BridgePipeline(client);
        using var taking = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        pipeline.Accepting = () =>
        {
            taking.Set();
            release.Wait(TimeSpan.FromSeconds(30));
        };
        var traceId = ActivityTraceId.CreateRandom();
        var root = Span(traceId, default, "root", 0, 100);
        var child = Span(traceId, root.SpanId, "child", 10, 20);

        // Act
        var accept = Task.Run(() => pipeline.TryAccept([child, root]));
        Assert.True(taking.Wait(TimeSpan.FromSeconds(10)));
        var dispose = Task.Run(pipeline.Dispose);
        await Task.Delay(TimeSpan.FromMilliseconds(300)); // long enough for a Dispose that does not wait to finish
        var disposedBeforeTheCallEnded = dispose.IsCompleted;
        release.Set();
        var taken = await accept;
        await dispose.WaitAsync(TimeSpan.FromSeconds(30));

        // Assert
        Assert.True(taken);
        Assert.False(disposedBeforeTheCallEnded);
        var stored = await GetSessionAsync(api, HoneyHiveIds.SessionIdForTrace(traceId));
        Assert.Equal("root", (string?)stored["session"]!["event_name"]);
        Assert.Equal("child", (string?)Assert.Single(stored["events"]!.AsArray())!["event_name"]);
    }

    [Fact]
    public async Task TryAccept_AfterDispose_NothingTaken()
    {
        // Arrange
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = Key });
        using var httpClient = HoneyHiveApiClient.CreateDefaultHttpClient();
        var client = new HoneyHiveApiClient(httpClient, new HoneyHiveConnectionSettings { ApiKey = Key, BaseUrl = api.BaseAddress });
        var pipeline = new BridgePipeline(client);
        var called = false;
        pipeline.Accepting = () => called = true;
        pipeline.Dispose();

        // Act
        var taken = pipeline.TryAccept([Span(ActivityTraceId.CreateRandom(), default, "root", 0, 100)]);

        // Assert
        Assert.False(taken);
        Assert.False(called);
    }

    private static long Ms(long offsetMs) => 1_714_492_800_000 + offsetMs;

    private static SpanRecord Span(ActivityTraceId traceId, ActivitySpanId parent, string name, long startMs, long endMs, params (string Key, object? Value)[] attributes) => new()
    {
        TraceId = traceId,
        SpanId = ActivitySpanId.CreateRandom(),
        ParentSpanId = parent,
        Name = name,
        StartTimeUnixNano = Ms(startMs) * 1_000_000,
        EndTimeUnixNano = Ms(endMs) * 1_000_000,
        Attributes = attributes.Select(a => new KeyValuePair<string, object?>(a.Key, a.Value)).ToList(),
    };

    private static async Task<JsonObject> GetSessionAsync(LocalHoneyHiveApi api, string sessionId)
    {
        using var http = new HttpClient { BaseAddress = api.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        var text = await http.GetStringAsync($"/v1/sessions/{sessionId}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
