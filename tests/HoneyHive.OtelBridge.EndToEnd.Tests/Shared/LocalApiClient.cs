// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Spans;
using HoneyHive.OtelBridge.LocalApi;

namespace HoneyHive.OtelBridge.EndToEnd.Tests.Shared;

/// <summary>Reads the local API's store over HTTP, and builds test traces.</summary>
internal static class LocalApiClient
{
    public static async Task<(long Sessions, long Events)> StatsAsync(LocalHoneyHiveApi api)
    {
        using var http = new HttpClient { BaseAddress = api.BaseAddress };
        var stats = JsonNode.Parse(await http.GetStringAsync("/_local/stats"))!;
        return (stats["sessions"]!.GetValue<long>(), stats["events"]!.GetValue<long>());
    }

    public static async Task<JsonObject> GetSessionAsync(LocalHoneyHiveApi api, string key, string sessionId)
    {
        using var http = new HttpClient { BaseAddress = api.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return JsonNode.Parse(await http.GetStringAsync($"/v1/sessions/{sessionId}"))!.AsObject();
    }

    public static HoneyHiveApiClient Client(HttpClient http, Uri baseUrl, string key) =>
        new(http, new HoneyHiveConnectionSettings { ApiKey = key, BaseUrl = baseUrl });

    /// <summary>An address where nothing listens: connections are refused (a retryable failure).</summary>
    public static Uri DeadEndpoint()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>A trace: a root and <paramref name="children"/> children of it, children first (as they end).</summary>
    public static List<SpanRecord> Trace(int children, string? payload = null)
    {
        var traceId = ActivityTraceId.CreateRandom();
        var rootId = ActivitySpanId.CreateRandom();
        const long Start = 1_714_492_800_000_000_000;
        var spans = new List<SpanRecord>();
        for (var i = 0; i < children; i++)
        {
            spans.Add(new SpanRecord
            {
                TraceId = traceId,
                SpanId = ActivitySpanId.CreateRandom(),
                ParentSpanId = rootId,
                Name = "execute_tool step" + i,
                StartTimeUnixNano = Start + ((i + 1) * 1_000_000L),
                EndTimeUnixNano = Start + ((i + 2) * 1_000_000L),
                Attributes = payload is null
                    ? [new("gen_ai.operation.name", "execute_tool")]
                    : [new("gen_ai.operation.name", "execute_tool"), new("input.value", payload)],
            });
        }

        spans.Add(new SpanRecord
        {
            TraceId = traceId,
            SpanId = rootId,
            Name = "invoke_agent",
            StartTimeUnixNano = Start,
            EndTimeUnixNano = Start + ((children + 3) * 1_000_000L),
            Attributes = [new("gen_ai.operation.name", "invoke_agent")],
        });
        return spans;
    }

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan bound)
    {
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            Assert.True(Stopwatch.GetElapsedTime(started) < bound, "condition not met within " + bound);
            await Task.Delay(20);
        }
    }
}
