// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Mapping;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace HoneyHive.OtelBridge.EndToEnd.Tests;

public sealed class HoneyHiveExporterTests
{
    private const int FlushTimeoutMs = 20_000;

    [Fact]
    public async Task Export_SimpleProcessor_SessionAndEventsMatchTheActivities()
    {
        // Arrange
        await using var api = await LocalApiTestServer.StartAsync();
        using var source = NewSource();
        using var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(source.Name)
            .AddHoneyHiveExporter(o => Configure(o, api, ExportProcessorType.Simple))
            .Build();

        // Act
        var trace = new AgentTrace(source).Emit();
        var flushed = provider.ForceFlush(FlushTimeoutMs);

        // Assert
        Assert.True(flushed);
        var sessionId = HoneyHiveIds.SessionIdForTrace(trace.Root!.TraceId);
        var stored = await api.GetSessionAsync(sessionId);
        Assert.NotNull(stored);
        var session = stored["session"]!;
        Assert.Equal(AgentTrace.RootName, (string?)session["event_name"]);
        Assert.Equal("session", (string?)session["event_type"]);
        Assert.Equal(MappingOptions.DefaultSource, (string?)session["source"]);
        Assert.Equal(AgentTrace.UnixMs(trace.Root.StartTimeUtc), session["start_time"]!.GetValue<long>());
        Assert.Equal(AgentTrace.UnixMs(trace.Root.StartTimeUtc + trace.Root.Duration), session["end_time"]!.GetValue<long>());

        var events = await api.GetEventsByNameAsync(sessionId);
        Assert.Equal(3, events.Count);
        AssertEvent(events[AgentTrace.FirstChatName], "model", sessionId, trace.FirstChat!);
        AssertEvent(events[AgentTrace.ToolName], "tool", (string)events[AgentTrace.FirstChatName]["event_id"]!, trace.Tool!);
        AssertEvent(events[AgentTrace.SecondChatName], "model", sessionId, trace.SecondChat!);
        Assert.Equal(HoneyHiveIds.EventIdForSpan(trace.Tool!.TraceId, trace.Tool.SpanId), (string?)events[AgentTrace.ToolName]["event_id"]);

        Assert.Equal(AgentTrace.Question, (string?)events[AgentTrace.FirstChatName]["inputs"]!["chat_history"]![0]!["content"]);
        Assert.Equal("get_weather", (string?)events[AgentTrace.FirstChatName]["outputs"]!["tool_calls"]![0]!["function"]!["name"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"city":"Paris"}"""), events[AgentTrace.ToolName]["inputs"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"temperature_c":18,"sky":"cloudy"}"""), events[AgentTrace.ToolName]["outputs"]));
        Assert.Equal(AgentTrace.Answer, (string?)events[AgentTrace.SecondChatName]["outputs"]!["content"]);
        Assert.Equal(3, events[AgentTrace.SecondChatName]["inputs"]!["chat_history"]!.AsArray().Count);
    }

    [Fact]
    public async Task Export_TextOutsideAscii_StoredAsItWas()
    {
        // Arrange: request bodies carry such text as UTF-8 now (was \u escapes); the local API must read it the same.
        const string Prompt = "東京の天気は？ <b>Grüße</b> & \"quotes\" \\ 😀 C++";
        await using var api = await LocalApiTestServer.StartAsync();
        using var source = NewSource();
        using var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(source.Name)
            .AddHoneyHiveExporter(o => Configure(o, api, ExportProcessorType.Simple))
            .Build();

        // Act
        ActivityTraceId traceId;
        using (var root = source.StartActivity("多言語-agent"))
        {
            traceId = root!.TraceId;
            using var chat = source.StartActivity("chat 天気");
            chat!.SetTag("gen_ai.operation.name", "chat");
            chat.SetTag("gen_ai.input.messages", new JsonArray(new JsonObject { ["role"] = "user", ["parts"] = new JsonArray(new JsonObject { ["type"] = "text", ["content"] = Prompt }) }).ToJsonString());
            chat.SetTag("note", Prompt);
        }

        var flushed = provider.ForceFlush(FlushTimeoutMs);

        // Assert
        Assert.True(flushed);
        var sessionId = HoneyHiveIds.SessionIdForTrace(traceId);
        Assert.Equal("多言語-agent", (string?)(await api.GetSessionAsync(sessionId))!["session"]!["event_name"]);
        var chatEvent = (await api.GetEventsByNameAsync(sessionId))["chat 天気"];
        Assert.Equal(Prompt, (string?)chatEvent["inputs"]!["chat_history"]![0]!["content"]);
        Assert.Equal(Prompt, (string?)chatEvent["metadata"]!["note"]);
    }

    [Fact]
    public async Task Export_BatchProcessor_DeliveredOnForceFlush()
    {
        // Arrange
        await using var api = await LocalApiTestServer.StartAsync();
        using var source = NewSource();
        using var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(source.Name)
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddAttributes([new("deployment.environment.name", "staging")]))
            .AddHoneyHiveExporter(o =>
            {
                Configure(o, api, ExportProcessorType.Batch);
                o.Source = null;
                o.BatchExportProcessorOptions.ScheduledDelayMilliseconds = 60_000;
            })
            .Build();

        // Act
        var trace = new AgentTrace(source).Emit();
        var before = await api.StatsAsync();
        var flushed = provider.ForceFlush(FlushTimeoutMs);

        // Assert
        Assert.Equal((0, 0), before);
        Assert.True(flushed);
        var sessionId = HoneyHiveIds.SessionIdForTrace(trace.Root!.TraceId);
        var stored = await api.GetSessionAsync(sessionId);
        Assert.NotNull(stored);
        Assert.Equal("staging", (string?)stored["session"]!["source"]);
        var events = await api.GetEventsByNameAsync(sessionId);
        Assert.Equal([AgentTrace.FirstChatName, AgentTrace.SecondChatName, AgentTrace.ToolName], events.Keys.Order(StringComparer.Ordinal));
        Assert.All(events.Values, e => Assert.Equal("staging", (string?)e["source"]));
    }

    [Fact]
    public async Task ForceFlush_RootEndsAfterFlush_LaterRootYieldsConsistentSession()
    {
        // Arrange
        await using var api = await LocalApiTestServer.StartAsync();
        using var source = NewSource();
        using var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(source.Name)
            .AddHoneyHiveExporter(o => Configure(o, api, ExportProcessorType.Simple))
            .Build();
        var trace = new AgentTrace(source).EmitChildren();

        // Act: the children are flushed while the root is still open; the root ends afterwards.
        var firstFlush = provider.ForceFlush(FlushTimeoutMs);
        var sessionId = HoneyHiveIds.SessionIdForTrace(trace.Root!.TraceId);
        var beforeRoot = await api.GetEventsByNameAsync(sessionId);
        trace.EndRoot();
        var secondFlush = provider.ForceFlush(FlushTimeoutMs);

        // Assert
        Assert.True(firstFlush);
        Assert.True(secondFlush);
        Assert.Superset(new HashSet<string> { AgentTrace.FirstChatName, AgentTrace.ToolName, AgentTrace.SecondChatName }, beforeRoot.Keys.ToHashSet());
        var stored = await api.GetSessionAsync(sessionId);
        var events = stored!["events"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var ids = events.Select(e => (string)e["event_id"]!).Append(sessionId).ToHashSet();
        Assert.All(events, e => Assert.Contains((string)e["parent_id"]!, ids));
        Assert.Contains(events, e => (string?)e["event_name"] == AgentTrace.ToolName);

        // The root's event (a stand-in the children already point at) is updated by the late root.
        var rootEvent = Assert.Single(events, e => (string?)e["metadata"]!["span_id"] == trace.Root.SpanId.ToHexString());
        Assert.Equal(HoneyHiveIds.EventIdForSpan(trace.Root.TraceId, trace.Root.SpanId), (string?)rootEvent["event_id"]);
        Assert.Equal("chain", (string?)rootEvent["event_type"]);
        Assert.Equal(trace.Root.Duration.TotalMilliseconds, rootEvent["duration"]!.GetValue<double>());
        Assert.Equal(AgentTrace.Answer, (string?)rootEvent["outputs"]!["content"]);
        Assert.Equal(AgentTrace.UnixMs(trace.Root.StartTimeUtc + trace.Root.Duration), rootEvent["metadata"]!["late_span"]!["end_time"]!.GetValue<long>());
        Assert.All(
            events.Where(e => (string?)e["event_name"] is AgentTrace.FirstChatName or AgentTrace.SecondChatName),
            e => Assert.Equal((string?)rootEvent["event_id"], (string?)e["parent_id"]));
    }

    [Fact]
    public async Task Shutdown_RootNeverEnds_ChildrenDeliveredOnShutdown()
    {
        // Arrange
        await using var api = await LocalApiTestServer.StartAsync();
        using var source = NewSource();
        var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(source.Name)
            .AddHoneyHiveExporter(o => Configure(o, api, ExportProcessorType.Simple))
            .Build();
        var trace = new AgentTrace(source).EmitChildren();

        // Act
        var shutdown = provider.Shutdown(FlushTimeoutMs);
        provider.Dispose();

        // Assert
        Assert.True(shutdown);
        var sessionId = HoneyHiveIds.SessionIdForTrace(trace.Root!.TraceId);
        var events = await api.GetEventsByNameAsync(sessionId);
        Assert.Contains(AgentTrace.FirstChatName, events.Keys);
        Assert.Contains(AgentTrace.ToolName, events.Keys);
        Assert.Contains(AgentTrace.SecondChatName, events.Keys);
        var ids = events.Values.Select(e => (string)e["event_id"]!).Append(sessionId).ToHashSet();
        Assert.All(events.Values, e => Assert.Contains((string)e["parent_id"]!, ids));
        trace.Root.Dispose();
    }

    [Fact]
    public async Task Export_ApiDown_ReturnsFailureAndDoesNotThrow()
    {
        // Arrange: an address where nothing listens any more.
        Uri downAddress;
        await using (var stopped = await LocalApiTestServer.StartAsync())
        {
            downAddress = stopped.BaseAddress;
        }

        using var exporter = new HoneyHiveExporter(new HoneyHiveExporterOptions { ApiKey = LocalApiTestServer.ApiKey, Endpoint = downAddress });
        exporter.DeliveryOptions.MaxQueuedCalls = 2;
        exporter.DeliveryOptions.InitialBackoff = TimeSpan.FromSeconds(10);
        exporter.DeliveryOptions.MaxBackoff = TimeSpan.FromSeconds(10);
        exporter.Intake.Capacity = 2;
        var held = exporter.Intake.Hold();

        // Act: the first complete trace (2 spans) fills the intake, whose worker is held; the export thread hands the
        // second over itself, and its 2 calls fill the delivery queue while the API is down; the third is refused.
        var first = exporter.Export(Batch(CompleteTrace("first")));
        var second = exporter.Export(Batch(CompleteTrace("second")));
        var third = exporter.Export(Batch(CompleteTrace("third")));
        exporter.Shutdown(0);
        var afterShutdown = exporter.Export(Batch(CompleteTrace("fourth")));
        held.Dispose();

        // Assert
        Assert.Equal(ExportResult.Success, first);
        Assert.Equal(ExportResult.Success, second);
        Assert.Equal(ExportResult.Failure, third);
        Assert.Equal(ExportResult.Failure, afterShutdown);
    }

    [Fact]
    public async Task Export_DataDirectoryWhileApiDown_SpansDeliveredByTheNextExporterOnTheSameDirectory()
    {
        // Arrange: the first exporter only ever sees an API that is down.
        var directory = Directory.CreateTempSubdirectory("hh-exporter-log-").FullName;
        try
        {
            Uri downAddress;
            await using (var stopped = await LocalApiTestServer.StartAsync())
            {
                downAddress = stopped.BaseAddress;
            }

            var first = CompleteTrace("durable-first");
            using (var down = new HoneyHiveExporter(new HoneyHiveExporterOptions { ApiKey = LocalApiTestServer.ApiKey, Endpoint = downAddress, DataDirectory = directory }))
            {
                // Act 1: the export is taken (written to the log), then the process "stops" with nothing delivered.
                Assert.Equal(ExportResult.Success, down.Export(Batch(first)));
                down.Shutdown(200);
            }

            await using var api = await LocalApiTestServer.StartAsync();
            using var up = new HoneyHiveExporter(new HoneyHiveExporterOptions { ApiKey = LocalApiTestServer.ApiKey, Endpoint = api.BaseAddress, DataDirectory = directory });

            // Act 2: the next exporter on the same directory replays the log when it starts.
            var second = CompleteTrace("durable-second");
            Assert.Equal(ExportResult.Success, up.Export(Batch(second)));
            Assert.True(up.ForceFlush(30_000));

            // Assert: both traces arrived, each once.
            var firstSession = await api.GetSessionAsync(HoneyHiveIds.SessionIdForTrace(first[1].TraceId));
            var secondSession = await api.GetSessionAsync(HoneyHiveIds.SessionIdForTrace(second[1].TraceId));
            Assert.NotNull(firstSession);
            Assert.NotNull(secondSession);
            Assert.Equal("durable-first", (string?)firstSession!["session"]!["event_name"]);
            Assert.Equal((2, 2), await api.StatsAsync());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Export_ActivityThatCannotBeConverted_ReturnsFailureAndDoesNotThrow()
    {
        // Arrange
        await using var api = await LocalApiTestServer.StartAsync();
        using var exporter = new HoneyHiveExporter(new HoneyHiveExporterOptions { ApiKey = LocalApiTestServer.ApiKey, Endpoint = api.BaseAddress });

        // Act: a batch whose array holds a null activity makes the conversion throw inside Export.
        var result = exporter.Export(new Batch<Activity>([null!], 1));

        // Assert
        Assert.Equal(ExportResult.Failure, result);
    }

    internal static ActivitySource NewSource() => new("HoneyHive.OtelBridge.EndToEnd." + Guid.NewGuid().ToString("N"));

    internal static void Configure(HoneyHiveExporterOptions options, LocalApiTestServer api, ExportProcessorType processor)
    {
        options.ApiKey = LocalApiTestServer.ApiKey;
        options.Endpoint = api.BaseAddress;
        options.ExportProcessorType = processor;
    }

    private static void AssertEvent(JsonObject stored, string type, string parentId, Activity activity)
    {
        Assert.Equal(type, (string?)stored["event_type"]);
        Assert.Equal(parentId, (string?)stored["parent_id"]);
        Assert.Equal(AgentTrace.UnixMs(activity.StartTimeUtc), stored["start_time"]!.GetValue<long>());
        Assert.Equal(AgentTrace.UnixMs(activity.StartTimeUtc + activity.Duration), stored["end_time"]!.GetValue<long>());
        Assert.Equal(activity.Duration.TotalMilliseconds, stored["duration"]!.GetValue<double>());
    }

    internal static Batch<Activity> Batch(Activity[] activities) => new(activities, activities.Length);

    internal static Activity[] CompleteTrace(string name)
    {
        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            var root = new Activity(name).SetIdFormat(ActivityIdFormat.W3C).Start();
            var child = new Activity(name + " child").SetIdFormat(ActivityIdFormat.W3C).SetParentId(root.TraceId, root.SpanId).Start();
            child.Stop();
            root.Stop();
            return [child, root];
        }
        finally
        {
            Activity.Current = previous;
        }
    }
}
