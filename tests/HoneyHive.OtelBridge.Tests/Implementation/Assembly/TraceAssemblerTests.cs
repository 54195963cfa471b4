// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Assembly;
using HoneyHive.OtelBridge.Implementation.Durability;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Implementation.Spans;
using HoneyHive.OtelBridge.Tests.Implementation.Mapping;

namespace HoneyHive.OtelBridge.Tests.Implementation.Assembly;

public sealed class TraceAssemblerTests
{
    private static readonly string SessionId = HoneyHiveIds.SessionIdForTrace(TestSpans.Trace);

    [Fact]
    public async Task Add_ParentCycleAndSelfParent_TerminatesAndEveryParentResolves()
    {
        // Arrange: 2 -> 3 -> 4 -> 2 is a cycle, 5 is its own parent, and no root ever comes.
        var sink = new CollectingSink();
        var assembler = new TraceAssembler(sink, new TraceAssemblerOptions { RootWait = Timeout.InfiniteTimeSpan });
        var spans = new[] { TestSpans.Span(2, 4, "a"), TestSpans.Span(3, 2, "b"), TestSpans.Span(4, 3, "c"), TestSpans.Span(5, 5, "self") };

        // Act
        var flush = Task.Run(() =>
        {
            assembler.Add(spans);
            assembler.FlushAll();
        });

        // Assert: bounded wait; a loop would time out here.
        await flush.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(CallInvariants.FirstViolation(sink.Calls));
        Assert.All([2, 3, 4, 5], n => Assert.NotNull(CallInvariants.FindEvent(sink.Calls, HoneyHiveIds.EventIdForSpan(TestSpans.Trace, TestSpans.Id(n)))));
        Assert.Equal(SessionId, (string?)CallInvariants.FindEvent(sink.Calls, HoneyHiveIds.EventIdForSpan(TestSpans.Trace, TestSpans.Id(5)))!["parent_id"]);
        Assert.Equal(0, assembler.HeldSpanCount);
    }

    [Fact]
    public void Add_SiblingsStartingTogether_EventsInTheOrderOfTheirSpanIdsHex()
    {
        // Arrange: three children of the root with one start time, arriving in another order than their span ids'
        // hex strings (000000000000001f < 00000000000000f0 < 0000000000000a00, ordinal).
        var sink = new CollectingSink();
        var assembler = new TraceAssembler(sink, new TraceAssemblerOptions { RootWait = Timeout.InfiniteTimeSpan });
        SpanRecord Child(int id) => new()
        {
            TraceId = TestSpans.Trace,
            SpanId = TestSpans.Id(id),
            ParentSpanId = TestSpans.Id(1),
            Name = TestSpans.Id(id).ToHexString(),
            StartTimeUnixNano = 1_714_492_800_000_000_000,
            EndTimeUnixNano = 1_714_492_800_500_000_000,
        };
        string[] arrival = [.. new[] { 0xf0, 0xa00, 0x1f }.Select(id => TestSpans.Id(id).ToHexString())];

        // Act
        assembler.Add([Child(0xf0), Child(0xa00), Child(0x1f), TestSpans.Span(1, 0, "root")]);
        assembler.FlushAll();

        // Assert
        var batch = Assert.IsType<SessionEventBatchCall>(Assert.Single(sink.Calls, c => c is SessionEventBatchCall));
        Assert.Equal(arrival.Order(StringComparer.Ordinal), batch.Request.Events.Select(e => e.EventName));
        Assert.Equal(["000000000000001f", "00000000000000f0", "0000000000000a00"], batch.Request.Events.Select(e => e.EventName));
        Assert.All(batch.Request.Events, e => Assert.Equal(SessionId, e.ParentId));
    }

    [Fact]
    public void Add_TraceReachesPerTraceHoldLimit_EmittedEarlyWithoutRoot()
    {
        // Arrange
        var sink = new CollectingSink();
        var assembler = new TraceAssembler(sink, new TraceAssemblerOptions { RootWait = Timeout.InfiniteTimeSpan, MaxHeldSpansPerTrace = 3 });

        // Act
        assembler.Add([TestSpans.Span(2, 1, "c1"), TestSpans.Span(3, 1, "c2")]);
        var heldAtTwo = assembler.HeldSpanCount;
        assembler.Add(TestSpans.Span(4, 1, "c3"));

        // Assert
        Assert.Equal(2, heldAtTwo);
        Assert.Equal(0, assembler.HeldSpanCount);
        Assert.Equal(1, assembler.EarlyEmissions);
        Assert.Null(CallInvariants.FirstViolation(sink.Calls));
    }

