// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Delivery;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Tests.Implementation.Mapping;
using HoneyHive.OtelBridge.Tests.Shared;
using Microsoft.Extensions.Configuration;

namespace HoneyHive.OtelBridge.Tests.Implementation.Delivery;

[Collection("NonParallel")]
public sealed class HoneyHiveDeliveryTests : IAsyncLifetime
{
    private const string ApiKey = "hh_ingst_DELIVERYSECRETKEY000000000_0123456789";
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(30);

    private FakeHoneyHiveApi server = null!;
    private HttpClient httpClient = null!;

    public async Task InitializeAsync()
    {
        this.server = await FakeHoneyHiveApi.StartAsync();
        this.httpClient = HoneyHiveApiClient.CreateDefaultHttpClient();
    }

    public async Task DisposeAsync()
    {
        this.httpClient.Dispose();
        await this.server.DisposeAsync();
    }

    [Fact]
    public async Task FlushAsync_ManySessionsConcurrently_EachSessionCreatedBeforeItsEvents()
    {
        // Arrange
        var created = new ConcurrentDictionary<string, bool>();
        var violations = new ConcurrentQueue<string>();
        int current = 0, peak = 0;
        this.server.Respond = async request =>
        {
            var now = Interlocked.Increment(ref current);
            InterlockedMax(ref peak, now);
            try
            {
                if (request.Path == "/v1/sessions")
                {
                    await Task.Delay(Random.Shared.Next(5, 25));
                    created[(string)JsonNode.Parse(request.Body)!["session_id"]!] = true;
                }
                else if (request.Path == "/v1/events/batch")
                {
                    // Cross-session batch: every event names its session, which must exist.
                    foreach (var e in JsonNode.Parse(request.Body)!["events"]!.AsArray())
                    {
                        if (!created.ContainsKey((string)e!["session_id"]!))
                        {
                            violations.Enqueue(request.Path + " " + (string)e["event_id"]!);
                        }
                    }
                }
                else if (!created.ContainsKey(request.Path.Split('/')[3]))
                {
                    violations.Enqueue(request.Path);
                }

                return FakeResponse.Ok();
            }
            finally
            {
                Interlocked.Decrement(ref current);
            }
        };
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions { MaxConcurrency = 4 });

        // Act
        for (var s = 0; s < 40; s++)
        {
            var sessionId = SessionId(s);
            delivery.Submit([StartSession(sessionId), Batch(sessionId, "a" + s, "b" + s), Batch(sessionId, "c" + s)]);
        }

        var flushed = await delivery.FlushAsync(Bounded);

