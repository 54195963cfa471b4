// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using HoneyHive.OtelBridge.EndToEnd.Tests.Shared;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Delivery;
using HoneyHive.OtelBridge.LocalApi;
using Xunit.Abstractions;

namespace HoneyHive.OtelBridge.EndToEnd.Tests.Implementation.Delivery;

/// <summary>Delivery against the real local API over HTTP, with its fault injection.</summary>
[Collection("NonParallel")]
public sealed class HoneyHiveDeliveryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Key = "hh_ingst_E2EDELIVERYSECRET0000000_0123456789";
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(60);

    private readonly TestEventListener listener = new("OpenTelemetry-HoneyHive-Exporter");
    private LocalHoneyHiveApi api = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        this.api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = Key, EnableFaultInjection = true });
        this.http = HoneyHiveApiClient.CreateDefaultHttpClient();
    }

    public async Task DisposeAsync()
    {
        // Invariant 6, for every test of the class: the key is in no diagnostic.
        Assert.All(this.listener.Lines, line => Assert.DoesNotContain(Key, line, StringComparison.Ordinal));
        this.listener.Dispose();
        this.http.Dispose();
        await this.api.DisposeAsync();
    }

    [Fact]
    public async Task Submit_429WithRetryAfter2_NextAttemptWaitsAtLeastTwoSeconds()
    {
        // Arrange
        this.api.Faults.Enqueue(new InjectedFault { StatusCode = 429, RetryAfter = "2" });
        using var delivery = this.CreateDelivery();
        var sessionId = Guid.NewGuid().ToString();

        // Act
        var started = Stopwatch.GetTimestamp();
        delivery.Submit([new StartSessionCall(new SessionStartRequest { SessionId = sessionId, SessionName = "throttled", Inputs = [] })]);
        var flushed = await delivery.FlushAsync(Bounded);
        var elapsed = Stopwatch.GetElapsedTime(started);

        // Assert
        Assert.True(flushed);
        var retry = TestEventListener.PayloadOf(Assert.Single(this.listener.Events, e => e.EventName == "CallRetrying"));
        Assert.Equal("RateLimited", retry["reason"]);
        Assert.Equal(429, retry["statusCode"]);
        Assert.True((double)retry["delayMilliseconds"]! >= 2000, "delay was " + retry["delayMilliseconds"]);
        Assert.True(elapsed >= TimeSpan.FromSeconds(2), "elapsed " + elapsed);
        Assert.Equal((1L, 0L), await LocalApiClient.StatsAsync(this.api));
        output.WriteLine($"429 Retry-After 2: delivered after {elapsed.TotalSeconds:0.00} s, retry delay {retry["delayMilliseconds"]:0} ms");
    }

    [Fact]
    public async Task Submit_OneEventOfABatchOf100HasAFieldTheApiRefuses_99DeliveredOneLoggedWithTheReason()
    {
        // Arrange
        using var delivery = this.CreateDelivery();
        var sessionId = Guid.NewGuid().ToString();
        var events = Enumerable.Range(0, 100).Select(i => new EventRequest
        {
            EventId = Guid.NewGuid().ToString(),
            ParentId = i == 63 ? "not-a-uuid" : sessionId,
            EventType = EventTypes.Tool,
            EventName = "tool " + i,
            Inputs = [],
        }).ToList();
        var refused = events[63].EventId;

        // Act
        delivery.Submit([
            new StartSessionCall(new SessionStartRequest { SessionId = sessionId, SessionName = "one bad event", Inputs = [] }),
            new SessionEventBatchCall(sessionId, new SessionEventBatchRequest { Events = events }),
        ]);
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert
        Assert.True(flushed);
        Assert.Equal((1L, 99L), await LocalApiClient.StatsAsync(this.api));
        var stored = (await LocalApiClient.GetSessionAsync(this.api, Key, sessionId))["events"]!.AsArray()
            .Select(e => (string)e!["event_id"]!).ToHashSet();
        Assert.Equal(events.Select(e => e.EventId!).Where(id => id != refused).ToHashSet(), stored);
        Assert.Equal((1L, 1L), delivery.GetLosses()["BadRequest"]);
        var dropped = TestEventListener.PayloadOf(Assert.Single(this.listener.Events, e => e.EventName == "CallDropped"));
        Assert.Equal("BadRequest", dropped["reason"]);
        Assert.Equal(400, dropped["statusCode"]);
        Assert.Equal(1, dropped["eventCount"]);
        Assert.Contains("parent_id", (string)dropped["message"]!, StringComparison.Ordinal);
        output.WriteLine($"batch of 100 with one refused event: 99 stored, 1 lost (BadRequest), {delivery.SplitRequests} splits; message: {dropped["message"]}");
    }

    [Fact]
    public async Task Submit_500PartiallyAddedOnABatch_RetriedWithTheSameIdsAndEachEventStoredOnce()
    {
        // Arrange
        using var delivery = this.CreateDelivery();
        var sessionId = Guid.NewGuid().ToString();
        var start = new StartSessionCall(new SessionStartRequest { SessionId = sessionId, SessionName = "partial", Inputs = [] });
        var events = Enumerable.Range(0, 10)
            .Select(i => new EventRequest { EventId = Guid.NewGuid().ToString(), ParentId = sessionId, EventType = EventTypes.Chain, Inputs = [] })
            .ToList();

        // Act: the fault hits the next /v1/ request, so the session is created first and the batch meets it.
        delivery.Submit([start]);
        Assert.True(await delivery.FlushAsync(Bounded));
        this.api.Faults.Enqueue(new InjectedFault { StatusCode = 500, Partial = true });
        delivery.Submit([new SessionEventBatchCall(sessionId, new SessionEventBatchRequest { Events = events })]);
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert
        Assert.True(flushed);
        var retries = this.listener.Events.Where(e => e.EventName == "CallRetrying").Select(TestEventListener.PayloadOf).ToList();
        Assert.Contains(retries, r => (string?)r["reason"] == "PartiallyAdded" && (int)r["statusCode"]! == 500);
        var stored = (await LocalApiClient.GetSessionAsync(this.api, Key, sessionId))["events"]!.AsArray()
            .Select(e => (string)e!["event_id"]!).ToList();
        Assert.Equal(events.Select(e => e.EventId!).Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        Assert.Equal((1L, 10L), await LocalApiClient.StatsAsync(this.api));
        Assert.Empty(delivery.GetLosses());
    }

    private HoneyHiveDelivery CreateDelivery() => new(
        LocalApiClient.Client(this.http, this.api.BaseAddress, Key),
        new HoneyHiveDeliveryOptions { InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(500) });
}