    [Fact]
    public void Add_ChildrenThenRoot_HoldsUntilRootThenSessionBeforeEvents()
    {
        // Arrange
        var sink = new CollectingSink();
        var assembler = new TraceAssembler(sink);

        // Act
        assembler.Add([TestSpans.Span(3, 2, "grandchild"), TestSpans.Span(2, 1, "child")]);
        var heldBeforeRoot = sink.Calls.Count;
        assembler.Add(TestSpans.Span(1, 0, "root"));

        // Assert
        Assert.Equal(0, heldBeforeRoot);
        Assert.Equal(2, sink.Calls.Count);
        var start = Assert.IsType<StartSessionCall>(sink.Calls[0]);
        Assert.Equal(SessionId, start.SessionId);
        Assert.Equal("root", start.Request.SessionName);
        var batch = Assert.IsType<SessionEventBatchCall>(sink.Calls[1]);
        Assert.Equal(["child", "grandchild"], batch.Request.Events.Select(e => e.EventName));
        Assert.Equal(SessionId, batch.Request.Events[0].ParentId);
        Assert.Equal(HoneyHiveIds.EventIdForSpan(TestSpans.Trace, TestSpans.Id(2)), batch.Request.Events[1].ParentId);
        Assert.Null(CallInvariants.FirstViolation(sink.Calls));
        Assert.Equal(0, assembler.HeldSpanCount);
    }

    [Fact]
    public void GetLowestLogPosition_SpansHeldThenEmitted_ReportsTheHeldMinimumThenCallsCarryIt()
    {
        // Arrange
        var sink = new CollectingSink();
        var assembler = new TraceAssembler(sink);
        var grandchild = TestSpans.Span(3, 2, "grandchild");
        grandchild.LogPosition = 7;
        var child = TestSpans.Span(2, 1, "child");
        child.LogPosition = 5;
        var root = TestSpans.Span(1, 0, "root");
        root.LogPosition = 9;
        var other = TestSpans.Span(System.Diagnostics.ActivityTraceId.CreateRandom(), 4, 3, "other of another trace");
        other.LogPosition = 11;

        // Act
        var empty = assembler.GetLowestLogPosition();
        assembler.Add([grandchild, child, other]);
        var held = assembler.GetLowestLogPosition();
        assembler.Add(root);
        var afterEmit = assembler.GetLowestLogPosition();

        // Assert
        Assert.Equal(HoneyHive.OtelBridge.Implementation.Durability.LogPositions.None, empty);
        Assert.Equal(5, held);
        Assert.Equal(11, afterEmit);
        Assert.Equal(2, sink.Calls.Count);
        Assert.All(sink.Calls, call => Assert.Equal(5, call.LogPosition));
    }

    [Fact]
    public void EmitExpired_RootMissingAfterWait_PartialSessionAndStandInForMissingParent()
    {
        // Arrange
        var time = new ManualTimeProvider();
        var sink = new CollectingSink();
        var assembler = new TraceAssembler(sink, new TraceAssemblerOptions { RootWait = TimeSpan.FromSeconds(30) }, time);
        assembler.Add([TestSpans.Span(2, 1, "child"), TestSpans.Span(3, 2, "grandchild")]);

        // Act
        time.Advance(TimeSpan.FromSeconds(29));
        assembler.EmitExpired();
        var beforeWait = sink.Calls.Count;
        time.Advance(TimeSpan.FromSeconds(1));
        assembler.EmitExpired();

        // Assert
        Assert.Equal(0, beforeWait);
        var start = Assert.IsType<StartSessionCall>(sink.Calls[0]);
        Assert.Equal("child", start.Request.SessionName);
        Assert.True((bool)start.Request.Metadata!["root_span_missing"]!);
        var batch = Assert.IsType<SessionEventBatchCall>(sink.Calls[1]);
        var standIn = batch.Request.Events[0];
        Assert.Equal(HoneyHiveIds.EventIdForSpan(TestSpans.Trace, TestSpans.Id(1)), standIn.EventId);
        Assert.Equal(EventTypes.Chain, standIn.EventType);
        Assert.Equal(SessionId, standIn.ParentId);
        Assert.Equal(standIn.EventId, batch.Request.Events[1].ParentId);
        Assert.Null(CallInvariants.FirstViolation(sink.Calls));
        Assert.Equal(1, assembler.EarlyEmissions);
    }

