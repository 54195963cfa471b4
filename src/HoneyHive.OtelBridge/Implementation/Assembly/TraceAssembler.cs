// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Runtime.ExceptionServices;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Durability;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Implementation.Assembly;

/// <summary>
/// Groups spans by trace and decides when and how they become HoneyHive calls.
/// </summary>
/// <remarks>
/// <para>
/// A trace is held until its root has arrived and every held span's parent is known (held or
/// already emitted); then the session call and one event batch go to the sink. A trace still
/// incomplete after <see cref="TraceAssemblerOptions.RootWait"/> (or pushed out by
/// <see cref="TraceAssemblerOptions.MaxHeldSpans"/>, or by <see cref="FlushAll"/>) is emitted with
/// what is there: a session built from its spans if the root is missing, and a stand-in
/// <c>chain</c> event for each missing parent so that no <c>parent_id</c> dangles.
/// </para>
/// <para>
/// Spans of an emitted trace that arrive later join the same session. A late span that has a
/// stand-in fills it with <c>PUT /v1/events/{id}</c>; a late root also re-posts its session
/// (idempotent; the API merges metadata and user properties).
/// </para>
/// <para>
/// Thread-safe. Decisions are made under a short lock; mapping, and the sink's preparing of the calls
/// (<see cref="IApiCallSink.Prepare"/>: delivery encodes the events), happen outside it, on as many threads as
/// call in at once, and submission in decision order, so a session's calls always reach the sink session first.
/// </para>
/// </remarks>
internal sealed class TraceAssembler
{
    /// <summary>How many mapped traces may wait for their turn to be submitted before the threads that map more
    /// wait too (instead of returning to take more spans).</summary>
    internal const int MaxParkedPlans = 32;

    /// <summary>Up to this many pending spans, a trace's topological order is found without dictionaries.</summary>
    internal const int SmallTraceSpans = 64;

    private readonly object sync = new();
    private readonly object submitSync = new();
    private readonly IApiCallSink sink;
    private readonly TraceAssemblerOptions options;
    private readonly TimeProvider timeProvider;
    private readonly Dictionary<ActivityTraceId, TraceState> traces = [];
    private readonly Queue<ActivityTraceId> remembered = new();
    private readonly Queue<TracePlan> outbox = new();

    /// <summary>The traces with pending spans, oldest first (the order in which they started waiting, so of
    /// <see cref="TraceState.PendingSince"/>): expiry and the held-span cap look at the head only, never at every
    /// remembered trace.</summary>
    private readonly LinkedList<TraceState> pendingOrder = new();

    /// <summary>The log positions of the plans taken from the outbox whose calls the sink does not have yet.</summary>
    private readonly List<long> drainingPositions = [];

    /// <summary>Mapped plans, their calls prepared by the sink, waiting for their turn to be submitted, by ticket
    /// (guarded by itself).</summary>
    private readonly Dictionary<long, (long LogPosition, PreparedCalls? Calls)> mapped = [];
    private int heldSpans;
    private long spansReceived;
    private long earlyEmissions;
    private long placeholders;
    private long mappingFailures;
    private long nextTicket;
    private long nextSubmit;