        // Assert
        Assert.True(flushed);
        Assert.Empty(violations);
        Assert.Equal(40, created.Count);
        Assert.Equal(120, this.server.Requests.Where(r => r.Path.EndsWith("/batch", StringComparison.Ordinal)).Sum(r => EventIds(r).Count));
        Assert.True(peak > 1, "requests of different sessions should overlap");
        Assert.Equal(0, delivery.PendingCalls);
        Assert.Empty(delivery.GetLosses());
    }

    [Fact]
    public async Task Submit_BatchesQueuedTogether_AreMergedInOrderUpToTheEventCap()
    {
        // Arrange
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        this.server.Respond = async request =>
        {
            if (request.Path == "/v1/sessions")
            {
                await gate.Task.WaitAsync(Bounded);
            }

            return FakeResponse.Ok();
        };
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions { MaxEventsPerBatch = 3 });
        var sessionId = SessionId(1);

        // Act
        delivery.Submit([StartSession(sessionId), Batch(sessionId, "e1"), Batch(sessionId, "e2")]);
        delivery.Submit([Batch(sessionId, "e3", "e4"), Batch(sessionId, "e5", "e6", "e7", "e8")]);
        gate.SetResult();
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert
        Assert.True(flushed);
        var batches = this.server.Requests.Where(r => r.Path == "/v1/sessions/" + sessionId + "/events/batch").Select(EventIds).ToList();
        Assert.Equal([["e1", "e2", "e3"], ["e4", "e5", "e6"], ["e7", "e8"]], batches);
        Assert.Equal(8, delivery.DeliveredEvents);
    }

    [Fact]
    public async Task Submit_LargeEvents_MergedBatchesStayUnderTheByteCap()
    {
        // Arrange
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        this.server.Respond = async request =>
        {
            if (request.Path == "/v1/sessions")
            {
                await gate.Task.WaitAsync(Bounded);
            }

            return FakeResponse.Ok();
        };
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions { MaxBatchBytes = 1024 });
        var sessionId = SessionId(2);
        var calls = new List<ApiCall> { StartSession(sessionId) };
        for (var i = 0; i < 6; i++)
        {
            var call = Batch(sessionId, "big" + i);
            call.Request.Events[0].Inputs["text"] = new string('x', 300);
            calls.Add(call);
        }

        // Act
        delivery.Submit(calls);
        gate.SetResult();
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert
        Assert.True(flushed);
        var batches = this.server.Requests.Where(r => r.Path.EndsWith("/batch", StringComparison.Ordinal)).ToList();
        Assert.All(batches, r => Assert.True(System.Text.Encoding.UTF8.GetByteCount(r.Body) <= 1024, r.Body.Length.ToString(CultureInfo.InvariantCulture)));
        Assert.True(batches.Count is > 1 and < 6, "events should be merged, but not beyond the byte cap");
        Assert.Equal(Enumerable.Range(0, 6).Select(i => "big" + i), batches.SelectMany(EventIds));
    }

    [Fact]
    public async Task Submit_503ThenSuccess_RetriesWithTheSameBodyAndDelivers()
    {
        // Arrange
        var failures = 0;
        this.server.Respond = request => Task.FromResult(
            request.Path.EndsWith("/batch", StringComparison.Ordinal) && Interlocked.Increment(ref failures) <= 2
                ? new FakeResponse(503, "{\"statusCode\":503,\"message\":\"busy\",\"success\":false}")
                : FakeResponse.Ok());
        using var delivery = this.CreateDelivery(FastRetries());
        var sessionId = SessionId(3);

        // Act
        delivery.Submit([StartSession(sessionId), Batch(sessionId, "r1", "r2")]);
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert
        Assert.True(flushed);
        var batches = this.server.Requests.Where(r => r.Path.EndsWith("/batch", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, batches.Count);
        Assert.Single(batches.Select(b => b.Body).Distinct());
        Assert.Equal(2, delivery.DeliveredEvents);
        Assert.Empty(delivery.GetLosses());
    }

    [Fact]
    public async Task Submit_429WithRetryAfter_WaitsAtLeastRetryAfterBeforeRetrying()
    {
        // Arrange
        var first = 0;
        this.server.Respond = _ => Task.FromResult(
            Interlocked.Exchange(ref first, 1) == 0
                ? new FakeResponse(429, null, new Dictionary<string, string> { ["Retry-After"] = "1" })
                : FakeResponse.Ok());
        using var delivery = this.CreateDelivery(FastRetries());

        // Act
        delivery.Submit([StartSession(SessionId(4))]);
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert
        Assert.True(flushed);
        var requests = this.server.Requests;
        Assert.Equal(2, requests.Count);
        var gap = Stopwatch.GetElapsedTime(requests[0].Timestamp, requests[1].Timestamp);
        Assert.True(gap >= TimeSpan.FromSeconds(1), "gap was " + gap);
    }

    [Fact]
    public async Task Submit_400OnEveryEvent_SplitsToSingleEventsAndCountsAndLogsEachWithItsReason()
    {
        // Arrange
        using var listener = new TestEventListener("OpenTelemetry-HoneyHive-Exporter");
        this.server.Respond = request => Task.FromResult(
            request.Path.EndsWith("/batch", StringComparison.Ordinal)
                ? new FakeResponse(400, "{\"statusCode\":400,\"message\":\"Unrecognized key: 'project'\",\"success\":false,\"errorCode\":\"VALIDATION\"}")
                : FakeResponse.Ok());
        using var delivery = this.CreateDelivery(FastRetries());
        var sessionId = SessionId(5);

        // Act
        delivery.Submit([StartSession(sessionId), Batch(sessionId, "x1", "x2")]);
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert
        Assert.True(flushed);
        var batches = this.server.Requests.Where(r => r.Path.EndsWith("/batch", StringComparison.Ordinal)).Select(EventIds).ToList();
        Assert.Equal([["x1", "x2"], ["x1"], ["x2"]], batches);
        Assert.Equal((2L, 2L), delivery.GetLosses()["BadRequest"]);
        Assert.Equal(1L, delivery.SplitRequests);
        var dropped = listener.Events.Where(e => e.EventName == "CallDropped").ToList();
        Assert.Equal(2, dropped.Count);
        foreach (var e in dropped)
        {
            var payload = e.PayloadNames!.Zip(e.Payload!).ToDictionary(p => p.First, p => p.Second);
            Assert.Equal("POST", payload["method"]);
            Assert.Equal("/v1/sessions/" + sessionId + "/events/batch", payload["path"]);
            Assert.Equal("BadRequest", payload["reason"]);
            Assert.Equal(400, payload["statusCode"]);
            Assert.Equal(1, payload["eventCount"]);
            Assert.Contains("Unrecognized key: 'project'", (string)payload["message"]!, StringComparison.Ordinal);
        }

        Assert.All(listener.Events, e => Assert.DoesNotContain(ApiKey, string.Join("|", e.Payload ?? []), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Submit_OneRefusedEventInABatchOf100_SplitsUntilItIsAloneAndDeliversTheOther99()
    {
        // Arrange
        using var listener = new TestEventListener("OpenTelemetry-HoneyHive-Exporter");
        var stored = new ConcurrentBag<string>();
        this.server.Respond = request =>
        {
            if (!request.Path.EndsWith("/batch", StringComparison.Ordinal))
            {
                return Task.FromResult(FakeResponse.Ok());
            }

            var ids = EventIds(request);
            if (ids.Contains("e37"))
            {
                return Task.FromResult(new FakeResponse(400, "{\"statusCode\":400,\"message\":\"Invalid event at index 3: field 'parent_id' must be a UUID.\",\"success\":false}"));
            }

            ids.ForEach(stored.Add);
            return Task.FromResult(FakeResponse.Ok());
        };
        using var delivery = this.CreateDelivery(FastRetries());
        var sessionId = SessionId(20);
        var events = Enumerable.Range(0, 100).Select(i => "e" + i).ToArray();

        // Act
        delivery.Submit([StartSession(sessionId), Batch(sessionId, events)]);
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert
        Assert.True(flushed);
        Assert.Equal(events.Where(e => e != "e37").Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        Assert.Equal((1L, 1L), delivery.GetLosses()["BadRequest"]);
        Assert.Equal(99, delivery.DeliveredEvents);

        // Six splits (of 100, 50, 25, 13, 6 and 3 events) isolate it, each sending two halves: 1 + 2 * 6 requests.
        Assert.Equal(13, this.server.Requests.Count(r => r.Path.EndsWith("/batch", StringComparison.Ordinal)));
        var dropped = Assert.Single(listener.Events, e => e.EventName == "CallDropped");
        var payload = dropped.PayloadNames!.Zip(dropped.Payload!).ToDictionary(p => p.First, p => p.Second);
        Assert.Equal(1, payload["eventCount"]);
        Assert.Equal("BadRequest", payload["reason"]);
        Assert.Contains("must be a UUID", (string)payload["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_KeyRejected_PausesWithOneErrorKeepsEveryCallAndResumesWhenTheKeyWorks()
    {
        // Arrange
        using var listener = new TestEventListener("OpenTelemetry-HoneyHive-Exporter");
        var keyFixed = 0;
        this.server.Respond = _ => Task.FromResult(
            Volatile.Read(ref keyFixed) == 0
                ? new FakeResponse(404, "{\"statusCode\":404,\"message\":\"Not found\",\"errorCode\":\"NOT_FOUND_OR_UNAUTHORIZED\"}")
                : FakeResponse.Ok());
        var options = FastRetries();
        options.KeyRejectedProbeInterval = TimeSpan.FromMilliseconds(200);
        using var delivery = this.CreateDelivery(options);

        // Act
        for (var s = 30; s < 40; s++)
        {
            delivery.Submit([StartSession(SessionId(s)), Batch(SessionId(s), "k" + s)]);
        }

        await WaitUntilAsync(() => delivery.IsPaused);
        var probesBefore = this.server.Requests.Count;
        await Task.Delay(1000);
        var probesDuring = this.server.Requests.Count - probesBefore;
        var pendingWhilePaused = delivery.PendingCalls;
        var flushedWhilePaused = await delivery.FlushAsync(TimeSpan.FromMilliseconds(50));
        Interlocked.Exchange(ref keyFixed, 1);
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert
        Assert.Equal(20, pendingWhilePaused);
        Assert.False(flushedWhilePaused);
        Assert.InRange(probesDuring, 1, 8);
        Assert.True(flushed);
        Assert.False(delivery.IsPaused);
        Assert.Empty(delivery.GetLosses());
        Assert.Equal(10, delivery.DeliveredEvents);
        Assert.Single(listener.Events, e => e.Level <= System.Diagnostics.Tracing.EventLevel.Error);
        Assert.Single(listener.Events, e => e.EventName == "DeliveryPaused");
        Assert.Single(listener.Events, e => e.EventName == "DeliveryResumed");
        Assert.Equal(1, delivery.KeyRejectedPauses);
        Assert.All(listener.Events, e => Assert.DoesNotContain(ApiKey, string.Join("|", e.Payload ?? []), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Submit_404NamingAMissingSession_IsCountedAsNotFoundWithoutPausing()
    {
        // Arrange
        this.server.Respond = request => Task.FromResult(
            request.Path.EndsWith("/batch", StringComparison.Ordinal)
                ? new FakeResponse(404, "{\"statusCode\":404,\"message\":\"Session not found\",\"errorCode\":\"SESSION_NOT_FOUND\"}")
                : FakeResponse.Ok());
        using var delivery = this.CreateDelivery(FastRetries());
        var sessionId = SessionId(41);

        // Act
        delivery.Submit([StartSession(sessionId), Batch(sessionId, "n1")]);
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert
        Assert.True(flushed);
        Assert.False(delivery.IsPaused);
        Assert.Equal(0, delivery.KeyRejectedPauses);
        Assert.Equal((1L, 1L), delivery.GetLosses()[HoneyHiveDelivery.NotFoundReason]);
    }

    [Fact]
    public async Task Submit_HeadBatchesOfManyCreatedSessions_MergedIntoOneCrossSessionBatch()
    {
        // Arrange: one worker, held by the first batch while the others queue up behind it.
        var (hold, held) = this.HoldBatchesOf(SessionId(50));
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions { MaxConcurrency = 1 });
        var sessions = Enumerable.Range(50, 20).Select(SessionId).ToList();
        foreach (var sessionId in sessions)
        {
            delivery.Submit([StartSession(sessionId)]);
        }

        Assert.True(await delivery.FlushAsync(Bounded));
        var before = this.server.Requests.Count;

        // Act
        var flushed = await SubmitBehindHeldAsync(delivery, (hold, held), Batch(sessions[0], "first"), sessions.Skip(1).Select(sessionId => Batch(sessionId, "x" + sessionId[^2..], "y" + sessionId[^2..])));

        // Assert
        Assert.True(flushed);
        var requests = this.server.Requests.Skip(before).ToList();
        Assert.Equal(2, requests.Count);
        var merged = requests[1];
        Assert.Equal("/v1/events/batch", merged.Path);
        var events = JsonNode.Parse(merged.Body)!["events"]!.AsArray();
        Assert.Equal(38, events.Count);
        Assert.Equal(sessions.Skip(1), events.Select(e => (string)e!["session_id"]!).Distinct().Order(StringComparer.Ordinal));
        Assert.All(events, e => Assert.EndsWith(((string)e!["session_id"]!)[^2..], (string)e["event_id"]!, StringComparison.Ordinal));
        Assert.Equal(1, delivery.CrossSessionBatches);
        Assert.Equal(39, delivery.DeliveredEvents);
    }

    [Fact]
    public async Task Submit_SessionsCreatedOneAtATime_TheirEventsWaitUntilTheyFillABatchAndGoOutInOneRequest()
    {
        // Arrange: a delay no test run reaches, so only a full batch sends the waiting events.
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions { MaxEventsPerBatch = 10, EventBatchDelay = TimeSpan.FromMinutes(1) });

        // Act
        var eventsSentBeforeTheFourth = await this.SubmitFourTracesOneAtATimeAsync(delivery);

        // Assert: 9 events waited; the fourth session's 3 made 12 >= 10, and the 12 went out in two requests, not four.
        Assert.Equal(0, eventsSentBeforeTheFourth);
        var batches = this.server.Requests.Where(r => r.Path.EndsWith("/batch", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, batches.Count);
        Assert.Equal("/v1/events/batch", batches[0].Path);
        Assert.Equal(10, EventIds(batches[0]).Count);
        Assert.Equal(12, delivery.DeliveredEvents);
        Assert.Equal(0, delivery.PendingCalls);
    }

    [Fact]
    public async Task Submit_NoEventBatchDelay_EachSessionsEventsSentOnceItIsCreated()
    {
        // Arrange
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions { MaxEventsPerBatch = 10, EventBatchDelay = TimeSpan.Zero });

        // Act
        var eventsSentBeforeTheFourth = await this.SubmitFourTracesOneAtATimeAsync(delivery);

        // Assert
        Assert.Equal(9, eventsSentBeforeTheFourth);
        Assert.True(this.server.Requests.Count(r => r.Path.EndsWith("/batch", StringComparison.Ordinal)) >= 3);
    }

    [Fact]
    public async Task Submit_FewerEventsThanABatch_SentOnceTheDelayIsOverWithoutAFlush()
    {
        // Arrange
        var delay = TimeSpan.FromMilliseconds(300);
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions { EventBatchDelay = delay });
        var sessionId = SessionId(80);
        var submitted = Stopwatch.GetTimestamp();

        // Act
        delivery.Submit([StartSession(sessionId), Batch(sessionId, "w1", "w2")]);
        await WaitUntilAsync(() => this.server.Requests.Any(r => r.Path.EndsWith("/batch", StringComparison.Ordinal)));

        // Assert
        Assert.True(Stopwatch.GetElapsedTime(submitted) >= delay, "the events should have waited for others to join them");
        Assert.Equal(["w1", "w2"], this.server.Requests.Where(r => r.Path.EndsWith("/batch", StringComparison.Ordinal)).SelectMany(EventIds));
        await WaitUntilAsync(() => delivery.PendingCalls == 0);
    }

    [Fact]
    public async Task FlushAsync_EventsWaitingForMore_SendsThemAtOnce()
    {
        // Arrange: events that would wait a minute.
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions { EventBatchDelay = TimeSpan.FromMinutes(1) });
        var sessions = Enumerable.Range(81, 3).Select(SessionId).ToList();
        foreach (var sessionId in sessions)
        {
            delivery.Submit([StartSession(sessionId), Batch(sessionId, "f" + sessionId[^2..])]);
        }

        await WaitUntilAsync(() => this.server.Requests.Count(r => r.Path == "/v1/sessions") == 3);

        // Act
        var flushed = await delivery.FlushAsync(TimeSpan.FromSeconds(10));

        // Assert
        Assert.True(flushed);
        Assert.Equal(["f81", "f82", "f83"], this.server.Requests.Where(r => r.Path.EndsWith("/batch", StringComparison.Ordinal)).SelectMany(EventIds).Order(StringComparer.Ordinal));
        Assert.Equal(0, delivery.PendingCalls);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Submit_CrossSessionBatch_BodyIsTheBytesTheSerializerWritesForTheEventsWithTheirSession(bool eventsCarryTheirSession)
    {
        // Arrange: one worker, held by the first batch while the others queue up behind it.
        var (hold, held) = this.HoldBatchesOf(SessionId(80));
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions { MaxConcurrency = 1 });
        var sessions = Enumerable.Range(80, 4).Select(SessionId).ToList();
        delivery.Submit([.. sessions.Select(StartSession)]);
        Assert.True(await delivery.FlushAsync(Bounded));
        var before = this.server.Requests.Count;
        List<EventRequest> Events(int session) =>
            [.. Enumerable.Range(session * 10, 3).Select(i => TestEvents.Rich(i, eventsCarryTheirSession ? sessions[session] : null))];

        // Act
        SessionEventBatchCall Call(int s) => new(sessions[s], new SessionEventBatchRequest { Events = Events(s) });
        var flushed = await SubmitBehindHeldAsync(delivery, (hold, held), Call(0), Enumerable.Range(1, sessions.Count - 1).Select(Call));

        // Assert: what the old path sent, in the order delivery merged the sessions: each event's session_id set,
        // then the batch serialized.
        Assert.True(flushed);
        var requests = this.server.Requests.Skip(before).ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal(new SessionEventBatchCall(sessions[0], new SessionEventBatchRequest { Events = Events(0) }).GetBodyUtf8(), Encoding.UTF8.GetBytes(requests[0].Body));
        var expected = new List<EventRequest>();
        foreach (var n in EventIds(requests[1]).Select(id => int.Parse(id[^12..], CultureInfo.InvariantCulture)))
        {
            var e = TestEvents.Rich(n, eventsCarryTheirSession ? sessions[n / 10] : null);
            e.SessionId = sessions[n / 10];
            expected.Add(e);
        }

        Assert.Equal(9, expected.Count);

        Assert.Equal("/v1/events/batch", requests[1].Path);
        Assert.Equal(new EventBatchCall(new EventBatchRequest { Events = expected }).GetBodyUtf8(), Encoding.UTF8.GetBytes(requests[1].Body));
        Assert.Equal(1, delivery.CrossSessionBatches);
    }

    [Fact]
    public async Task Submit_CrossSessionBatchWithAnEventOfAnotherSession_BodyIsTheBatchTheOldWayBuilt()
    {
        // Arrange: one worker, held by the first batch while the others queue up behind it; the events have no session,
        // their batch's, or (one) another one of their own.
        var (hold, held) = this.HoldBatchesOf(SessionId(100));
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions { MaxConcurrency = 1 });
        var sessions = Enumerable.Range(100, 3).Select(SessionId).ToList();
        delivery.Submit([.. sessions.Select(StartSession)]);
        Assert.True(await delivery.FlushAsync(Bounded));
        var before = this.server.Requests.Count;
        string? Own(int n) => (n % 10) switch
        {
            1 => SessionId(999),
            2 => sessions[(n / 10) - 100],
            _ => null,
        };
        List<EventRequest> Events(int session) =>
            [.. Enumerable.Range((session + 100) * 10, 4).Select(n => TestEvents.Rich(n, Own(n)))];

        // Act
        SessionEventBatchCall Call(int s) => new(sessions[s], new SessionEventBatchRequest { Events = Events(s) });
        var flushed = await SubmitBehindHeldAsync(delivery, (hold, held), Call(0), Enumerable.Range(1, sessions.Count - 1).Select(Call));

        // Assert: the old way: each event's session_id set to its batch's (the other one replaced), then serialized.
        Assert.True(flushed);
        var requests = this.server.Requests.Skip(before).ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal("/v1/events/batch", requests[1].Path);
        var expected = new List<EventRequest>();
        foreach (var n in EventIds(requests[1]).Select(id => int.Parse(id[^12..], CultureInfo.InvariantCulture)))
        {
            var e = TestEvents.Rich(n, Own(n));
            e.SessionId = sessions[(n / 10) - 100];
            expected.Add(e);
        }

        Assert.Equal(8, expected.Count);
        Assert.Contains(EventIds(requests[1]), id => id.EndsWith("1011", StringComparison.Ordinal));
        Assert.Equal(new EventBatchCall(new EventBatchRequest { Events = expected }).GetBodyUtf8(), Encoding.UTF8.GetBytes(requests[1].Body));
        Assert.Equal(1, delivery.CrossSessionBatches);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    public async Task Submit_CrossSessionBatchKeyRejected_RequeuedEventsCarryTheirSessionInEveryLaterBody(int laterEvents)
    {
        // Arrange: one worker, held by the first batch while two other sessions queue a batch each (merged into one
        // cross-session batch, which the API refuses as a rejected key); while paused, each queues one more batch.
        // With 3 later events the next request is one session's refused events and 2 of its later ones (its later
        // batch split); with 1, one session's 3 and 1 of the other's refused events (the refused piece split, its rest
        // going out with that session's later event).
        var crossSessionRequests = 0;
        var (hold, held) = this.HoldBatchesOf(SessionId(110), request =>
            request.Path == "/v1/events/batch" && Interlocked.Increment(ref crossSessionRequests) == 1
                ? new FakeResponse(401, "{\"statusCode\":401,\"message\":\"Unauthorized\"}")
                : FakeResponse.Ok());
        var options = FastRetries();
        options.MaxConcurrency = 1;
        options.MaxEventsPerBatch = 4;
        options.KeyRejectedProbeInterval = TimeSpan.FromMilliseconds(300);
        using var delivery = this.CreateDelivery(options);
        var sessions = Enumerable.Range(110, 3).Select(SessionId).ToList();
        delivery.Submit([.. sessions.Select(StartSession)]);
        Assert.True(await delivery.FlushAsync(Bounded));
        var before = this.server.Requests.Count;
        string? Own(int n) => n % 10 == 1 ? SessionId(999) : null;
        SessionEventBatchCall Batch(int session, int from, int count) => new(
            sessions[session],
            new SessionEventBatchRequest { Events = [.. Enumerable.Range(((session + 110) * 10) + from, count).Select(n => TestEvents.Rich(n, Own(n)))] });

        // Act
        delivery.Submit([Batch(0, 0, 1)]);
        await held.Task.WaitAsync(Bounded);
        delivery.Submit([Batch(1, 0, 2)]);
        delivery.Submit([Batch(2, 0, 2)]);
        hold.SetResult();
        await WaitUntilAsync(() => delivery.IsPaused);
        delivery.Submit([Batch(1, 2, laterEvents)]);
        delivery.Submit([Batch(2, 2, laterEvents)]);
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert: the refused batch's events carry their session in every later body (the other one of event 1111 and
        // 1121 replaced), as they did in it; the events queued later only in a cross-session body.
        Assert.True(flushed);
        Assert.Empty(delivery.GetLosses());
        var requests = this.server.Requests.Skip(before).Where(r => r.Path.EndsWith("/batch", StringComparison.Ordinal)).ToList();
        var refused = requests.FindIndex(r => r.Path == "/v1/events/batch");
        var kept = EventIds(requests[refused]).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(4, kept.Count);
        var later = requests.Skip(refused + 1).ToList();
        Assert.Equal(4 + (2 * laterEvents), later.Sum(r => EventIds(r).Count));
        Assert.Equal(4 + (2 * laterEvents), later.SelectMany(EventIds).Distinct(StringComparer.Ordinal).Count());
        Assert.Contains(later, r => r.Path != "/v1/events/batch" && EventIds(r).Any(kept.Contains) && !EventIds(r).All(kept.Contains));
        foreach (var request in later)
        {
            var crossSession = request.Path == "/v1/events/batch";
            var expected = new List<EventRequest>();
            foreach (var id in EventIds(request))
            {
                var n = int.Parse(id[^12..], CultureInfo.InvariantCulture);
                var e = TestEvents.Rich(n, Own(n));
                if (crossSession || kept.Contains(id))
                {
                    e.SessionId = sessions[(n / 10) - 110];
                }

                expected.Add(e);
            }

            ApiCall call = crossSession
                ? new EventBatchCall(new EventBatchRequest { Events = expected })
                : new SessionEventBatchCall(request.Path.Split('/')[3], new SessionEventBatchRequest { Events = expected });
            Assert.Equal(call.GetBodyUtf8(), Encoding.UTF8.GetBytes(request.Body));
        }
    }

    [Fact]
    public async Task Submit_CrossSessionBatchRefused_EachHalfSentWithItsEventsSessions()
    {
        // Arrange: one worker, held by the first batch while two other sessions queue a batch each; the merged
        // cross-session batch is refused (400), its halves accepted.
        var crossSessionRequests = 0;
        var (hold, held) = this.HoldBatchesOf(SessionId(120), request =>
            request.Path == "/v1/events/batch" && Interlocked.Increment(ref crossSessionRequests) == 1
                ? new FakeResponse(400, "{\"statusCode\":400,\"message\":\"Invalid event\",\"success\":false}")
                : FakeResponse.Ok());
        var options = FastRetries();
        options.MaxConcurrency = 1;
        using var delivery = this.CreateDelivery(options);
        var sessions = Enumerable.Range(120, 3).Select(SessionId).ToList();
        delivery.Submit([.. sessions.Select(StartSession)]);
        Assert.True(await delivery.FlushAsync(Bounded));
        var before = this.server.Requests.Count;
        string? Own(int n) => n % 10 == 1 ? SessionId(999) : null;
        SessionEventBatchCall Batch(int session, int count) => new(
            sessions[session],
            new SessionEventBatchRequest { Events = [.. Enumerable.Range((session + 120) * 10, count).Select(n => TestEvents.Rich(n, Own(n)))] });

        // Act
        var flushed = await SubmitBehindHeldAsync(delivery, (hold, held), Batch(0, 1), [Batch(1, 3), Batch(2, 2)]);

        // Assert: the refused body and its two halves, each the old way (every event with its batch's session).
        Assert.True(flushed);
        var bodies = this.server.Requests.Skip(before).Where(r => r.Path == "/v1/events/batch").ToList();
        Assert.Equal(3, bodies.Count);
        var order = EventIds(bodies[0]).Select(id => int.Parse(id[^12..], CultureInfo.InvariantCulture)).ToList();
        byte[] Body(int from, int count)
        {
            var events = order.GetRange(from, count).Select(n =>
            {
                var e = TestEvents.Rich(n, Own(n));
                e.SessionId = sessions[(n / 10) - 120];
                return e;
            }).ToList();
            return new EventBatchCall(new EventBatchRequest { Events = events }).GetBodyUtf8();
        }

        Assert.Equal(5, order.Count);
        Assert.Equal([Body(0, 5), Body(0, 2), Body(2, 3)], bodies.Select(r => Encoding.UTF8.GetBytes(r.Body)));
        Assert.Equal(1, delivery.SplitRequests);
        Assert.Equal(6, delivery.DeliveredEvents);
    }

    [Fact]
    public async Task Submit_RefusedBatch_EachHalfSentAsTheBytesTheSerializerWritesForIt()
    {
        // Arrange: the first batch request is refused, the halves are accepted; the second half once after a 503.
        var batchRequests = 0;
        this.server.Respond = request => Task.FromResult(
            !request.Path.EndsWith("/batch", StringComparison.Ordinal) ? FakeResponse.Ok()
            : Interlocked.Increment(ref batchRequests) switch
            {
                1 => new FakeResponse(400, "{\"statusCode\":400,\"message\":\"Invalid event\",\"success\":false}"),
                3 => new FakeResponse(503),
                _ => FakeResponse.Ok(),
            });
        using var delivery = this.CreateDelivery(FastRetries());
        var sessionId = SessionId(90);
        List<EventRequest> Events(int from, int count) => [.. Enumerable.Range(from, count).Select(i => TestEvents.Rich(i, sessionId))];

        // Act
        delivery.Submit([StartSession(sessionId), new SessionEventBatchCall(sessionId, new SessionEventBatchRequest { Events = Events(0, 5) })]);
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert
        Assert.True(flushed);
        var bodies = this.server.Requests.Where(r => r.Path.EndsWith("/batch", StringComparison.Ordinal)).Select(r => Encoding.UTF8.GetBytes(r.Body)).ToList();
        byte[] Body(int from, int count) => new SessionEventBatchCall(sessionId, new SessionEventBatchRequest { Events = Events(from, count) }).GetBodyUtf8();
        Assert.Equal([Body(0, 5), Body(0, 2), Body(2, 3), Body(2, 3)], bodies);
        Assert.Equal(5, delivery.DeliveredEvents);
        Assert.Equal(1, delivery.SplitRequests);
    }

    [Fact]
    public async Task Submit_EventBatch_QueuedCallKeepsNoTreeOfTheEvents()
    {
        // Arrange
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ApiCall? delivered = null;
        this.server.Respond = async _ =>
        {
            await gate.Task.WaitAsync(Bounded);
            return FakeResponse.Ok();
        };
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions());
        delivery.CallDelivered += (_, call, _) => delivered ??= call is SessionEventBatchCall ? call : null;
        var sessionId = SessionId(91);
        var submitted = new SessionEventBatchCall(sessionId, new SessionEventBatchRequest { Events = [TestEvents.Rich(1, sessionId), TestEvents.Rich(2, sessionId)] });

        // Act
        delivery.Submit([StartSession(sessionId), submitted]);
        gate.SetResult();
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert: the events went out whole, the call delivery held kept their bytes and identity only.
        Assert.True(flushed);
        var batch = Assert.IsType<SessionEventBatchCall>(delivered);
        Assert.Equal(submitted.GetBodyUtf8(), batch.GetBodyUtf8());
        Assert.Equal(submitted.Request.Events.Select(e => e.EventId), batch.Request.Events.Select(e => e.EventId));
        Assert.All(batch.Request.Events, e => Assert.True(e.Inputs.Count == 0 && e.Outputs is null && e.Config is null && e.Metadata is null));
        Assert.NotEmpty(submitted.Request.Events[0].Inputs);
    }

    [Fact]
    public async Task Submit_MappedChatEvents_SentAsWrittenBeforeAndTheirPooledDocumentsReleased()
    {
        // Arrange: chat spans whose messages the mapper parses into pooled documents (an event's way).
        var sessionId = SessionId(95);
        var input = "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"caf\u00e9 <b> \\\"q\\\"\"}]}]";
        var output = "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"ok\"}],\"finish_reason\":\"stop\"}]";
        List<EventRequest> Map() => [.. Enumerable.Range(1, 3).Select(i => TraceMapper.Event(
            new PlannedEvent(
                TestSpans.Span(i + 1, 1, "chat", ("gen_ai.operation.name", "chat"), ("gen_ai.input.messages", input), ("gen_ai.output.messages", output)),
                sessionId,
                AsRootEvent: false),
            sessionId,
            MappingOptions.Default))];
        var submitted = Map();
        var expected = new SessionEventBatchCall(sessionId, new SessionEventBatchRequest { Events = Map() }).GetBodyUtf8();
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions());

        // Act
        delivery.Submit([StartSession(sessionId), new SessionEventBatchCall(sessionId, new SessionEventBatchRequest { Events = submitted })]);
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert: the bytes are those the events' trees write; once encoded, the trees' documents went back.
        Assert.True(flushed);
        var body = Assert.Single(this.server.Requests, r => r.Path.EndsWith("/batch", StringComparison.Ordinal)).Body;
        Assert.Equal(Encoding.UTF8.GetString(expected), body);
        Assert.Contains("\"chat_history\":[{\"role\":\"user\",\"content\":\"café <b> \\\"q\\\"\"}]", body, StringComparison.Ordinal);
        Assert.All(submitted, e => Assert.Equal(2, e.Documents?.Count));
        Assert.All(submitted, e => Assert.Throws<ObjectDisposedException>(() => e.Inputs.ToJsonString()));
    }

    [Fact]
    public async Task TrySubmit_MappedChatEventsRefusedWhileQueueFull_SameCallsTakenLaterAndSentAsWritten()
    {
        // Arrange: a full queue (the API holds the first request); mapped chat events, whose messages are read from
        // pooled documents, refused as calls and submitted again as the same calls.
        var gate = this.HoldAnswers();
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions { MaxQueuedCalls = 2 });
        var sessionId = SessionId(96);
        var input = "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"hello\"}]}]";
        var events = new List<EventRequest>
        {
            TraceMapper.Event(
                new PlannedEvent(TestSpans.Span(2, 1, "chat", ("gen_ai.operation.name", "chat"), ("gen_ai.input.messages", input)), sessionId, AsRootEvent: false),
                sessionId,
                MappingOptions.Default),
        };
        var expected = new SessionEventBatchCall(sessionId, new SessionEventBatchRequest { Events = events }).GetBodyUtf8();
        ApiCall[] calls = [StartSession(sessionId), new SessionEventBatchCall(sessionId, new SessionEventBatchRequest { Events = events })];
        Assert.True(delivery.TrySubmit([StartSession(SessionId(97)), Batch(SessionId(97), "held")]));

        // Act
        var refused = delivery.TrySubmit(calls);
        gate.SetResult();
        await delivery.FlushAsync(Bounded);
        var takenLater = delivery.TrySubmit(calls);
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert: the refused submission left the events readable; the one taken sent them as they write.
        Assert.False(refused);
        Assert.True(takenLater);
        Assert.True(flushed);
        var body = Assert.Single(this.server.Requests, r => r.Path == "/v1/sessions/" + sessionId + "/events/batch").Body;
        Assert.Equal(Encoding.UTF8.GetString(expected), body);
        Assert.Throws<ObjectDisposedException>(() => events[0].Inputs.ToJsonString());
    }

    [Fact]
    public async Task Submit_EventBatchesWhileHundredsOfSessionCreatesAreInFlight_MergedIntoOneCrossSessionBatch()
    {
        // Arrange: ten sessions created; then 520 other sessions' creates held in flight (more than one merge looks
        // at, MaxMergeScan); then one event batch for each of the ten. At saturation most sessions are such traces
        // waiting for their session, and a merge that looked through every session found few it could take.
        const int InFlight = HoneyHiveDelivery.MaxMergeScan + 8;
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        this.server.Respond = async request =>
        {
            if (request.Path == "/v1/sessions" && request.Body.Contains("\"held\"", StringComparison.Ordinal))
            {
                await hold.Task.WaitAsync(Bounded);
            }

            return FakeResponse.Ok();
        };
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions { MaxConcurrency = InFlight + 10, EventBatchDelay = TimeSpan.Zero });
        var created = Enumerable.Range(200, 10).Select(SessionId).ToList();
        delivery.Submit([.. created.Select(StartSession)]);
        Assert.True(await delivery.FlushAsync(Bounded));
        delivery.Submit([.. Enumerable.Range(1_000, InFlight).Select(n => new StartSessionCall(new SessionStartRequest { SessionId = SessionId(n), SessionName = "held" }))]);
        await WaitUntilAsync(() => this.server.Requests.Count == created.Count + InFlight);

        // Act: the ten batches in one submission, so that all are queued before the first is taken.
        delivery.Submit([.. created.Select((id, i) => Batch(id, "e" + i))]);
        await WaitUntilAsync(() => this.server.Requests.Any(r => r.Path.EndsWith("/events/batch", StringComparison.Ordinal)));
        await Task.Delay(200);
        var batches = this.server.Requests.Where(r => r.Path.EndsWith("/events/batch", StringComparison.Ordinal)).ToList();
        hold.SetResult();
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert: one cross-session request carried the ten sessions' events.
        Assert.True(flushed);
        var batch = Assert.Single(batches);
        Assert.Equal("/v1/events/batch", batch.Path);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => "e" + i).Order(StringComparer.Ordinal), EventIds(batch).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Submit_BatchOfASessionNotCreatedHere_IsNeverMergedAcrossSessions()
    {
        // Arrange
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        this.server.Respond = async request =>
        {
            if (request.Path == "/v1/sessions")
            {
                held.TrySetResult();
                await hold.Task.WaitAsync(Bounded);
            }

            return FakeResponse.Ok();
        };
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions { MaxConcurrency = 1 });

        // Act: nothing was created by this delivery, so each batch goes to its own session route.
        var flushed = await SubmitBehindHeldAsync(delivery, (hold, held), StartSession(SessionId(70)), [Batch(SessionId(71), "a"), Batch(SessionId(72), "b")]);

        // Assert
        Assert.True(flushed);
        Assert.DoesNotContain(this.server.Requests, r => r.Path == "/v1/events/batch");
        Assert.Equal(2, this.server.Requests.Count(r => r.Path.EndsWith("/events/batch", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(1, 0.0, null, 0)]
    [InlineData(1, 0.5, null, 50)]
    [InlineData(2, 0.5, null, 100)]
    [InlineData(3, 0.999, null, 399.6)]
    [InlineData(10, 0.5, null, 500)]
    [InlineData(40, 0.999, null, 999)]
    [InlineData(1, 0.5, 2000, 2000)]
    [InlineData(10, 0.999, 200, 999)]
    public void NextDelay_AttemptAndSample_FullJitterUnderADoublingCapButNeverBelowRetryAfter(int attempt, double random, int? retryAfterMs, double expectedMs)
    {
        // Arrange
        var options = new HoneyHiveDeliveryOptions { InitialBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromSeconds(1) };
        TimeSpan? retryAfter = retryAfterMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null;

        // Act
        var delay = HoneyHiveDelivery.NextDelay(options, attempt, retryAfter, random);

        // Assert
        Assert.Equal(expectedMs, delay.TotalMilliseconds, 3);
    }

    [Fact]
    public async Task Submit_SessionCreateRejected_DropsItsEventsInsteadOfPostingThem()
    {
        // Arrange
        this.server.Respond = request => Task.FromResult(
            request.Path == "/v1/sessions" ? new FakeResponse(400, "{\"message\":\"bad session\"}") : FakeResponse.Ok());
        using var delivery = this.CreateDelivery(FastRetries());
        var sessionId = SessionId(6);

        // Act
        delivery.Submit([StartSession(sessionId), Batch(sessionId, "o1", "o2", "o3")]);
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert
        Assert.True(flushed);
        Assert.DoesNotContain(this.server.Requests, r => r.Path.EndsWith("/batch", StringComparison.Ordinal));
        var losses = delivery.GetLosses();
        Assert.Equal((1L, 0L), losses["BadRequest"]);
        Assert.Equal((1L, 3L), losses[HoneyHiveDelivery.SessionNotCreatedReason]);
    }

    [Fact]
    public async Task Submit_AlwaysUnavailable_GivesUpAfterMaxAttemptsAndCountsIt()
    {
        // Arrange
        this.server.Respond = _ => Task.FromResult(new FakeResponse(503));
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions { MaxAttempts = 3, InitialBackoff = TimeSpan.FromMilliseconds(5), MaxBackoff = TimeSpan.FromMilliseconds(20) });

        // Act
        delivery.Submit([StartSession(SessionId(7))]);
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert
        Assert.True(flushed);
        Assert.Equal(3, this.server.Requests.Count);
        Assert.Equal((1L, 0L), delivery.GetLosses()[HoneyHiveDelivery.RetriesExhaustedReason]);
    }

    [Fact]
    public async Task TrySubmit_QueueFull_RefusesWholeSubmissionAndSubmitThrows()
    {
        // Arrange
        var gate = this.HoldAnswers();
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions { MaxQueuedCalls = 2 });
        var accepted = delivery.TrySubmit([StartSession(SessionId(8)), Batch(SessionId(8), "q1")]);

        // Act
        var refused = delivery.TrySubmit([StartSession(SessionId(9)), Batch(SessionId(9), "q2")]);
        var thrown = Assert.Throws<InvalidOperationException>(() => delivery.Submit([StartSession(SessionId(9)), Batch(SessionId(9), "q2")]));
        gate.SetResult();
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert
        Assert.True(accepted);
        Assert.False(refused);
        Assert.Contains("no room", thrown.Message, StringComparison.Ordinal);
        Assert.True(flushed);
        Assert.DoesNotContain(this.server.Requests, r => r.Body.Contains(SessionId(9), StringComparison.Ordinal));
        Assert.Equal(2, this.server.Requests.Count);
    }

    [Fact]
    public async Task TrySubmit_EventBytesAtMaxQueuedBytes_RefusedUntilTheQueuedOnesAreDeliveredThenTaken()
    {
        // Arrange: a bound of 20,000 bytes; each set holds one 10 KB event (a 16 KB rented array); the API holds its
        // answers. The first set leaves the queue below the bound, so the second is taken whole and passes it.
        var gate = this.HoldAnswers();
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions { MaxQueuedBytes = 20_000 });

        // Act
        var firstTaken = delivery.TrySubmit([StartSession(SessionId(120)), BigBatch(SessionId(120), "b1", 10_000)]);
        var afterFirst = delivery.PendingBytes;
        var secondTaken = delivery.TrySubmit([StartSession(SessionId(121)), BigBatch(SessionId(121), "b2", 10_000)]);
        var afterSecond = delivery.PendingBytes;
        var refused = delivery.TrySubmit([StartSession(SessionId(122)), BigBatch(SessionId(122), "b3", 10_000)]);
        var thrown = Assert.Throws<InvalidOperationException>(() => delivery.Submit([StartSession(SessionId(122)), BigBatch(SessionId(122), "b3", 10_000)]));
        gate.SetResult();
        var flushed = await delivery.FlushAsync(Bounded);
        var drainedBytes = delivery.PendingBytes;
        var thirdTaken = delivery.TrySubmit([StartSession(SessionId(122)), BigBatch(SessionId(122), "b3", 10_000)]);
        var flushedAgain = await delivery.FlushAsync(Bounded);

        // Assert: MaxQueuedCalls left room; the bytes did not, once the bound was reached. Nothing of the refused set
        // was sent until it was taken.
        Assert.True(firstTaken);
        Assert.InRange(afterFirst, 10_000, 19_999);
        Assert.True(secondTaken);
        Assert.True(afterSecond >= 20_000, $"{afterSecond} bytes pending after the second set");
        Assert.False(refused);
        Assert.Contains("20000 bytes of events", thrown.Message, StringComparison.Ordinal);
        Assert.True(flushed);
        Assert.Equal(0, drainedBytes);
        Assert.True(thirdTaken);
        Assert.True(flushedAgain);
        Assert.Equal(0, delivery.PendingBytes);
        Assert.Equal(["b1", "b2", "b3"], this.server.Requests.Where(r => r.Path.EndsWith("/events/batch", StringComparison.Ordinal)).SelectMany(EventIds).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TrySubmit_OneSetLargerThanMaxQueuedBytes_TakenWhileNothingIsPending()
    {
        // Arrange: a trace whose events alone exceed the bound; nothing else pending.
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions { MaxQueuedBytes = 1_000 });

        // Act
        var taken = delivery.TrySubmit([StartSession(SessionId(122)), BigBatch(SessionId(122), "huge", 50_000)]);
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert: taken (never refused for good), delivered, and its bytes given back.
        Assert.True(taken);
        Assert.True(flushed);
        Assert.Equal(0, delivery.PendingBytes);
        Assert.Contains(this.server.Requests, r => r.Path == "/v1/sessions/" + SessionId(122) + "/events/batch" && r.Body.Contains("huge", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PendingBytes_CallsGivenUpSplitMergedOrOrphaned_BackToZeroOnceDone()
    {
        // Arrange: session 130's create fails for good (its events are orphaned); 131's batches are merged with 132's
        // and split at 3 events a request; 133's event batch is refused for good (400).
        this.server.Respond = request => Task.FromResult(
            request.Path == "/v1/sessions" && request.Body.Contains(SessionId(130), StringComparison.Ordinal) ? new FakeResponse(400, "{\"message\":\"bad session\"}")
            : request.Path == "/v1/sessions/" + SessionId(133) + "/events/batch" ? new FakeResponse(400, "{\"message\":\"bad events\"}")
            : FakeResponse.Ok());
        var options = FastRetries();
        options.MaxEventsPerBatch = 3;
        options.MergeAcrossSessions = false;
        using var delivery = this.CreateDelivery(options);

        // Act
        delivery.Submit([StartSession(SessionId(130)), BigBatch(SessionId(130), "o1", 3_000)]);
        delivery.Submit([StartSession(SessionId(131)), Batch(SessionId(131), "m1", "m2"), Batch(SessionId(131), "m3", "m4", "m5")]);
        delivery.Submit([StartSession(SessionId(133)), BigBatch(SessionId(133), "r1", 3_000)]);
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert
        Assert.True(flushed);
        Assert.Equal(0, delivery.PendingBytes);
        Assert.Equal(0, delivery.PendingCalls);
        Assert.Equal(2, this.server.Requests.Count(r => r.Path == "/v1/sessions/" + SessionId(131) + "/events/batch"));
        Assert.Equal((1L, 1L), delivery.GetLosses()[HoneyHiveDelivery.SessionNotCreatedReason]);
    }

    [Fact]
    public async Task TrySubmit_PreparedSetRefusedWhileQueueFull_TakenLaterWithTheSameEncodedEvents()
    {
        // Arrange: a full queue (the API holds the first request), and a set prepared while it is full.
        var gate = this.HoldAnswers();
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions { MaxQueuedCalls = 2 });
        var delivered = new ConcurrentQueue<ApiCall>();
        delivery.CallDelivered += (_, call, _) => delivered.Enqueue(call);
        Assert.True(delivery.TrySubmit([StartSession(SessionId(13)), Batch(SessionId(13), "p1")]));
        var mapped = Batch(SessionId(14), "p2", "p3");
        var prepared = delivery.Prepare([StartSession(SessionId(14)), mapped]);
        var encoded = Assert.IsType<SessionEventBatchCall>(prepared.Calls[1]);
        var arrays = encoded.EncodedEvents!.ToArray();

        // Act: refused while full; once the queue has room, the same set is taken.
        var refused = delivery.TrySubmit(prepared);
        gate.SetResult();
        await WaitUntilAsync(() => delivery.PendingCalls == 0);
        var accepted = delivery.TrySubmit(prepared);
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert: what was queued and sent is the prepared call with the arrays encoded before the refusal (no second
        // encoding), and its events went out as the mapped ones serialize.
        Assert.False(refused);
        Assert.True(accepted);
        Assert.True(flushed);
        Assert.NotSame(mapped, encoded);
        var sent = Assert.Single(delivered, c => c.SessionId == SessionId(14) && c is SessionEventBatchCall);
        Assert.Same(encoded, sent);
        Assert.Equal<byte[]>(arrays, ((SessionEventBatchCall)sent).EncodedEvents!, ReferenceEqualityComparer.Instance);
        Assert.Equal(mapped.GetBodyUtf8(), sent.GetBodyUtf8());
        Assert.Equal(["p2", "p3"], this.server.Requests.Where(r => r.Path.Contains(SessionId(14), StringComparison.Ordinal) && r.Path.EndsWith("/batch", StringComparison.Ordinal)).SelectMany(EventIds));
    }

    [Fact]
    public async Task TrySubmit_PreparedSetTakenAlready_ThrowsAndAbandonLeavesItQueued()
    {
        // Arrange
        using var delivery = this.CreateDelivery(FastRetries());
        var prepared = delivery.Prepare([StartSession(SessionId(15)), Batch(SessionId(15), "t1")]);
        Assert.True(delivery.TrySubmit(prepared));

        // Act
        prepared.Abandon();
        var thrown = Assert.Throws<InvalidOperationException>(() => delivery.TrySubmit(prepared));
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert: taken once, sent once.
        Assert.Contains("already", thrown.Message, StringComparison.Ordinal);
        Assert.True(flushed);
        Assert.Equal(["t1"], this.server.Requests.Where(r => r.Path.EndsWith("/batch", StringComparison.Ordinal)).SelectMany(EventIds));
    }

    [Fact]
    public async Task TrySubmit_SetPreparedByTheDefaultSink_PreparedAndQueued()
    {
        // Arrange: a set prepared by a sink that prepares nothing (the interface's default).
        using var delivery = this.CreateDelivery(FastRetries());
        var prepared = new PreparedCalls([StartSession(SessionId(16)), Batch(SessionId(16), "u1", "u2")]);

        // Act
        var accepted = delivery.TrySubmit(prepared);
        var flushed = await delivery.FlushAsync(Bounded);

        // Assert
        Assert.True(accepted);
        Assert.True(flushed);
        Assert.Equal(["u1", "u2"], this.server.Requests.Where(r => r.Path.EndsWith("/batch", StringComparison.Ordinal)).SelectMany(EventIds));
    }

    [Fact]
    public async Task FlushAsync_ApiNeverAnswers_ReturnsFalseAfterTheTimeout()
    {
        // Arrange
        var gate = this.HoldAnswers();
        using var delivery = this.CreateDelivery(FastRetries());
        delivery.Submit([StartSession(SessionId(10))]);

        // Act
        var flushed = await delivery.FlushAsync(TimeSpan.FromMilliseconds(100));
        gate.SetResult();

        // Assert
        Assert.False(flushed);
        Assert.True(await delivery.FlushAsync(Bounded));
    }

    [Fact]
    public void Dispose_PendingCalls_DeliversThemFirst()
    {
        // Arrange
        var delivery = this.CreateDelivery(FastRetries());
        var sessionId = SessionId(11);
        delivery.Submit([StartSession(sessionId), Batch(sessionId, "d1"), Batch(sessionId, "d2")]);

        // Act
        delivery.Dispose();

        // Assert
        Assert.Equal(["d1", "d2"], this.server.Requests.Where(r => r.Path.EndsWith("/batch", StringComparison.Ordinal)).SelectMany(EventIds));
        Assert.Empty(delivery.GetLosses());
        Assert.False(delivery.TrySubmit([StartSession(SessionId(12))]));
    }

    [Fact]
    public void Dispose_ApiNeverAnswers_StopsAfterShutdownTimeoutAndCountsTheLoss()
    {
        // Arrange
        var gate = this.HoldAnswers();
        var options = FastRetries();
        options.ShutdownTimeout = TimeSpan.FromMilliseconds(200);
        var delivery = this.CreateDelivery(options);
        var sessionId = SessionId(13);
        delivery.Submit([StartSession(sessionId), Batch(sessionId, "s1", "s2")]);

        // Act
        delivery.Dispose();
        gate.SetResult();

        // Assert
        var losses = delivery.GetLosses();
        Assert.Equal((1L, 0L), losses[HoneyHiveDelivery.ShutdownReason]);
        Assert.Equal((1L, 2L), losses[HoneyHiveDelivery.SessionNotCreatedReason]);
    }

    [Fact]
    public async Task Submit_RoundsOfBatchesInRentedArrays_EveryEventSentAsSerialized()
    {
        // Arrange: no CallDelivered handler, so the events are queued in rented arrays and given back after each
        // request; later rounds reuse them, and every event must still go out as its own bytes.
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions { MaxConcurrency = 4, MaxEventsPerBatch = 25 });
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);

        // Act
        for (var round = 0; round < 4; round++)
        {
            for (var session = 0; session < 8; session++)
            {
                var sessionId = SessionId(100 + (round * 10) + session);
                var events = Enumerable.Range(0, 10).Select(i => TestEvents.Rich((round * 100) + (session * 10) + i, sessionId)).ToList();
                foreach (var e in events)
                {
                    expected.Add(e.EventId!, System.Text.Json.JsonSerializer.Serialize(e, HoneyHiveJsonContext.Api.EventRequest));
                }

                delivery.Submit([StartSession(sessionId), new SessionEventBatchCall(sessionId, new SessionEventBatchRequest { Events = events })]);
            }

            Assert.True(await delivery.FlushAsync(Bounded));
        }

        // Assert
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), this.SentEventsById().OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task SessionDelivered_SessionsCreatedAndBatchesMergedAcrossThem_EachSessionGetsItsNameItsEventsAndOneDrainedReport()
    {
        // Arrange: merged and cross-session batches (two sessions' batches go out in one request once both exist).
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions { MaxConcurrency = 1 });
        var reports = new ConcurrentQueue<DeliveredToSession>();
        delivery.SessionDelivered += reports.Enqueue;
        var first = SessionId(201);
        var second = SessionId(202);

        // Act
        delivery.Submit([new StartSessionCall(new SessionStartRequest { SessionId = first, SessionName = "checkout" }), Batch(first, "a1", "a2")]);
        delivery.Submit([new StartSessionCall(new SessionStartRequest { SessionId = second, SessionName = "refund" }), Batch(second, "b1")]);
        delivery.Submit([Batch(first, "a3")]);
        Assert.True(await delivery.FlushAsync(Bounded));

        // Assert: per session, the name its creation carried, every event once, and a last report that it drained.
        foreach (var (sessionId, name, events) in new[] { (first, "checkout", 3), (second, "refund", 1) })
        {
            var mine = reports.Where(r => r.SessionId == sessionId).ToList();
            Assert.Equal(name, Assert.Single(mine, r => r.SessionName is not null).SessionName);
            Assert.Equal(events, mine.Sum(r => r.Events));
            Assert.True(mine[^1].Drained);
        }

        Assert.Equal(4, this.server.Requests.Where(r => r.Path.EndsWith("/batch", StringComparison.Ordinal)).Sum(r => EventIds(r).Count));
    }

    [Fact]
    public async Task SessionDelivered_HandlerWhileRoundsOfBatchesGoOut_EventsStayInRentedArraysAndGoOutAsSerialized()
    {
        // Arrange: a SessionDelivered handler (unlike a CallDelivered one) is handed no call, so the events are
        // queued in rented arrays given back after each request; later rounds reuse them.
        using var delivery = this.CreateDelivery(new HoneyHiveDeliveryOptions { MaxConcurrency = 4, MaxEventsPerBatch = 25 });
        var reported = 0;
        delivery.SessionDelivered += d => Interlocked.Add(ref reported, d.Events);
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        SessionEventBatchCall? queuedFirst = null;

        // Act
        for (var round = 0; round < 3; round++)
        {
            for (var session = 0; session < 6; session++)
            {
                var sessionId = SessionId(300 + (round * 10) + session);
                var events = Enumerable.Range(0, 10).Select(i => TestEvents.Rich((round * 100) + (session * 10) + i, sessionId)).ToList();
                foreach (var e in events)
                {
                    expected.Add(e.EventId!, System.Text.Json.JsonSerializer.Serialize(e, HoneyHiveJsonContext.Api.EventRequest));
                }

                var prepared = delivery.Prepare([StartSession(sessionId), new SessionEventBatchCall(sessionId, new SessionEventBatchRequest { Events = events })]);
                queuedFirst ??= (SessionEventBatchCall)prepared.Calls[1];
                Assert.True(delivery.TrySubmit(prepared));
            }

            Assert.True(await delivery.FlushAsync(Bounded));
        }

        // Assert: the queued events were in rented arrays (longer than their JSON, lengths kept beside them), every
        // event went out as its own bytes, and the handler was told of each.
        Assert.NotNull(queuedFirst!.EncodedLengths);
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), this.SentEventsById().OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(expected.Count, Volatile.Read(ref reported));
    }

    /// <summary>
    /// Makes the API hold the event batches of <paramref name="sessionId"/> until <c>Hold</c> is completed
    /// (<c>Held</c> completes when the first arrives) and answer every request with <paramref name="answer"/>'s
    /// response (default 200).
    /// </summary>
    /// <summary>Submits <paramref name="first"/>, waits until the server holds it (see <see cref="HoldBatchesOf"/>), submits
    /// each of <paramref name="rest"/> behind it (one call a submission), lets the server answer and flushes.</summary>
    private static async Task<bool> SubmitBehindHeldAsync(HoneyHiveDelivery delivery, (TaskCompletionSource Hold, TaskCompletionSource Held) gate, ApiCall first, IEnumerable<ApiCall> rest)
    {
        delivery.Submit([first]);
        await gate.Held.Task.WaitAsync(Bounded);
        foreach (var call in rest)
        {
            delivery.Submit([call]);
        }

        gate.Hold.SetResult();
        return await delivery.FlushAsync(Bounded);
    }

    private (TaskCompletionSource Hold, TaskCompletionSource Held) HoldBatchesOf(string sessionId, Func<RecordedRequest, FakeResponse>? answer = null)
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        this.server.Respond = async request =>
        {
            if (request.Path == "/v1/sessions/" + sessionId + "/events/batch")
            {
                held.TrySetResult();
                await hold.Task.WaitAsync(Bounded);
            }

            return answer?.Invoke(request) ?? FakeResponse.Ok();
        };
        return (hold, held);
    }

    /// <summary>
    /// Submits four traces of 3 events each (sessions 70-73) as the exporter's intake does, one after another, each
    /// once the API has seen the previous session created; waits 300 ms before the fourth and until all 12 events
    /// arrived after it.
    /// </summary>
    /// <returns>How many events the API had received before the fourth trace was submitted.</returns>
    private async Task<int> SubmitFourTracesOneAtATimeAsync(HoneyHiveDelivery delivery)
    {
        int EventsSent() => this.server.Requests.Where(r => r.Path.EndsWith("/batch", StringComparison.Ordinal)).Sum(r => EventIds(r).Count);
        var sessions = Enumerable.Range(70, 4).Select(SessionId).ToList();
        var sentBefore = 0;
        foreach (var sessionId in sessions)
        {
            if (sessionId == sessions[3])
            {
                await Task.Delay(300);
                sentBefore = EventsSent();
            }

            var n = sessionId[^2..];
            delivery.Submit([StartSession(sessionId), Batch(sessionId, "a" + n, "b" + n, "c" + n)]);
            await WaitUntilAsync(() => this.server.Requests.Any(r => r.Path == "/v1/sessions" && r.Body.Contains(sessionId, StringComparison.Ordinal)));
        }

        await WaitUntilAsync(() => EventsSent() == 12);
        return sentBefore;
    }

    /// <summary>Every event the API received in a batch request, its JSON by its <c>event_id</c> (an id sent twice throws).</summary>
    private Dictionary<string, string> SentEventsById()
    {
        var sent = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var request in this.server.Requests.Where(r => r.Path.EndsWith("/batch", StringComparison.Ordinal)))
        {
            using var body = System.Text.Json.JsonDocument.Parse(request.Body);
            foreach (var e in body.RootElement.GetProperty("events").EnumerateArray())
            {
                sent.Add(e.GetProperty("event_id").GetString()!, e.GetRawText());
            }
        }

        return sent;
    }

    private static HoneyHiveDeliveryOptions FastRetries() => new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(5),
        MaxBackoff = TimeSpan.FromMilliseconds(50),
    };

    private static string SessionId(int n) => "00000000-0000-4000-8000-" + n.ToString("D12", CultureInfo.InvariantCulture);

    private static StartSessionCall StartSession(string sessionId) =>
        new(new SessionStartRequest { SessionId = sessionId, SessionName = "s" });

    private static SessionEventBatchCall Batch(string sessionId, params string[] eventIds) =>
        new(sessionId, new SessionEventBatchRequest
        {
            Events = [.. eventIds.Select(id => new EventRequest { EventId = id, EventType = EventTypes.Tool, Inputs = [] })],
        });

    private static SessionEventBatchCall BigBatch(string sessionId, string eventId, int inputChars) =>
        new(sessionId, new SessionEventBatchRequest
        {
            Events = [new EventRequest { EventId = eventId, EventType = EventTypes.Tool, Inputs = new JsonObject { ["text"] = new string('x', inputChars) } }],
        });

    private static List<string> EventIds(RecordedRequest request) =>
        [.. JsonNode.Parse(request.Body)!["events"]!.AsArray().Select(e => (string)e!["event_id"]!)];

    private static Task WaitUntilAsync(Func<bool> condition) => Poll.UntilOrFailAsync(condition, Bounded);

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    /// <summary>Makes the API hold every answer (200) until the returned gate is set.</summary>
    private TaskCompletionSource HoldAnswers()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        this.server.Respond = async _ =>
        {
            await gate.Task.WaitAsync(Bounded);
            return FakeResponse.Ok();
        };
        return gate;
    }

    private HoneyHiveDelivery CreateDelivery(HoneyHiveDeliveryOptions options)
    {
        var settings = new HoneyHiveConnectionSettings(new ConfigurationBuilder().Build())
        {
            ApiKey = ApiKey,
            BaseUrl = this.server.BaseUrl,
        };
        return new HoneyHiveDelivery(new HoneyHiveApiClient(this.httpClient, settings), options);
    }
}