    [Fact]
    public void Add_LateRootAfterWait_UpdatesSessionAndFillsStandIn()
    {
        // Arrange
        var time = new ManualTimeProvider();
        var sink = new CollectingSink();
        var assembler = new TraceAssembler(sink, new TraceAssemblerOptions { RootWait = TimeSpan.FromSeconds(30) }, time);
        assembler.Add(TestSpans.Span(2, 1, "child"));
        time.Advance(TimeSpan.FromSeconds(31));
        assembler.EmitExpired();
        var emittedBeforeRoot = sink.Calls.Count;

        // Act
        assembler.Add(TestSpans.Span(1, 0, "root", ("input.value", "question"), ("honeyhive_user_properties.user_id", "u-1")));

        // Assert
        var late = sink.Calls.Skip(emittedBeforeRoot).ToList();
        var session = Assert.IsType<StartSessionCall>(late[0]);
        Assert.Equal(SessionId, session.SessionId);
        Assert.Equal("u-1", (string?)session.Request.UserProperties!["user_id"]);
        var update = Assert.IsType<UpdateEventCall>(late[1]);
        Assert.Equal(HoneyHiveIds.EventIdForSpan(TestSpans.Trace, TestSpans.Id(1)), update.EventId);
        Assert.Equal("PUT", update.Method);
        Assert.Equal("root", (string?)update.Request.Metadata!["late_span"]!["event_name"]);
        Assert.Equal("question", (string?)update.Request.Metadata!["late_span"]!["inputs"]!["input"]);
        Assert.Equal(2, late.Count);
        Assert.Null(CallInvariants.FirstViolation(sink.Calls));
    }

    [Fact]
    public void Add_LateChildOfEmittedTrace_JoinsSessionWithoutNewSession()
    {
        // Arrange
        var sink = new CollectingSink();
        var assembler = new TraceAssembler(sink);
        assembler.Add([TestSpans.Span(2, 1, "child"), TestSpans.Span(1, 0, "root")]);
        var before = sink.Calls.Count;

        // Act
        assembler.Add([TestSpans.Span(4, 3, "late grandchild"), TestSpans.Span(3, 2, "late child")]);

        // Assert
        var late = Assert.IsType<SessionEventBatchCall>(Assert.Single(sink.Calls.Skip(before)));
        Assert.Equal(SessionId, late.SessionId);
        Assert.Equal(HoneyHiveIds.EventIdForSpan(TestSpans.Trace, TestSpans.Id(2)), late.Request.Events[0].ParentId);
        Assert.Null(CallInvariants.FirstViolation(sink.Calls));
    }

    [Fact]
    public void Add_RootWithSessionAttribute_RootBecomesChainEventInNamedSession()
    {
        // Arrange
        var sink = new CollectingSink();
        var assembler = new TraceAssembler(sink);

        // Act
        assembler.Add([TestSpans.Span(2, 1, "chat", ("gen_ai.operation.name", "chat")), TestSpans.Span(1, 0, "turn", ("honeyhive.session_id", "conversation-7"))]);

        // Assert
        var expectedSession = HoneyHiveIds.SessionIdForKey("conversation-7");
        Assert.Equal(expectedSession, Assert.IsType<StartSessionCall>(sink.Calls[0]).SessionId);
        var events = Assert.IsType<SessionEventBatchCall>(sink.Calls[1]).Request.Events;
        Assert.Equal(EventTypes.Chain, events[0].EventType);
        Assert.Equal(expectedSession, events[0].ParentId);
        Assert.Equal(events[0].EventId, events[1].ParentId);
        Assert.Equal(EventTypes.Model, events[1].EventType);
    }