    public TraceAssembler(IApiCallSink sink, TraceAssemblerOptions? options = null, TimeProvider? timeProvider = null)
    {
        this.sink = sink;
        this.options = options ?? new TraceAssemblerOptions();
        this.timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the number of spans held, waiting for their trace to complete.</summary>
    public int HeldSpanCount
    {
        get
        {
            lock (this.sync)
            {
                return this.heldSpans;
            }
        }
    }

    /// <summary>
    /// Gets the lowest durable-log position among the spans held, and the traces emitted but not yet handed to
    /// the sink (<see cref="LogPositions.None"/> when none is logged).
    /// </summary>
    /// <returns>The lowest position.</returns>
    public long GetLowestLogPosition()
    {
        lock (this.sync)
        {
            var lowest = LogPositions.None;
            foreach (var position in this.drainingPositions)
            {
                lowest = LogPositions.Min(lowest, position);
            }

            foreach (var state in this.pendingOrder)
            {
                lowest = LogPositions.Min(lowest, state.MinLogPosition);
            }

            foreach (var plan in this.outbox)
            {
                lowest = LogPositions.Min(lowest, plan.LogPosition);
            }

            return lowest;
        }
    }

    /// <summary>Gets the number of emitted traces taken from the outbox whose calls the sink does not have yet
    /// (being mapped, or mapped and waiting for an earlier trace to be submitted first).</summary>
    public int PlansInFlight
    {
        get
        {
            lock (this.sync)
            {
                return this.drainingPositions.Count;
            }
        }
    }

    /// <summary>Gets the number of spans received.</summary>
    public long SpansReceived => Interlocked.Read(ref this.spansReceived);

    /// <summary>Gets how many times an incomplete trace was emitted (wait over, memory cap, flush).</summary>
    public long EarlyEmissions => Interlocked.Read(ref this.earlyEmissions);

    /// <summary>Gets the number of stand-in events created for missing parents.</summary>
    public long PlaceholdersCreated => Interlocked.Read(ref this.placeholders);

    /// <summary>Gets the number of traces whose mapping, or the sink's preparing of their calls, threw (their spans are
    /// counted here, not lost silently).</summary>
    public long MappingFailures => Interlocked.Read(ref this.mappingFailures);

    /// <summary>Gets the exception of the last trace whose mapping failed, for logging.</summary>
    public Exception? LastMappingError { get; private set; }

    /// <summary>Adds one span.</summary>
    /// <param name="span">The span.</param>
    public void Add(SpanRecord span) => this.Add([span]);

    /// <summary>Adds spans (any traces, any order).</summary>
    /// <param name="spans">The spans.</param>
    public void Add(IEnumerable<SpanRecord> spans)
    {
        lock (this.sync)
        {
            var now = this.timeProvider.GetUtcNow();
            var touched = new List<TraceState>();
            var touchedSet = new HashSet<TraceState>(ReferenceEqualityComparer.Instance);
            foreach (var span in spans)
            {
                Interlocked.Increment(ref this.spansReceived);
                if (!this.traces.TryGetValue(span.TraceId, out var state))
                {
                    state = new TraceState(span.TraceId);
                    this.traces.Add(span.TraceId, state);
                }

                if (state.Pending.Count == 0)
                {
                    state.PendingSince = now;
                    this.pendingOrder.AddLast(state.PendingNode);
                }

                if (touchedSet.Add(state))
                {
                    touched.Add(state);
                }

                state.MinLogPosition = LogPositions.Min(state.MinLogPosition, span.LogPosition);
                state.AcceptedTimestamp = BridgeMetrics.EarliestTimestamp(state.AcceptedTimestamp, span.AcceptedTimestamp);
                if (state.Pending.TryAdd(span.SpanId, span))
                {
                    this.heldSpans++;
                }
                else
                {
                    state.Pending[span.SpanId] = span;
                }

                if (state.Pending.Count >= this.options.MaxHeldSpansPerTrace)
                {
                    // One trace may not take the whole cap: emitted early with what is there (never dropped).
                    this.Emit(state, force: true);
                }
            }

            foreach (var state in touched)
            {
                if (state.Pending.Count > 0 && CanEmit(state))
                {
                    this.Emit(state, force: false);
                }
            }

            this.EmitExpiredLocked(now);
            while (this.heldSpans > this.options.MaxHeldSpans && this.Oldest() is { } oldest)
            {
                this.Emit(oldest, force: true);
            }
        }

        this.Drain();
    }

    /// <summary>Emits the traces that have waited longer than <see cref="TraceAssemblerOptions.RootWait"/>.</summary>
    public void EmitExpired()
    {
        lock (this.sync)
        {
            this.EmitExpiredLocked(this.timeProvider.GetUtcNow());
        }

        this.Drain();
    }

    /// <summary>Emits everything held, oldest trace first.</summary>
    public void FlushAll()
    {
        lock (this.sync)
        {
            while (this.Oldest() is { } oldest)
            {
                this.Emit(oldest, force: true);
            }
        }

        this.Drain(waitForSubmission: true);
    }

    private static bool CanEmit(TraceState state)
    {
        var hasRoot = false;
        foreach (var span in state.Pending.Values)
        {
            if (span.IsRoot)
            {
                hasRoot = true;
            }
            else if (!state.IsKnown(span.ParentSpanId) && span.ParentSpanId != span.SpanId)
            {
                return false;
            }
        }

        return hasRoot || state.SessionEmitted;
    }

    /// <summary>
    /// Orders spans by start time, then span id: the order of the span ids' hex strings (ordinal), compared as their
    /// bytes (big-endian), without making the strings. Span ids are unique among a trace's pending spans, so the
    /// order is total and an unstable sort gives it.
    /// </summary>
    private static int StartThenSpanId(SpanRecord x, SpanRecord y)
    {
        var byStart = x.StartTimeUnixNano.CompareTo(y.StartTimeUnixNano);
        if (byStart != 0)
        {
            return byStart;
        }

        Span<byte> a = stackalloc byte[8];
        Span<byte> b = stackalloc byte[8];
        x.SpanId.CopyTo(a);
        y.SpanId.CopyTo(b);
        return a.SequenceCompareTo(b);
    }

    /// <summary>
    /// The spans parents first: depth-first from each span without a pending parent (in <paramref name="sorted"/>'s
    /// order, children in that order too), then from every span not reached yet (a cycle). A trace of up to
    /// <see cref="SmallTraceSpans"/> spans is walked by position, its children found by scanning (no dictionaries, no
    /// lists: this runs under the assembler's lock); a larger one through <see cref="TopologicalOrderIndexed"/>, the
    /// same order.
    /// </summary>
    /// <param name="sorted">The trace's pending spans, in start order.</param>
    /// <param name="byId">The same spans by id.</param>
    /// <returns>The spans, parents first.</returns>
    internal static List<SpanRecord> TopologicalOrder(List<SpanRecord> sorted, Dictionary<ActivitySpanId, SpanRecord> byId)
    {
        var n = sorted.Count;
        if (n > SmallTraceSpans)
        {
            return TopologicalOrderIndexed(sorted, byId);
        }

        // Whether span i hangs under another pending span (not a root, not its own parent, its parent pending).
        Span<bool> isChild = stackalloc bool[n];
        for (var i = 0; i < n; i++)
        {
            var span = sorted[i];
            isChild[i] = !span.IsRoot && span.ParentSpanId != span.SpanId && byId.ContainsKey(span.ParentSpanId);
        }

        // A span is pushed once by its one parent, and once more at most as a start: n + 1 places are enough.
        Span<bool> visited = stackalloc bool[n];
        Span<int> stack = stackalloc int[n + 1];
        var result = new List<SpanRecord>(n);
        for (var pass = 0; pass < 2; pass++)
        {
            for (var start = 0; start < n; start++)
            {
                if (pass == 0 && isChild[start])
                {
                    continue;
                }

                var depth = 0;
                stack[depth++] = start;
                while (depth > 0)
                {
                    var at = stack[--depth];
                    if (visited[at])
                    {
                        continue;
                    }

                    visited[at] = true;
                    var spanId = sorted[at].SpanId;
                    result.Add(sorted[at]);
                    for (var i = n - 1; i >= 0; i--)
                    {
                        if (isChild[i] && sorted[i].ParentSpanId == spanId)
                        {
                            stack[depth++] = i;
                        }
                    }
                }
            }
        }

        return result;
    }

    /// <summary><see cref="TopologicalOrder"/> with dictionaries, for a trace of any size.</summary>
    /// <param name="sorted">The trace's pending spans, in start order.</param>
    /// <param name="byId">The same spans by id.</param>
    /// <returns>The spans, parents first.</returns>
    internal static List<SpanRecord> TopologicalOrderIndexed(List<SpanRecord> sorted, Dictionary<ActivitySpanId, SpanRecord> byId)
    {
        var children = new Dictionary<ActivitySpanId, List<SpanRecord>>();
        var tops = new List<SpanRecord>();
        foreach (var span in sorted)
        {
            if (!span.IsRoot && span.ParentSpanId != span.SpanId && byId.ContainsKey(span.ParentSpanId))
            {
                if (!children.TryGetValue(span.ParentSpanId, out var list))
                {
                    children[span.ParentSpanId] = list = [];
                }

                list.Add(span);
            }
            else
            {
                tops.Add(span);
            }
        }

        var result = new List<SpanRecord>(sorted.Count);
        var visited = new HashSet<ActivitySpanId>();
        var stack = new Stack<SpanRecord>();
        foreach (var top in tops.Concat(sorted))
        {
            stack.Push(top);
            while (stack.Count > 0)
            {
                var span = stack.Pop();
                if (!visited.Add(span.SpanId))
                {
                    continue;
                }

                result.Add(span);
                if (children.TryGetValue(span.SpanId, out var list))
                {
                    for (var i = list.Count - 1; i >= 0; i--)
                    {
                        stack.Push(list[i]);
                    }
                }
            }
        }

        return result;
    }

    private TraceState? Oldest() => this.pendingOrder.First?.Value;

    private void EmitExpiredLocked(DateTimeOffset now)
    {
        var wait = this.options.RootWait;
        if (wait == Timeout.InfiniteTimeSpan || wait == TimeSpan.MaxValue)
        {
            return;
        }

        while (this.Oldest() is { } oldest && now - oldest.PendingSince >= wait)
        {
            this.Emit(oldest, force: true);
        }
    }

    private void Emit(TraceState state, bool force)
    {
        var complete = CanEmit(state);
        if (force && !complete)
        {
            Interlocked.Increment(ref this.earlyEmissions);
        }

        var plan = this.BuildPlan(state);
        this.heldSpans -= state.Pending.Count;
        state.Pending.Clear();
        this.pendingOrder.Remove(state.PendingNode);
        state.MinLogPosition = LogPositions.None;
        state.AcceptedTimestamp = 0;
        this.outbox.Enqueue(plan);

        if (!state.Remembered)
        {
            state.Remembered = true;
            this.remembered.Enqueue(state.TraceId);
        }

        while (this.remembered.Count > this.options.MaxRememberedTraces)
        {
            var id = this.remembered.Dequeue();
            if (this.traces.TryGetValue(id, out var old))
            {
                old.Remembered = false;
                if (old.Pending.Count == 0)
                {
                    this.traces.Remove(id);
                }
            }
        }
    }

    private TracePlan BuildPlan(TraceState state)
    {
        var sorted = new List<SpanRecord>(state.Pending.Values);
        sorted.Sort(StartThenSpanId);
        var root = sorted.Find(s => s.IsRoot);
        var kind = SessionPlanKind.None;
        var rootAsEvent = false;

        if (!state.SessionEmitted)
        {
            if (root is not null)
            {
                var explicitSession = SessionKeys.SessionIdOf(root);
                state.Grouped = explicitSession is not null;
                state.SessionId = explicitSession ?? HoneyHiveIds.SessionIdForTrace(state.TraceId);
                kind = state.Grouped ? SessionPlanKind.Grouped : SessionPlanKind.Root;
                state.RootSpanId = root.SpanId;
                state.RootIsSession = !state.Grouped;
                rootAsEvent = state.Grouped;
            }
            else
            {
                var explicitSession = sorted.Select(SessionKeys.SessionIdOf).FirstOrDefault(id => id is not null);
                state.Grouped = explicitSession is not null;
                state.SessionId = explicitSession ?? HoneyHiveIds.SessionIdForTrace(state.TraceId);
                kind = SessionPlanKind.Partial;
            }

            state.SessionEmitted = true;
        }
        else if (root is not null)
        {
            if (state.RootIsSession && state.RootSpanId == root.SpanId)
            {
                // The same root again (re-delivery): re-post its session, idempotently.
                kind = SessionPlanKind.Root;
            }
            else
            {
                // A late root: update the session (the API merges metadata and user properties)
                // and show the root as a chain event, where earlier children may already point.
                kind = state.Grouped ? SessionPlanKind.Grouped : SessionPlanKind.Root;
                state.RootSpanId = root.SpanId;
                state.RootIsSession = false;
                rootAsEvent = true;
            }
        }

        var sessionId = state.SessionId!;
        var plan = new TracePlan
        {
            TraceId = state.TraceId,
            SessionId = sessionId,
            SessionKind = kind,
            SessionSpan = root,
            PartialSpans = kind == SessionPlanKind.Partial ? sorted : [],
            LogPosition = state.MinLogPosition,
            AcceptedTimestamp = state.AcceptedTimestamp,
        };

        foreach (var span in TopologicalOrder(sorted, state.Pending))
        {
            if (span.IsRoot && !rootAsEvent)
            {
                continue;
            }

            if (state.Placeholders.Remove(span.SpanId))
            {
                state.Emitted.Add(span.SpanId);
                plan.Updates.Add(span);
                continue;
            }

            var parentId = span.IsRoot ? sessionId : this.ParentIdOf(state, span, sorted, plan);
            state.Emitted.Add(span.SpanId);
            plan.Events.Add(new PlannedEvent(span, parentId, AsRootEvent: span.IsRoot));
        }

        return plan;
    }

    /// <summary>The span's parent as its event will name it; <see langword="null"/> for the event of its own parent
    /// span (the id is derived when the plan is mapped, outside the lock: <see cref="PlannedEvent"/>).</summary>
    private string? ParentIdOf(TraceState state, SpanRecord span, List<SpanRecord> pending, TracePlan plan)
    {
        var parent = span.ParentSpanId;
        if (parent == span.SpanId)
        {
            return plan.SessionId;
        }

        if (state.RootIsSession && parent == state.RootSpanId)
        {
            return plan.SessionId;
        }

        if (state.Pending.ContainsKey(parent) || state.Emitted.Contains(parent) || state.Placeholders.Contains(parent))
        {
            return null;
        }

        // The parent has not arrived: a stand-in chain event takes its place until it does.
        var children = pending.Where(s => s.ParentSpanId == parent).ToList();
        state.Placeholders.Add(parent);
        plan.Placeholders.Add(new PlannedPlaceholder(parent, children.Min(s => s.StartTimeUnixNano), children.Max(s => s.EndTimeUnixNano)));
        Interlocked.Increment(ref this.placeholders);
        return null;
    }

    /// <summary>
    /// Maps the plans in the outbox and hands their calls to the sink. Any number of threads map at once (a plan is
    /// taken with a ticket, in decision order); the calls reach the sink strictly in ticket order, whichever thread
    /// finishes a mapping first: a finished plan waits in <see cref="mapped"/> until its predecessors are submitted,
    /// and one thread at a time submits (a thread that finds another submitting leaves its plan to it and returns).
    /// </summary>
    /// <param name="waitForSubmission">Whether to return only once every plan taken so far (by any thread) has been
    /// submitted (a flush must not find delivery empty while another thread still maps).</param>
    private void Drain(bool waitForSubmission = false)
    {
        Exception? submitError = null;
        while (true)
        {
            TracePlan? plan;
            long ticket;
            lock (this.sync)
            {
                if (!this.outbox.TryDequeue(out plan))
                {
                    break;
                }

                ticket = this.nextTicket++;

                // Until the sink has the calls, the plan's log position is held here (the log's watermark).
                this.drainingPositions.Add(plan.LogPosition);
            }

            PreparedCalls? prepared;
            try
            {
                var calls = TraceMapper.ToCalls(plan, this.options.Mapping);
                foreach (var call in calls)
                {
                    call.LogPosition = plan.LogPosition;
                    call.AcceptedTimestamp = plan.AcceptedTimestamp;
                }

                // What does not depend on the submission order (delivery encodes the events) is done here, on the
                // mapping thread, not under submitSync where one thread at a time submits.
                prepared = calls.Count > 0 ? this.sink.Prepare(calls) : null;
            }
#pragma warning disable CA1031 // One bad trace must not stop the others; it is counted.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                this.LastMappingError = ex;
                Interlocked.Increment(ref this.mappingFailures);
                prepared = null;
            }

            submitError ??= this.SubmitInOrder(ticket, plan.LogPosition, prepared);
        }

        if (waitForSubmission)
        {
            long taken;
            lock (this.sync)
            {
                taken = this.nextTicket;
            }

            // Another thread may still be mapping an earlier plan; whoever finishes a run of plans submits it.
            while (Volatile.Read(ref this.nextSubmit) < taken)
            {
                submitError ??= this.SubmitReady();
                lock (this.submitSync)
                {
                    if (this.nextSubmit < taken)
                    {
                        // Woken by a submission; the timeout covers a plan parked while this thread held the lock.
                        Monitor.Wait(this.submitSync, TimeSpan.FromMilliseconds(20));
                    }
                }
            }
        }

        if (submitError is not null)
        {
            ExceptionDispatchInfo.Throw(submitError);
        }
    }

