// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace HoneyHive.OtelBridge.LocalApi.Tests.Implementation.Http;

public sealed class FaultMiddlewareTests
{
    private static string Batch(int count)
    {
        var events = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            events.Add(new JsonObject { ["event_id"] = $"7f22137a-6911-4ed3-bc36-{i:D12}", ["event_type"] = "chain", ["inputs"] = new JsonObject() });
        }

        return new JsonObject { ["events"] = events }.ToJsonString();
    }

    [Fact]
    public async Task Invoke_FaultPostedOverHttp_NextNRequestsAnswerStatusWithRetryAfter()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync(o => o.EnableFaultInjection = true);
        var posted = await server.PostAsync("/_local/faults", """{"status": 503, "count": 2, "retry_after": "2", "delay_ms": 0, "partial": false}""");

        // Act
        var first = await server.PostAsync("/v1/sessions", "{}");
        var second = await server.PostAsync("/v1/events", """{"event_type": "chain", "inputs": {}}""");
        var third = await server.PostAsync("/v1/sessions", "{}");

        // Assert
        Assert.Equal(HttpStatusCode.OK, posted.Status);
        foreach (var faulted in new[] { first, second })
        {
            faulted.AssertError(HttpStatusCode.ServiceUnavailable, "INJECTED_FAULT");
            Assert.Equal("2", faulted.Headers.GetValues("Retry-After").Single());
        }

        Assert.Equal(HttpStatusCode.OK, third.Status);
        Assert.Equal((1L, 0L), await server.StatsAsync());
    }

    [Fact]
    public async Task Invoke_FaultEnqueuedInProcess_AppliesOnlyToV1Routes()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync(o => o.EnableFaultInjection = true);
        server.Api.Faults.Enqueue(new InjectedFault { StatusCode = 429 });

        // Act
        var stats = await server.GetAsync("/_local/stats");
        var faulted = await server.PostAsync("/v1/sessions", "{}");
        var after = await server.PostAsync("/v1/sessions", "{}");

        // Assert
        Assert.Equal(HttpStatusCode.OK, stats.Status);
        faulted.AssertError(HttpStatusCode.TooManyRequests, "INJECTED_FAULT");
        Assert.False(faulted.Headers.Contains("Retry-After"));
        Assert.Equal(HttpStatusCode.OK, after.Status);
    }

    [Fact]
    public async Task Invoke_DelayOnlyFault_ServesRequestAfterDelay()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync(o => o.EnableFaultInjection = true);
        await server.PostAsync("/_local/faults", """{"delay_ms": 300}""");
        var stopwatch = Stopwatch.StartNew();

        // Act
        var response = await server.PostAsync("/v1/sessions", "{}");

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(250), stopwatch.Elapsed.ToString());
        Assert.Equal((1L, 0L), await server.StatsAsync());
    }

    [Fact]
    public async Task Invoke_PartialFaultOnSessionBatch_StoresFirstHalfThenRepostCompletes()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync(o => o.EnableFaultInjection = true);
        var sessionId = await server.CreateSessionAsync();
        await server.PostAsync("/_local/faults", """{"status": 500, "partial": true}""");
        var batch = Batch(10);

        // Act
        var partial = await server.PostAsync($"/v1/sessions/{sessionId}/events/batch", batch);
        var afterPartial = await server.StatsAsync();
        var repost = await server.PostAsync($"/v1/sessions/{sessionId}/events/batch", batch);

        // Assert
        var error = partial.AssertError(HttpStatusCode.InternalServerError);
        Assert.Equal("Events partially added", error["message"]!.GetValue<string>());
        Assert.Equal((1L, 5L), afterPartial);
        Assert.Equal(HttpStatusCode.OK, repost.Status);
        Assert.Equal((1L, 10L), await server.StatsAsync());
    }

    [Fact]
    public async Task Invoke_PartialFaultOnEventsBatch_StoresFirstHalf()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync(o => o.EnableFaultInjection = true);
        server.Api.Faults.Enqueue(new InjectedFault { StatusCode = 500, Partial = true });

        // Act
        var response = await server.PostAsync("/v1/events/batch", Batch(4));

        // Assert
        var error = response.AssertError(HttpStatusCode.InternalServerError);
        Assert.Equal("Events partially created", error["message"]!.GetValue<string>());
        Assert.Equal((0L, 2L), await server.StatsAsync());
    }

    [Fact]
    public async Task Invoke_PartialFaultOnNonBatchRoute_AnswersPlainStatus()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync(o => o.EnableFaultInjection = true);
        server.Api.Faults.Enqueue(new InjectedFault { StatusCode = 500, Partial = true });

        // Act
        var response = await server.PostAsync("/v1/sessions", "{}");

        // Assert
        response.AssertError(HttpStatusCode.InternalServerError, "INJECTED_FAULT");
        Assert.Equal((0L, 0L), await server.StatsAsync());
    }

    [Fact]
    public async Task Invoke_FaultsCleared_RequestsServedNormally()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync(o => o.EnableFaultInjection = true);
        await server.PostAsync("/_local/faults", """{"status": 503, "count": 5}""");

        // Act
        var cleared = await server.DeleteAsync("/_local/faults");
        var response = await server.PostAsync("/v1/sessions", "{}");

        // Assert
        Assert.Equal(HttpStatusCode.OK, cleared.Status);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(0, server.Api.Faults.Pending);
    }
}