    [Fact]
    public void Add_OverSpanCap_OldestTraceEmittedEarlyNothingDropped()
    {
        // Arrange
        var sink = new CollectingSink();
        var assembler = new TraceAssembler(sink, new TraceAssemblerOptions { MaxHeldSpans = 3, RootWait = Timeout.InfiniteTimeSpan });
        var traces = Enumerable.Range(1, 3).Select(i => System.Diagnostics.ActivityTraceId.CreateFromString($"{i:x32}")).ToList();

        // Act
        assembler.Add([TestSpans.Span(traces[0], 2, 1, "a"), TestSpans.Span(traces[0], 3, 1, "b")]);
        assembler.Add([TestSpans.Span(traces[1], 2, 1, "c")]);
        var afterThree = sink.Calls.Count;
        assembler.Add([TestSpans.Span(traces[2], 2, 1, "d")]);

        // Assert
        Assert.Equal(0, afterThree);
        var start = Assert.IsType<StartSessionCall>(sink.Calls[0]);
        Assert.Equal(HoneyHiveIds.SessionIdForTrace(traces[0]), start.SessionId);
        Assert.Equal(2, assembler.HeldSpanCount);
        assembler.FlushAll();
        Assert.Equal(0, assembler.HeldSpanCount);
        Assert.Equal(4 + 3, CallInvariants.EventsById(sink.Calls).Count); // 4 spans, and 3 stand-ins for the roots that never came
        Assert.Null(CallInvariants.FirstViolation(sink.Calls));
    }

    [Fact]
    public void EmitExpired_TracesPendingAtDifferentTimes_EmitsOnlyTheExpiredOnesOldestFirst()
    {
        // Arrange: trace 1 waits from t0, trace 2 from t0+10 s; trace 1 is then emitted by its root and gets a late
        // span (its parent unknown) at t0+20 s, so its new wait starts after trace 2's.
        var time = new ManualTimeProvider();
        var sink = new CollectingSink();
        var assembler = new TraceAssembler(sink, new TraceAssemblerOptions { RootWait = TimeSpan.FromSeconds(30) }, time);
        var first = System.Diagnostics.ActivityTraceId.CreateFromString($"{1:x32}");
        var second = System.Diagnostics.ActivityTraceId.CreateFromString($"{2:x32}");
        assembler.Add(TestSpans.Span(first, 2, 1, "a"));
        time.Advance(TimeSpan.FromSeconds(10));
        assembler.Add(TestSpans.Span(second, 2, 1, "b"));
        time.Advance(TimeSpan.FromSeconds(10));
        assembler.Add(TestSpans.Span(first, 1, 0, "a-root"));
        var afterRoot = sink.Calls.Count;
        assembler.Add(TestSpans.Span(first, 3, 9, "a-late"));

        // Act
        time.Advance(TimeSpan.FromSeconds(20));
        assembler.EmitExpired();
        var atThirty = sink.Calls.Skip(afterRoot).Select(c => c.SessionId).ToList();
        var heldAtThirty = assembler.HeldSpanCount;
        time.Advance(TimeSpan.FromSeconds(10));
        assembler.EmitExpired();

        // Assert: at t0+40 s only trace 2 (waiting 30 s) is out; trace 1's late child (waiting 20 s) is still held.
        Assert.Equal([HoneyHiveIds.SessionIdForTrace(second), HoneyHiveIds.SessionIdForTrace(second)], atThirty);
        Assert.Equal(1, heldAtThirty);
        Assert.Equal(0, assembler.HeldSpanCount);
        Assert.Equal(HoneyHiveIds.SessionIdForTrace(first), sink.Calls[^1].SessionId);
    }

    [Fact]
    public void FlushAll_HeldTraces_EmitsEverythingOldestFirst()
    {
        // Arrange
        var sink = new CollectingSink();
        var assembler = new TraceAssembler(sink, new TraceAssemblerOptions { RootWait = Timeout.InfiniteTimeSpan });
        var first = System.Diagnostics.ActivityTraceId.CreateFromString($"{1:x32}");
        var second = System.Diagnostics.ActivityTraceId.CreateFromString($"{2:x32}");
        assembler.Add(TestSpans.Span(first, 2, 1, "x"));
        assembler.Add(TestSpans.Span(second, 2, 1, "y"));

        // Act
        assembler.FlushAll();

        // Assert
        Assert.Equal(
            [HoneyHiveIds.SessionIdForTrace(first), HoneyHiveIds.SessionIdForTrace(first), HoneyHiveIds.SessionIdForTrace(second), HoneyHiveIds.SessionIdForTrace(second)],
            sink.Calls.Select(c => c.SessionId));
        Assert.Equal(0, assembler.HeldSpanCount);
    }