    /// <summary>
    /// Parks a mapped plan and submits every plan whose turn has come, in ticket order. When another thread is
    /// submitting already, the plan is left to it (it looks again after letting go) and this thread returns, unless
    /// more than <see cref="MaxParkedPlans"/> plans are parked: then it waits its turn and helps.
    /// </summary>
    /// <returns>The first exception a submission threw (the later plans are still submitted), or null.</returns>
    private Exception? SubmitInOrder(long ticket, long logPosition, PreparedCalls? calls)
    {
        int parked;
        lock (this.mapped)
        {
            this.mapped.Add(ticket, (logPosition, calls));
            parked = this.mapped.Count;
        }

        if (parked <= MaxParkedPlans)
        {
            return this.SubmitReady();
        }

        // Backpressure: the mappers are ahead of the one submitting (the sink waits, or encodes slowly). This thread
        // waits its turn and helps, so its caller (an export request) is not acknowledged while the parked traces
        // pile up in memory.
        Exception? error;
        lock (this.submitSync)
        {
            error = this.SubmitReadyLocked();
        }

        return error ?? this.SubmitReady();
    }

    /// <summary>Submits the parked plans whose turn has come, unless another thread is doing it.</summary>
    private Exception? SubmitReady()
    {
        Exception? error = null;
        while (Monitor.TryEnter(this.submitSync))
        {
            try
            {
                error ??= this.SubmitReadyLocked();
            }
            finally
            {
                Monitor.Exit(this.submitSync);
            }

            // A plan parked while this thread held the lock (its thread found the lock taken and left) is this
            // thread's to submit.
            lock (this.mapped)
            {
                if (!this.mapped.ContainsKey(Volatile.Read(ref this.nextSubmit)))
                {
                    break;
                }
            }
        }

        return error;
    }