    [Fact]
    public void Add_ManyThreads_EverySessionPrecedesItsEvents()
    {
        // Arrange
        var sink = new CollectingSink();
        var assembler = new TraceAssembler(sink, new TraceAssemblerOptions { RootWait = TimeSpan.Zero });
        var traces = Enumerable.Range(1, 40).Select(i => System.Diagnostics.ActivityTraceId.CreateFromString($"{i:x32}")).ToList();

        // Act: every span on its own, from several threads, with no wait: late spans and stand-ins everywhere.
        Parallel.ForEach(
            traces.SelectMany(t => Enumerable.Range(1, 5).Select(i => TestSpans.Span(t, i, i == 1 ? 0 : i - 1, "s" + i))),
            new ParallelOptions { MaxDegreeOfParallelism = 4 },
            span => assembler.Add(span));
        assembler.FlushAll();

        // Assert
        Assert.Null(CallInvariants.FirstViolation(sink.Calls));
        Assert.Equal(200, assembler.SpansReceived);
    }
    [Fact]
    public void Add_ManyThreadsMapAtOnce_SinkTakesOnePlanAtATimeAndEveryTraceOnce()
    {
        // Arrange: complete traces, each emitted by the Add that completes it, so the threads map concurrently.
        var sink = new OneAtATimeSink();
        var assembler = new TraceAssembler(sink, new TraceAssemblerOptions { RootWait = TimeSpan.FromHours(1) });
        var traces = Enumerable.Range(1, 200).Select(i => System.Diagnostics.ActivityTraceId.CreateFromString($"{i:x32}")).ToList();

        // Act
        Parallel.ForEach(
            traces,
            new ParallelOptions { MaxDegreeOfParallelism = 4 },
            t => assembler.Add(Enumerable.Range(1, 4).Select(i => TestSpans.Span(t, i, i == 1 ? 0 : 1, "s" + i)).ToList()));
        var leftParked = assembler.PlansInFlight;
        assembler.FlushAll();

        // Assert: no plan waits for a thread that has left (each Add returned with nothing of its own unsubmitted).
        Assert.Equal(0, leftParked);
        Assert.Equal(0, sink.Overlaps);
        Assert.Null(CallInvariants.FirstViolation(sink.Calls));
        Assert.Equal(
            traces.Select(HoneyHiveIds.SessionIdForTrace).Order(StringComparer.Ordinal),
            sink.Calls.OfType<StartSessionCall>().Select(c => c.SessionId).Order(StringComparer.Ordinal));
        Assert.Equal(LogPositions.None, assembler.GetLowestLogPosition());
    }

    [Fact]
    public async Task FlushAll_LaterTraceMappedWhileAnEarlierOneStillMaps_ReturnsWithBothSubmittedInDecisionOrder()
    {
        // Arrange: a trace whose mapping takes a while (a root with many attributes) and a small one.
        var sink = new CollectingSink();
        var assembler = new TraceAssembler(sink, new TraceAssemblerOptions { RootWait = TimeSpan.FromHours(1) });
        var slowTrace = System.Diagnostics.ActivityTraceId.CreateFromString($"{1:x32}");
        var quickTrace = System.Diagnostics.ActivityTraceId.CreateFromString($"{2:x32}");
        var slowRoot = TestSpans.Span(slowTrace, 1, 0, "slow", [.. Enumerable.Range(0, 500_000).Select(i => ("k" + i, (object?)("value " + i)))]);
        slowRoot.LogPosition = 7;
        var quickRoot = TestSpans.Span(quickTrace, 1, 0, "quick");
        quickRoot.LogPosition = 9;

        // Act: one thread maps the slow trace; once it has taken it, this thread adds the quick one (mapped here,
        // then left for the slow one's thread to submit after it) and flushes.
        var slow = Task.Run(() => assembler.Add(slowRoot));
        while (assembler.PlansInFlight == 0 && !slow.IsCompleted)
        {
            await Task.Yield();
        }

        assembler.Add(quickRoot);
        assembler.FlushAll();
        var whenFlushed = sink.Snapshot();
        await slow;

        // Assert
        Assert.Equal(
            [HoneyHiveIds.SessionIdForTrace(slowTrace), HoneyHiveIds.SessionIdForTrace(quickTrace)],
            whenFlushed.OfType<StartSessionCall>().Select(c => c.SessionId));
        Assert.Equal(0, assembler.PlansInFlight);
        Assert.Equal(LogPositions.None, assembler.GetLowestLogPosition());
    }

    [Fact]
    public async Task Add_SinkStuckWhileTracesKeepComing_AddWaitsOnceTheParkedTracesReachTheLimit()
    {
        // Arrange: the sink holds the first submission until the gate opens.
        using var gate = new ManualResetEventSlim();
        var sink = new GatedSink(gate);
        var assembler = new TraceAssembler(sink, new TraceAssemblerOptions { RootWait = TimeSpan.FromHours(1) });
        var traces = Enumerable.Range(1, TraceAssembler.MaxParkedPlans + 20).Select(i => System.Diagnostics.ActivityTraceId.CreateFromString($"{i:x32}")).ToList();
        var first = Task.Run(() => assembler.Add(TestSpans.Span(traces[0], 1, 0, "first")));
        while (!sink.Entered)
        {
            await Task.Yield();
        }

        // Act: more traces from another thread while the first submission is stuck.
        var added = 0;
        var rest = Task.Run(() =>
        {
            foreach (var t in traces.Skip(1))
            {
                assembler.Add(TestSpans.Span(t, 1, 0, "next"));
                Interlocked.Increment(ref added);
            }
        });
        while (assembler.PlansInFlight <= TraceAssembler.MaxParkedPlans && !rest.IsCompleted)
        {
            await Task.Yield();
        }

        // Give the adding thread time to go on, which it must not while the sink is stuck.
        await Task.WhenAny(rest, Task.Delay(TimeSpan.FromMilliseconds(500)));
        var addedWhileStuck = Volatile.Read(ref added);
        gate.Set();
        await Task.WhenAll(first, rest);

        // Assert: the adding thread stopped at the limit instead of parking all of them; once the sink moved on,
        // everything arrived in order.
        Assert.InRange(addedWhileStuck, TraceAssembler.MaxParkedPlans - 1, TraceAssembler.MaxParkedPlans + 1);
        Assert.Equal(
            traces.Select(HoneyHiveIds.SessionIdForTrace),
            sink.Calls.OfType<StartSessionCall>().Select(c => c.SessionId));
        Assert.Equal(0, assembler.PlansInFlight);
    }

    [Fact]
    public async Task Add_FirstTracesPrepareBlocked_SecondTraceStillPreparedOnItsOwnThread()
    {
        // Arrange: the sink's Prepare of the first trace waits for the gate.
        using var gate = new ManualResetEventSlim();
        var sink = new GatedPrepareSink(gate);
        var assembler = new TraceAssembler(sink, new TraceAssemblerOptions { RootWait = TimeSpan.FromHours(1) });
        var firstTrace = System.Diagnostics.ActivityTraceId.CreateFromString($"{1:x32}");
        var secondTrace = System.Diagnostics.ActivityTraceId.CreateFromString($"{2:x32}");
        var first = Task.Run(() => assembler.Add(TestSpans.Span(firstTrace, 1, 0, "first")));
        while (!sink.FirstEntered.IsSet && !first.IsCompleted)
        {
            await Task.Yield();
        }

        // Act: a second trace from another thread while the first one's preparing is stuck.
        var secondThread = 0;
        var second = Task.Run(() =>
        {
            secondThread = Environment.CurrentManagedThreadId;
            assembler.Add(TestSpans.Span(secondTrace, 1, 0, "second"));
        });
        var secondPrepared = sink.SecondPrepared.Wait(TimeSpan.FromSeconds(30));
        gate.Set();
        await Task.WhenAll(first, second);

        // Assert: the second trace was prepared on the thread that mapped it, while the first's preparing still
        // waited (preparing under the one-at-a-time submission would have left it to the first's thread); both
        // were then submitted in decision order, each as prepared.
        Assert.True(secondPrepared);
        Assert.Equal(secondThread, sink.SecondPreparedOn);
        Assert.Equal(
            [HoneyHiveIds.SessionIdForTrace(firstTrace), HoneyHiveIds.SessionIdForTrace(secondTrace)],
            sink.Submitted.SelectMany(p => p.Calls).OfType<StartSessionCall>().Select(c => c.SessionId));
        Assert.Equal(sink.Prepared.OrderBy(p => p.Calls[0].SessionId, StringComparer.Ordinal), sink.Submitted.OrderBy(p => p.Calls[0].SessionId, StringComparer.Ordinal));
        Assert.Equal(0, assembler.PlansInFlight);
    }