    /// <summary>Submits, under <see cref="submitSync"/>, the parked plans whose turn has come.</summary>
    private Exception? SubmitReadyLocked()
    {
        Exception? error = null;
        var submitted = false;
        while (true)
        {
            (long LogPosition, PreparedCalls? Calls) ready;
            lock (this.mapped)
            {
                if (!this.mapped.Remove(this.nextSubmit, out ready))
                {
                    break;
                }
            }

            try
            {
                if (ready.Calls is { } prepared)
                {
                    this.sink.Submit(prepared);
                }
            }
#pragma warning disable CA1031 // The plans after it are still submitted; the caller gets the exception.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // Refused (a full sink): what the sink prepared is let go (nothing if it took the calls after all).
                ready.Calls?.Abandon();
                error ??= ex;
            }
            finally
            {
                lock (this.sync)
                {
                    this.drainingPositions.Remove(ready.LogPosition);
                }

                Volatile.Write(ref this.nextSubmit, this.nextSubmit + 1);
                submitted = true;
            }
        }

        if (submitted)
        {
            Monitor.PulseAll(this.submitSync);
        }

        return error;
    }

    private sealed class TraceState
    {
        public TraceState(ActivityTraceId traceId)
        {
            this.TraceId = traceId;
            this.PendingNode = new LinkedListNode<TraceState>(this);
        }

        public ActivityTraceId TraceId { get; }

        /// <summary>Gets the trace's node in the assembler's pending order (linked while it has pending spans).</summary>
        public LinkedListNode<TraceState> PendingNode { get; }

        public Dictionary<ActivitySpanId, SpanRecord> Pending { get; } = [];

        public DateTimeOffset PendingSince { get; set; }

        /// <summary>Gets or sets the lowest durable-log position among <see cref="Pending"/>.</summary>
        public long MinLogPosition { get; set; } = LogPositions.None;

        /// <summary>Gets or sets when the earliest of <see cref="Pending"/> was accepted (0 when unknown).</summary>
        public long AcceptedTimestamp { get; set; }

        public bool Remembered { get; set; }

        public bool SessionEmitted { get; set; }

        public string? SessionId { get; set; }

        public bool Grouped { get; set; }

        public ActivitySpanId RootSpanId { get; set; }

        /// <summary>Gets or sets a value indicating whether the root span is the session itself (not an event).</summary>
        public bool RootIsSession { get; set; }

        public HashSet<ActivitySpanId> Emitted { get; } = [];

        public HashSet<ActivitySpanId> Placeholders { get; } = [];

        public bool IsKnown(ActivitySpanId spanId) =>
            this.Pending.ContainsKey(spanId)
            || this.Emitted.Contains(spanId)
            || this.Placeholders.Contains(spanId)
            || (this.SessionEmitted && spanId == this.RootSpanId && spanId != default);
    }
}