    [Fact]
    public void Add_SinkPrepareThrows_CountedAsMappingFailureAndLaterTracesSubmitted()
    {
        // Arrange: the sink cannot prepare the first trace's calls.
        var sink = new FailingPrepareSink();
        var assembler = new TraceAssembler(sink, new TraceAssemblerOptions { RootWait = TimeSpan.FromHours(1) });
        var failing = System.Diagnostics.ActivityTraceId.CreateFromString($"{1:x32}");
        var next = System.Diagnostics.ActivityTraceId.CreateFromString($"{2:x32}");
        var failingRoot = TestSpans.Span(failing, 1, 0, "failing");
        failingRoot.LogPosition = 3;

        // Act
        assembler.Add(failingRoot);
        assembler.Add(TestSpans.Span(next, 1, 0, "next"));

        // Assert: counted as a mapping failure, its log position let go, the next trace submitted.
        Assert.Equal(1, assembler.MappingFailures);
        Assert.Same(sink.Thrown, assembler.LastMappingError);
        Assert.Equal([HoneyHiveIds.SessionIdForTrace(next)], sink.Calls.OfType<StartSessionCall>().Select(c => c.SessionId));
        Assert.Equal(0, assembler.PlansInFlight);
        Assert.Equal(LogPositions.None, assembler.GetLowestLogPosition());
    }

    /// <summary>Records what it prepares and submits; the first Prepare waits for the gate.</summary>
    private sealed class GatedPrepareSink(ManualResetEventSlim gate) : IApiCallSink
    {
        private readonly object sync = new();
        private int prepares;

        public ManualResetEventSlim FirstEntered { get; } = new();

        public ManualResetEventSlim SecondPrepared { get; } = new();

        public int SecondPreparedOn { get; private set; }

        public List<PreparedCalls> Prepared { get; } = [];

        public List<PreparedCalls> Submitted { get; } = [];

        public PreparedCalls Prepare(IReadOnlyList<ApiCall> calls)
        {
            var prepared = new PreparedCalls(calls);
            lock (this.sync)
            {
                this.Prepared.Add(prepared);
            }

            if (Interlocked.Increment(ref this.prepares) == 1)
            {
                this.FirstEntered.Set();
                gate.Wait();
            }
            else
            {
                this.SecondPreparedOn = Environment.CurrentManagedThreadId;
                this.SecondPrepared.Set();
            }

            return prepared;
        }

        public void Submit(PreparedCalls prepared)
        {
            lock (this.sync)
            {
                this.Submitted.Add(prepared);
            }
        }

        public void Submit(IReadOnlyList<ApiCall> calls) => throw new InvalidOperationException("Prepared calls only.");
    }

    /// <summary>Collects calls; its first Prepare throws.</summary>
    private sealed class FailingPrepareSink : IApiCallSink
    {
        private bool failed;

        public InvalidOperationException Thrown { get; } = new("cannot prepare");

        public List<ApiCall> Calls { get; } = [];

        public PreparedCalls Prepare(IReadOnlyList<ApiCall> calls)
        {
            if (!this.failed)
            {
                this.failed = true;
                throw this.Thrown;
            }

            return new PreparedCalls(calls);
        }

        public void Submit(IReadOnlyList<ApiCall> calls) => this.Calls.AddRange(calls);
    }

    /// <summary>Collects calls and counts the times a submission began while another was still inside.</summary>
    private sealed class OneAtATimeSink : IApiCallSink
    {
        private int inside;

        public List<ApiCall> Calls { get; } = [];

        public int Overlaps { get; private set; }

        public void Submit(IReadOnlyList<ApiCall> calls)
        {
            if (Interlocked.Increment(ref this.inside) != 1)
            {
                this.Overlaps++;
            }

            Thread.SpinWait(200);
            this.Calls.AddRange(calls);
            Interlocked.Decrement(ref this.inside);
        }
    }

    /// <summary>Collects calls; the first submission waits for the gate.</summary>
    private sealed class GatedSink(ManualResetEventSlim gate) : IApiCallSink
    {
        private volatile bool entered;

        public List<ApiCall> Calls { get; } = [];

        public bool Entered => this.entered;

        public void Submit(IReadOnlyList<ApiCall> calls)
        {
            this.entered = true;
            gate.Wait();
            this.Calls.AddRange(calls);
        }
    }
}
