// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Durability;

namespace HoneyHive.OtelBridge.Implementation.Delivery;

/// <summary>
/// Sends mapped <see cref="ApiCall"/>s to HoneyHive: a bounded in-memory queue per session (calls of one session
/// go out one at a time, in order, so a session is created before its events), up to
/// <see cref="HoneyHiveDeliveryOptions.MaxConcurrency"/> requests in flight at once, event batches merged (within
/// a session, and across sessions whose create succeeded), retryable failures retried with exponential backoff
/// and full jitter, a batch the API refuses split until the refused event is isolated, a rejected key pausing
/// delivery (one error, nothing dropped, a slow probe), and every call that cannot be delivered logged and counted
/// with its reason.
/// </summary>
/// <remarks>
/// <para>
/// Backpressure: <see cref="TrySubmit(IReadOnlyList{ApiCall})"/> returns <see langword="false"/> and
/// <see cref="Submit(IReadOnlyList{ApiCall})"/> throws <see cref="InvalidOperationException"/> when the queue has no
/// room for all the calls given; nothing of a refused submission is queued, so the caller can retry it whole (the
/// receiver answers its client with a retryable status). The events are encoded before the queue is asked for room:
/// by <see cref="Prepare"/> on the caller's thread, so a caller that retries submits the same prepared calls again.
/// </para>
/// <para>
/// Batching: the head of a session's queue, when it is an event batch, is merged with the event batches behind it
/// (<c>POST /v1/sessions/{id}/events/batch</c>). When that leaves room and the session was created by this
/// delivery, the head event batches of other created sessions that are not in flight join it, and the request
/// becomes one <c>POST /v1/events/batch</c> with each event's <c>session_id</c> set: one request instead of one per
/// session. Both kinds obey <see cref="HoneyHiveDeliveryOptions.MaxEventsPerBatch"/> and
/// <see cref="HoneyHiveDeliveryOptions.MaxBatchBytes"/>. An event batch with room left first waits up to
/// <see cref="HoneyHiveDeliveryOptions.EventBatchDelay"/> for other sessions' events to join it (sent earlier when
/// the waiting events fill a batch, and at once while a flush waits): a session's events are ready as soon as its
/// create succeeds, and sent right then they went out a few sessions to a request.
/// </para>
/// </remarks>
internal sealed class HoneyHiveDelivery : IApiCallSink, IDisposable
{
    internal const string ShutdownReason = "Shutdown";
    internal const string RetriesExhaustedReason = "RetriesExhausted";
    internal const string SessionNotCreatedReason = "SessionNotCreated";
    internal const string UnexpectedErrorReason = "UnexpectedError";

    /// <summary>The reason of a 404 whose error code names a missing session or event (not a rejected key).</summary>
    internal const string NotFoundReason = nameof(HoneyHiveApiErrorReason.NotFound);

    /// <summary>How many remembered created sessions make a session eligible for cross-session batches.</summary>
    internal const int MaxRememberedSessions = 100_000;

    /// <summary>How many noted sessions one take looks at for cross-session merging.</summary>
    internal const int MaxMergeScan = 512;

    /// <summary>The bytes <c>"session_id":"&lt;uuid&gt;",</c> adds to an event in a cross-session batch.</summary>
    private const int SessionIdFieldBytes = 50;

    private readonly HoneyHiveApiClient client;
    private readonly HoneyHiveDeliveryOptions options;
    private readonly object gate = new();
    private readonly Dictionary<string, SessionQueue> sessions = new(StringComparer.Ordinal);

    // The sessions whose events a cross-session batch may take (created, an event batch at the head, not in flight),
    // oldest first: the merge looks here instead of through every session, which at saturation are mostly traces
    // waiting for their session to be created (see NoteMergeableLocked).
    private readonly LinkedList<(string SessionId, SessionQueue Queue)> mergeable = new();
    private readonly HashSet<Unit> inFlightUnits = [];
    private readonly HashSet<string> createdSessions = new(StringComparer.Ordinal);
    private readonly Queue<string> createdOrder = new();
    private readonly Channel<string> ready = Channel.CreateUnbounded<string>();
    private readonly CancellationTokenSource stopping = new();
    private readonly Dictionary<string, (long Calls, long Events)> losses = new(StringComparer.Ordinal);
    private readonly Task[] workers;
    private readonly Queue<(string SessionId, long Due, int Events)> waiting = new();
    private readonly Timer? waitTimer;
    private readonly long waitTicks;
    private int waitingEvents;
    private int flushing;
    private int queuedCalls;
    private int inFlight;
    private long pendingBytes;
    private long deliveredCalls;
    private long deliveredEvents;
    private long crossSessionBatches;
    private long splitRequests;
    private long keyRejectedPauses;
    private TaskCompletionSource? idle;
    private TaskCompletionSource? resumed;
    private Task? prober;
    private long pausedAt;
    private bool disposed;

    public HoneyHiveDelivery(HoneyHiveApiClient client, HoneyHiveDeliveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.client = client;
        this.options = options;
        if (options.EventBatchDelay > TimeSpan.Zero)
        {
            this.waitTicks = (long)(options.EventBatchDelay.TotalSeconds * Stopwatch.Frequency);
            this.waitTimer = new Timer(static state => ((HoneyHiveDelivery)state!).OnWaitElapsed(), this, Timeout.Infinite, Timeout.Infinite);
        }

        this.workers = new Task[options.MaxConcurrency];
        for (var i = 0; i < this.workers.Length; i++)
        {
            this.workers[i] = Task.Run(this.RunWorkerAsync);
        }

        BridgeMetrics.Track(this);
    }

    private enum Outcome
    {
        Delivered,
        GivenUp,
        Requeue,
    }

    /// <summary>
    /// Raised on a delivery worker after a request was delivered, once for each session it carried: the session id,
    /// the request as sent (a merged or cross-session batch), and whether that session has nothing more queued (the
    /// receiver logs one line per delivered session from it). A handler must be quick; an exception it throws is
    /// logged and ignored.
    /// </summary>
    public event Action<string, ApiCall, bool>? CallDelivered;

    /// <summary>
    /// Raised where <see cref="CallDelivered"/> is, once for each session a delivered request carried, with what it
    /// did for that session instead of the request itself: a handler is given no call to keep, so the events stay in
    /// rented arrays (a <see cref="CallDelivered"/> handler makes delivery encode them into arrays of their own).
    /// A handler must be quick; an exception it throws is logged and ignored.
    /// </summary>
    public event Action<DeliveredToSession>? SessionDelivered;

    /// <summary>Gets the number of calls queued or in flight.</summary>
    public int PendingCalls
    {
        get
        {
            lock (this.gate)
            {
                return this.queuedCalls + this.inFlight;
            }
        }
    }

    /// <summary>Gets the number of requests delivered (a merged batch counts once).</summary>
    public long DeliveredCalls => Interlocked.Read(ref this.deliveredCalls);

    /// <summary>Gets the bytes of encoded events queued or in flight (<see cref="HoneyHiveDeliveryOptions.MaxQueuedBytes"/>).</summary>
    public long PendingBytes
    {
        get
        {
            lock (this.gate)
            {
                return this.pendingBytes;
            }
        }
    }

    /// <summary>Gets the number of events delivered in batch requests.</summary>
    public long DeliveredEvents => Interlocked.Read(ref this.deliveredEvents);

    /// <summary>Gets the number of <c>POST /v1/events/batch</c> requests made of events of several sessions.</summary>
    public long CrossSessionBatches => Interlocked.Read(ref this.crossSessionBatches);

    /// <summary>Gets the number of batch requests split in two because the API refused them (400, 413).</summary>
    public long SplitRequests => Interlocked.Read(ref this.splitRequests);

    /// <summary>Gets how many times delivery paused because the API rejected the key.</summary>
    public long KeyRejectedPauses => Interlocked.Read(ref this.keyRejectedPauses);

    /// <summary>Gets a value indicating whether delivery is paused because the API rejected the key.</summary>
    public bool IsPaused
    {
        get
        {
            lock (this.gate)
            {
                return this.resumed is not null;
            }
        }
    }

    /// <summary>
    /// Gets or sets a value indicating whether calls still pending when delivery stops are kept (they are in a
    /// durable log, which replays them on the next start) rather than counted as lost. When set,
    /// <see cref="Dispose"/> does not wait for them either: the owner flushes first.
    /// </summary>
    internal bool KeepPendingOnShutdown { get; set; }

    /// <summary>Gets the calls and events given up so far, by reason (an API reason such as <c>BadRequest</c>, or
    /// <see cref="RetriesExhaustedReason"/>, <see cref="SessionNotCreatedReason"/>, <see cref="ShutdownReason"/>).</summary>
    /// <returns>A snapshot.</returns>
    public IReadOnlyDictionary<string, (long Calls, long Events)> GetLosses()
    {
        lock (this.losses)
        {
            return new Dictionary<string, (long Calls, long Events)>(this.losses, StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// Gets the lowest durable-log position among the calls queued or in flight
    /// (<see cref="LogPositions.None"/> when none of them came from a logged span).
    /// </summary>
    /// <returns>The lowest position.</returns>
    public long GetLowestLogPosition()
    {
        var lowest = LogPositions.None;
        lock (this.gate)
        {
            foreach (var queue in this.sessions.Values)
            {
                foreach (var call in queue.Calls)
                {
                    lowest = LogPositions.Min(lowest, call.Call.LogPosition);
                }
            }

            foreach (var unit in this.inFlightUnits)
            {
                lowest = LogPositions.Min(lowest, unit.Call.LogPosition);
            }
        }

        return lowest;
    }

    /// <inheritdoc/>
    public void Submit(IReadOnlyList<ApiCall> calls)
    {
        if (!this.TrySubmit(calls))
        {
            throw this.NoRoom(calls.Count);
        }
    }

    /// <inheritdoc/>
    public bool TrySubmit(IReadOnlyList<ApiCall> calls)
    {
        var prepared = this.Prepare(calls);
        if (this.TrySubmit(prepared))
        {
            return true;
        }

        // Nothing holds the encoded events of a refused submission: their rented arrays go back to the pool.
        prepared.Abandon();
        return false;
    }

    /// <summary>
    /// Encodes the events of the event batches, on the caller's thread and outside the lock, once: their bytes are
    /// what is queued and sent (see <see cref="QueuedCall"/>), whether the set is taken at once or only after the
    /// queue made room. Into rented arrays unless a <see cref="CallDelivered"/> handler is listening (it is given the
    /// call and may keep it).
    /// </summary>
    /// <param name="calls">The calls of one trace, in order.</param>
    /// <returns>The calls ready to queue (<see cref="PreparedCalls.Calls"/>: event batches encoded).</returns>
    public PreparedCalls Prepare(IReadOnlyList<ApiCall> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var queued = new QueuedCall[calls.Count];
        var rent = this.CallDelivered is null;
        try
        {
            for (var i = 0; i < calls.Count; i++)
            {
                queued[i] = QueuedCall.Create(calls[i], rent);
            }
        }
        catch
        {
            foreach (var call in queued)
            {
                call?.ReturnRented();
            }

            throw;
        }

        return new DeliveryPreparedCalls(this, queued, calls);
    }

    /// <inheritdoc/>
    public void Submit(PreparedCalls prepared)
    {
        if (!this.TrySubmit(prepared))
        {
            throw this.NoRoom(prepared.Calls.Count);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Only takes the lock and queues: the events of a set from <see cref="Prepare"/> were encoded there, and
    /// a refused set keeps them for the next try. A set prepared by another sink is prepared here first.</remarks>
    /// <exception cref="ArgumentException"><paramref name="prepared"/> was prepared by another delivery.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="prepared"/> was taken or abandoned already.</exception>
    public bool TrySubmit(PreparedCalls prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        if (prepared is not DeliveryPreparedCalls own)
        {
            return this.TrySubmit(prepared.Calls);
        }

        if (own.Owner != this)
        {
            throw new ArgumentException("The calls were prepared by another delivery.", nameof(prepared));
        }

        var calls = own.Queued;
        if (calls.Length == 0)
        {
            return true;
        }

        long setBytes = 0;
        foreach (var call in calls)
        {
            setBytes += call.Bytes;
        }

        int queued;
        long pending;
        var taken = false;
        lock (this.gate)
        {
            if (own.Done)
            {
                throw new InvalidOperationException("The prepared calls were submitted or abandoned already.");
            }

            queued = this.queuedCalls;
            pending = this.pendingBytes;

            // By bytes, a set is taken whole while less than the bound is pending: its events are encoded already (a
            // caller that is refused holds them while it waits), so refusing a set that would pass the bound would
            // only make an export that was taken wait; new exports are refused from a share of the bound before it
            // (BridgePipeline.IsSaturated). A trace larger than the bound is taken when the queue is below it.
            if (!this.disposed && this.queuedCalls + calls.Length <= this.options.MaxQueuedCalls
                && this.pendingBytes < this.options.MaxQueuedBytes)
            {
                own.Done = true;
                taken = true;
                this.pendingBytes += setBytes;
                foreach (var call in calls)
                {
                    var sessionId = call.Call.SessionId;
                    var queue = this.QueueOf(sessionId);
                    queue.Calls.AddLast(call);
                    this.queuedCalls++;
                    this.ScheduleLocked(sessionId, queue);
                }
            }
        }

        if (taken)
        {
            // Taken: only the encoded bytes are sent from now on, so the pooled documents the events' values were
            // read from go back (a refused set keeps them: its caller may prepare the same calls again).
            own.ReleaseSources();
            return true;
        }

        if (queued + calls.Length > this.options.MaxQueuedCalls)
        {
            HoneyHiveExporterEventSource.Log.SubmitRejected(calls.Length, queued, this.options.MaxQueuedCalls);
        }
        else
        {
            HoneyHiveExporterEventSource.Log.SubmitRejectedBytes(calls.Length, setBytes, pending, this.options.MaxQueuedBytes);
        }

        return false;
    }

    /// <summary>Waits until every call queued so far is delivered or given up.</summary>
    /// <param name="timeout">The longest wait.</param>
    /// <returns><see langword="true"/> if nothing is pending any more; <see langword="false"/> on timeout.</returns>
    public async Task<bool> FlushAsync(TimeSpan timeout)
    {
        Task idleTask;
        lock (this.gate)
        {
            if (this.queuedCalls == 0 && this.inFlight == 0)
            {
                return true;
            }

            this.idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            idleTask = this.idle.Task;

            // Nothing waits for more events while someone waits for everything to be sent.
            this.flushing++;
            this.ReleaseWaitingLocked(all: true);
        }

        try
        {
            await idleTask.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            HoneyHiveExporterEventSource.Log.FlushTimedOut(this.PendingCalls, timeout.TotalMilliseconds);
            return false;
        }
        finally
        {
            lock (this.gate)
            {
                this.flushing--;
            }
        }
    }

    /// <summary>Flushes for at most <see cref="HoneyHiveDeliveryOptions.ShutdownTimeout"/>, then stops; whatever is
    /// still pending is logged and counted as lost with reason <see cref="ShutdownReason"/> (or, with
    /// <see cref="KeepPendingOnShutdown"/>, logged as kept for replay).</summary>
    public void Dispose()
    {
        lock (this.gate)
        {
            if (this.disposed)
            {
                return;
            }

            this.disposed = true;
        }

        BridgeMetrics.Untrack(this);
        if (!this.KeepPendingOnShutdown)
        {
            this.FlushAsync(this.options.ShutdownTimeout).GetAwaiter().GetResult();
        }

        this.waitTimer?.Dispose();
        this.ready.Writer.TryComplete();
        this.stopping.Cancel();
        try
        {
            // Workers only have to notice the cancellation; a second is plenty.
            var all = this.prober is { } probe ? [.. this.workers, probe] : this.workers;
            Task.WaitAll(all, TimeSpan.FromSeconds(1));
        }
        catch (AggregateException ex)
        {
            HoneyHiveExporterEventSource.Log.DeliveryFailed(ex);
        }

        List<QueuedCall> left = [];
        lock (this.gate)
        {
            foreach (var queue in this.sessions.Values)
            {
                left.AddRange(queue.Calls);
            }

            this.sessions.Clear();
            this.mergeable.Clear();
            this.queuedCalls = 0;
            foreach (var call in left)
            {
                this.pendingBytes -= call.Bytes;
            }
            this.resumed?.TrySetResult();
        }

        if (this.KeepPendingOnShutdown)
        {
            if (left.Count > 0)
            {
                HoneyHiveExporterEventSource.Log.CallsKeptForReplay(left.Count, left.Sum(c => EventCount(c.Call)));
            }
        }
        else
        {
            foreach (var call in left)
            {
                this.RecordLoss(call.Call, ShutdownReason, null, "Delivery stopped before the call could be sent.");
            }
        }

        this.stopping.Dispose();
    }

    private static int EventCount(ApiCall call) => call switch
    {
        SessionEventBatchCall batch => batch.Request.Events.Count,
        EventBatchCall batch => batch.Request.Events.Count,
        _ => 0,
    };

    /// <summary>401, 403, or a 404 that does not name a missing session or event (the client reads that as
    /// <see cref="HoneyHiveApiErrorReason.NotFound"/>): the API refused the key, not the call.</summary>
    private static bool IsKeyRejection(HoneyHiveApiException ex) => ex.Reason == HoneyHiveApiErrorReason.KeyRejected;

    /// <summary>Splits a batch call in two halves with the same session(s) and log position; null when it has one event.</summary>
    private static (ApiCall First, ApiCall Second)? Split(ApiCall call) => call switch
    {
        SessionEventBatchCall batch when batch.Request.Events.Count > 1 => Halves(
            call,
            batch.Request.Events,
            batch.EncodedEvents,
            batch.EncodedLengths,
            batch.SessionSplices,
            (events, encoded, lengths, splices) => new SessionEventBatchCall(batch.SessionId, new SessionEventBatchRequest { Events = events }) { EncodedEvents = encoded, EncodedLengths = lengths, SessionSplices = splices }),
        EventBatchCall batch when batch.Request.Events.Count > 1 => Halves(
            call,
            batch.Request.Events,
            batch.EncodedEvents,
            batch.EncodedLengths,
            batch.SessionSplices,
            (events, encoded, lengths, splices) => new EventBatchCall(new EventBatchRequest { Events = events }) { EncodedEvents = encoded, EncodedLengths = lengths, SessionSplices = splices }),
        _ => null,
    };

    /// <summary>The two halves of a batch call, made by <paramref name="create"/>: each keeps the encoded bytes of its
    /// events and where their session is spliced (nothing is serialized again), the log position and the accepted
    /// time.</summary>
    private static (ApiCall First, ApiCall Second) Halves(
        ApiCall call,
        List<EventRequest> events,
        IReadOnlyList<byte[]>? encoded,
        IReadOnlyList<int>? lengths,
        IReadOnlyList<SessionSplice>? splices,
        Func<List<EventRequest>, IReadOnlyList<byte[]>?, IReadOnlyList<int>?, IReadOnlyList<SessionSplice>?, ApiCall> create)
    {
        ApiCall Part(int start, int count)
        {
            var part = create(
                events.GetRange(start, count),
                encoded is null ? null : EncodedEvents.Slice(encoded, start, count),
                lengths is null ? null : EncodedEvents.Slice(lengths, start, count),
                splices is null ? null : EncodedEvents.Slice(splices, start, count));
            part.LogPosition = call.LogPosition;
            part.AcceptedTimestamp = call.AcceptedTimestamp;
            return part;
        }

        var half = events.Count / 2;
        return (Part(0, half), Part(half, events.Count - half));
    }

    /// <summary>Full jitter: uniform in [0, min(max, initial * 2^(attempt-1))], but never less than Retry-After.</summary>
    /// <param name="options">The backoff settings.</param>
    /// <param name="attempt">The attempt that failed (1 for the first).</param>
    /// <param name="retryAfter">The API's <c>Retry-After</c>, a lower bound.</param>
    /// <param name="random">A uniform sample in [0, 1).</param>
    /// <returns>The wait before the next attempt.</returns>
    internal static TimeSpan NextDelay(HoneyHiveDeliveryOptions options, int attempt, TimeSpan? retryAfter, double random)
    {
        var capMs = Math.Min(
            options.MaxBackoff.TotalMilliseconds,
            options.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30)));
        var delay = TimeSpan.FromMilliseconds(random * capMs);
        return retryAfter is { } wait && wait > delay ? wait : delay;
    }

    /// <summary>A timer may fire a little early; this does not (Retry-After is a lower bound).</summary>
    private static async Task DelayAtLeastAsync(TimeSpan delay, CancellationToken token)
    {
        var started = Stopwatch.GetTimestamp();
        TimeSpan left;
        while ((left = delay - Stopwatch.GetElapsedTime(started)) > TimeSpan.Zero)
        {
            await Task.Delay(left < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : left, token).ConfigureAwait(false);
        }
    }

    private InvalidOperationException NoRoom(int calls) => new(string.Create(
        CultureInfo.InvariantCulture,
        $"The HoneyHive delivery queue has no room for {calls} call(s) (capacity {this.options.MaxQueuedCalls} calls and {this.options.MaxQueuedBytes} bytes of events, or delivery is stopped); nothing was queued. Submit again later."));

    private SessionQueue QueueOf(string sessionId)
    {
        if (!this.sessions.TryGetValue(sessionId, out var queue))
        {
            queue = new SessionQueue();
            this.sessions.Add(sessionId, queue);
        }

        return queue;
    }

    /// <summary>Puts a session on the ready channel unless it is there already or in flight, and notes it as one a
    /// cross-session batch may take from (<see cref="NoteMergeableLocked"/>).</summary>
    private void ScheduleLocked(string sessionId, SessionQueue queue)
    {
        this.NoteMergeableLocked(sessionId, queue);
        if (!queue.Scheduled && !queue.Busy && queue.Calls.Count > 0)
        {
            queue.Scheduled = true;
            this.ready.Writer.TryWrite(sessionId);
        }
    }

    /// <summary>
    /// Notes a session whose head event batch a cross-session batch may take: created here, not in flight, an event
    /// batch at the head of its queue. Sessions become so when they are scheduled (after their session was created, or
    /// when more events come), so <see cref="ScheduleLocked"/> calls this. A session noted once stays noted until a
    /// merge finds it taken or no longer mergeable, or it is removed.
    /// </summary>
    private void NoteMergeableLocked(string sessionId, SessionQueue queue)
    {
        if (queue.Mergeable is null && this.options.MergeAcrossSessions && !queue.Busy
            && queue.Calls.First?.Value.Call is SessionEventBatchCall && this.createdSessions.Contains(sessionId))
        {
            queue.Mergeable = this.mergeable.AddLast((sessionId, queue));
        }
    }

    private void ForgetMergeableLocked(SessionQueue queue)
    {
        if (queue.Mergeable is { } node)
        {
            this.mergeable.Remove(node);
            queue.Mergeable = null;
        }
    }

    private async Task RunWorkerAsync()
    {
        var token = this.stopping.Token;
        try
        {
            while (await this.ready.Reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                await this.WaitWhilePausedAsync(token).ConfigureAwait(false);
                if (this.ready.Reader.TryRead(out var sessionId))
                {
                    await this.ProcessNextAsync(sessionId, token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task WaitWhilePausedAsync(CancellationToken token)
    {
        while (true)
        {
            Task wait;
            lock (this.gate)
            {
                if (this.resumed is null)
                {
                    return;
                }

                wait = this.resumed.Task;
            }

            await wait.WaitAsync(token).ConfigureAwait(false);
        }
    }

    private async Task ProcessNextAsync(string sessionId, CancellationToken token)
    {
        Unit unit;
        lock (this.gate)
        {
            if (!this.sessions.TryGetValue(sessionId, out var queue))
            {
                return;
            }

            queue.Scheduled = false;
            if (queue.Busy)
            {
                // Part of a merged batch in flight: its completion schedules the session again.
                return;
            }

            if (queue.Calls.Count == 0)
            {
                this.sessions.Remove(sessionId);
                this.ForgetMergeableLocked(queue);
                this.SignalIfIdle();
                return;
            }

            if (this.resumed is not null)
            {
                // Paused meanwhile: back on the channel; the workers wait for the probe to resume.
                this.ScheduleLocked(sessionId, queue);
                return;
            }

            if (this.WaitForMoreEventsLocked(sessionId, queue))
            {
                return;
            }

            unit = this.TakeUnitLocked(sessionId, queue);
            queue.Waited = false;
        }

        var outcome = await this.SendWithRetriesAsync(unit.Call, token).ConfigureAwait(false);
        this.Complete(unit, outcome);
    }

    /// <summary>
    /// Puts a session whose head is an event batch with room left on the waiting list, once, instead of sending it:
    /// it goes back on the ready channel after <see cref="HoneyHiveDeliveryOptions.EventBatchDelay"/>, or when the
    /// waiting events would fill a batch, or when a flush starts. Meanwhile it counts as scheduled, and any request
    /// taken for another created session may carry its events (cross-session merging).
    /// </summary>
    /// <returns><see langword="true"/> when the session waits (or was sent back to the channel with the others).</returns>
    private bool WaitForMoreEventsLocked(string sessionId, SessionQueue queue)
    {
        if (queue.Waited || this.waitTimer is null || this.flushing > 0 || this.disposed
            || queue.Calls.First!.Value.Call is not SessionEventBatchCall head
            || head.Request.Events.Count >= this.options.MaxEventsPerBatch)
        {
            return false;
        }

        queue.Waited = true;
        queue.Scheduled = true;
        this.waiting.Enqueue((sessionId, Stopwatch.GetTimestamp() + this.waitTicks, head.Request.Events.Count));
        this.waitingEvents += head.Request.Events.Count;
        if (this.waitingEvents >= this.options.MaxEventsPerBatch)
        {
            this.ReleaseWaitingLocked(all: true);
        }
        else if (this.waiting.Count == 1)
        {
            this.waitTimer.Change(this.options.EventBatchDelay, Timeout.InfiniteTimeSpan);
        }

        return true;
    }

    /// <summary>Sends the waiting sessions (all, or those whose wait is over) back to the ready channel.</summary>
    private void ReleaseWaitingLocked(bool all)
    {
        var now = Stopwatch.GetTimestamp();
        while (this.waiting.TryPeek(out var next) && (all || next.Due <= now))
        {
            this.waiting.Dequeue();
            this.waitingEvents -= next.Events;
            this.ready.Writer.TryWrite(next.SessionId);
        }
    }

    private void OnWaitElapsed()
    {
        lock (this.gate)
        {
            this.ReleaseWaitingLocked(all: false);
            if (this.waiting.TryPeek(out var next) && !this.disposed)
            {
                // Every session waits as long, so the list is in due order: the timer wakes for its head.
                var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next.Due);
                this.waitTimer!.Change(left > TimeSpan.FromMilliseconds(1) ? left : TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Ends a unit: requeues it (key rejected), drops the calls of a session that could not be created,
    /// and schedules its sessions again.</summary>
    private void Complete(Unit unit, Outcome outcome)
    {
        List<QueuedCall>? orphaned = null;
        var handler = outcome == Outcome.Delivered ? this.CallDelivered : null;
        var sessionHandler = outcome == Outcome.Delivered ? this.SessionDelivered : null;
        List<(string SessionId, bool Drained)>? drained = handler is null && sessionHandler is null ? null : [];
        lock (this.gate)
        {
            this.inFlight--;
            this.inFlightUnits.Remove(unit);
            if (outcome != Outcome.Requeue)
            {
                foreach (var (_, piece) in unit.Parts)
                {
                    this.pendingBytes -= piece.Bytes;
                }
            }

            if (outcome == Outcome.Requeue)
            {
                for (var i = unit.Parts.Count - 1; i >= 0; i--)
                {
                    var (sessionId, piece) = unit.Parts[i];
                    this.QueueOf(sessionId).Calls.AddFirst(piece);
                    this.queuedCalls++;
                }
            }
            else if (unit.Call is StartSessionCall start)
            {
                if (outcome == Outcome.Delivered)
                {
                    this.RememberCreatedLocked(start.SessionId);
                }
                else if (this.sessions.TryGetValue(start.SessionId, out var queue) && queue.Calls.Count > 0)
                {
                    // Invariant 1: never post events to a session that was not created.
                    orphaned = [.. queue.Calls];
                    this.queuedCalls -= queue.Calls.Count;
                    queue.Calls.Clear();
                    foreach (var call in orphaned)
                    {
                        this.pendingBytes -= call.Bytes;
                    }
                }
            }

            foreach (var sessionId in unit.Sessions)
            {
                if (!this.sessions.TryGetValue(sessionId, out var queue))
                {
                    drained?.Add((sessionId, true));
                    continue;
                }

                drained?.Add((sessionId, queue.Calls.Count == 0));
                queue.Busy = false;
                if (queue.Calls.Count > 0)
                {
                    // Back of the line: sessions take turns.
                    this.ScheduleLocked(sessionId, queue);
                }
                else if (!queue.Scheduled)
                {
                    this.sessions.Remove(sessionId);
                    this.ForgetMergeableLocked(queue);
                }
            }

            this.SignalIfIdle();
        }

        if (orphaned is not null)
        {
            foreach (var call in orphaned)
            {
                this.RecordLoss(call.Call, SessionNotCreatedReason, null, "The session of this call could not be created.");
            }
        }

        if (sessionHandler is not null && drained is not null)
        {
            foreach (var (sessionId, sessionDrained) in drained)
            {
                try
                {
                    sessionHandler(DeliveredTo(sessionId, unit.Parts, sessionDrained));
                }
                catch (Exception ex)
                {
                    HoneyHiveExporterEventSource.Log.DeliveryFailed(ex);
                }
            }
        }

        if (handler is not null && drained is not null)
        {
            foreach (var (sessionId, sessionDrained) in drained)
            {
                try
                {
                    handler(sessionId, unit.Call, sessionDrained);
                }
                catch (Exception ex)
                {
                    HoneyHiveExporterEventSource.Log.DeliveryFailed(ex);
                }
            }
        }
        else if (outcome != Outcome.Requeue)
        {
            // Done with for good, and no handler was given the call (one may keep it): nothing reads the events' bytes
            // any more (the request body was a copy), so their rented arrays go back to the pool.
            foreach (var (_, piece) in unit.Parts)
            {
                piece.ReturnRented();
            }
        }
    }

    /// <summary>What the pieces of a delivered request did for one of its sessions.</summary>
    private static DeliveredToSession DeliveredTo(string sessionId, List<(string SessionId, QueuedCall Piece)> parts, bool drained)
    {
        string? sessionName = null;
        var events = 0;
        foreach (var (partSession, piece) in parts)
        {
            if (!string.Equals(partSession, sessionId, StringComparison.Ordinal))
            {
                continue;
            }

            switch (piece.Call)
            {
                case StartSessionCall start:
                    sessionName ??= start.Request.SessionName;
                    break;
                case SessionEventBatchCall batch:
                    events += batch.Request.Events.Count;
                    break;
                case EventBatchCall batch:
                    foreach (var item in batch.Request.Events)
                    {
                        events += string.Equals(item.SessionId, sessionId, StringComparison.Ordinal) ? 1 : 0;
                    }

                    break;
            }
        }

        return new DeliveredToSession(sessionId, sessionName, events, drained);
    }

    private void RememberCreatedLocked(string sessionId)
    {
        if (this.createdSessions.Add(sessionId))
        {
            this.createdOrder.Enqueue(sessionId);
            while (this.createdOrder.Count > MaxRememberedSessions)
            {
                this.createdSessions.Remove(this.createdOrder.Dequeue());
            }
        }
    }

    /// <summary>
    /// Takes the next request of a session (marking it in flight): its head call, or, when the head is an event
    /// batch, the event batches at its head merged up to the caps, joined by the head batches of other created
    /// sessions when that saves requests.
    /// </summary>
    private Unit TakeUnitLocked(string sessionId, SessionQueue queue)
    {
        var head = queue.Calls.First!.Value;
        Unit unit;
        if (head.Call is not SessionEventBatchCall first)
        {
            queue.Calls.RemoveFirst();
            this.queuedCalls--;
            unit = new Unit(head.Call, [(sessionId, head)], [sessionId]);
        }
        else
        {
            var taking = new BatchBuilder(this.options);
            this.TakeBatchesLocked(sessionId, queue, taking);
            this.ForgetMergeableLocked(queue);
            List<string> involved = [sessionId];
            if (this.options.MergeAcrossSessions && taking.HasRoom && this.createdSessions.Contains(sessionId))
            {
                var scanned = 0;
                for (var node = this.mergeable.First; node is not null && taking.HasRoom && ++scanned <= MaxMergeScan;)
                {
                    var next = node.Next;
                    var (otherId, other) = node.Value;
                    if (other.Busy || other.Calls.First?.Value.Call is not SessionEventBatchCall || !this.createdSessions.Contains(otherId))
                    {
                        // No longer mergeable (in flight, or its head is another call): noted again when it is scheduled.
                        this.ForgetMergeableLocked(other);
                        node = next;
                        continue;
                    }

                    taking.StartCrossSession();
                    this.TakeBatchesLocked(otherId, other, taking);
                    other.Busy = true;
                    this.ForgetMergeableLocked(other);
                    involved.Add(otherId);
                    node = next;
                }
            }

            ApiCall call;
            if (involved.Count > 1)
            {
                var encoded = new byte[taking.Events.Count][];
                var lengths = new int[encoded.Length];
                SessionSplice[]? splices = null;
                for (var i = 0; i < encoded.Length; i++)
                {
                    var (eventSessionId, request, json, length, splice, _) = taking.Events[i];
                    request.SessionId = eventSessionId;
                    (encoded[i], lengths[i]) = (json, length);
                    if (!splice.IsNone)
                    {
                        // The event's one JSON, with its session spliced in as the body is written.
                        splices ??= new SessionSplice[encoded.Length];
                        splices[i] = splice;
                    }
                }

                // From now on the events carry their session_id in every body, as the events themselves do.
                foreach (var (_, piece) in taking.Parts)
                {
                    piece.KeepSessionIds();
                }

                call = new EventBatchCall(new EventBatchRequest { Events = [.. taking.Events.Select(e => e.Event)] }) { EncodedEvents = encoded, EncodedLengths = lengths, SessionSplices = splices };
                Interlocked.Increment(ref this.crossSessionBatches);
            }
            else
            {
                call = taking.Parts.Count == 1 && ReferenceEquals(taking.Parts[0].Piece.Call, first) && !taking.Parts[0].Piece.SessionIdsKept
                    ? first
                    : new SessionEventBatchCall(sessionId, new SessionEventBatchRequest { Events = [.. taking.Events.Select(e => e.Event)] })
                    {
                        EncodedEvents = [.. taking.Events.Select(e => e.Json)],
                        EncodedLengths = [.. taking.Events.Select(e => e.Length)],
                        SessionSplices = taking.KeptSplices(),
                    };
            }

            call.LogPosition = taking.Parts.Aggregate(LogPositions.None, (min, part) => LogPositions.Min(min, part.Piece.Call.LogPosition));
            call.AcceptedTimestamp = taking.Parts.Aggregate(0L, (earliest, part) => BridgeMetrics.EarliestTimestamp(earliest, part.Piece.Call.AcceptedTimestamp));
            unit = new Unit(call, taking.Parts, involved);
        }

        queue.Busy = true;
        this.inFlight++;
        this.inFlightUnits.Add(unit);
        return unit;
    }

    /// <summary>Takes the consecutive event batches at the head of a session's queue while they fit.</summary>
    private void TakeBatchesLocked(string sessionId, SessionQueue queue, BatchBuilder taking)
    {
        while (queue.Calls.First?.Value is { Call: SessionEventBatchCall batch } next)
        {
            var taken = 0;
            while (taken < batch.Request.Events.Count && taking.TryAdd(sessionId, next, taken))
            {
                taken++;
            }

            if (taken == 0)
            {
                return;
            }

            if (taken < batch.Request.Events.Count)
            {
                // Full: the rest of this batch stays at the head for the next request.
                var (prefix, rest) = next.SplitAt(sessionId, taken);
                queue.Calls.First.Value = rest;
                taking.Parts.Add((sessionId, prefix));
                return;
            }

            queue.Calls.RemoveFirst();
            this.queuedCalls--;
            taking.Parts.Add((sessionId, next));
        }
    }

    private async Task<Outcome> SendWithRetriesAsync(ApiCall call, CancellationToken token)
    {
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await this.client.DeliverAsync(call, token).ConfigureAwait(false);
                Interlocked.Increment(ref this.deliveredCalls);
                var eventCount = EventCount(call);
                Interlocked.Add(ref this.deliveredEvents, eventCount);
                BridgeMetrics.CallDelivered(call, eventCount);
                HoneyHiveExporterEventSource.Log.CallDelivered(call, attempt, Stopwatch.GetElapsedTime(started));
                return Outcome.Delivered;
            }
            catch (HoneyHiveApiException ex) when (!token.IsCancellationRequested)
            {
                if (IsKeyRejection(ex))
                {
                    return this.Pause(call, ex) ? Outcome.Requeue : this.Stopped(call, ex.StatusCode, "Delivery stopped while the API rejected the key.");
                }

                if (ex.Reason is HoneyHiveApiErrorReason.BadRequest or HoneyHiveApiErrorReason.PayloadTooLarge && Split(call) is { } halves)
                {
                    var (firstHalf, secondHalf) = halves;
                    // One bad event must not cost the batch: halve until it is alone; the rest are delivered.
                    Interlocked.Increment(ref this.splitRequests);
                    var firstOutcome = await this.SendWithRetriesAsync(firstHalf, token).ConfigureAwait(false);
                    if (firstOutcome == Outcome.Requeue)
                    {
                        return Outcome.Requeue;
                    }

                    var secondOutcome = await this.SendWithRetriesAsync(secondHalf, token).ConfigureAwait(false);
                    return secondOutcome == Outcome.Requeue ? Outcome.Requeue
                        : firstOutcome == Outcome.Delivered || secondOutcome == Outcome.Delivered ? Outcome.Delivered
                        : Outcome.GivenUp;
                }

                if (!ex.IsRetryable)
                {
                    this.RecordLoss(call, ex.Reason.ToString(), ex.StatusCode, ex.Message);
                    return Outcome.GivenUp;
                }

                var delay = NextDelay(this.options, attempt, ex.RetryAfter, Random.Shared.NextDouble());
                if (attempt >= this.options.MaxAttempts || Stopwatch.GetElapsedTime(started) + delay > this.options.MaxRetryDuration)
                {
                    this.RecordLoss(
                        call,
                        RetriesExhaustedReason,
                        ex.StatusCode,
                        string.Create(CultureInfo.InvariantCulture, $"Gave up after {attempt} attempt(s) in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.#} s; last failure {ex.Reason}: {ex.Message}"));
                    return Outcome.GivenUp;
                }

                HoneyHiveExporterEventSource.Log.CallRetrying(call, ex, attempt, delay);
                BridgeMetrics.Retried(ex.Reason.ToString());
                try
                {
                    await DelayAtLeastAsync(delay, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return this.Stopped(call, ex.StatusCode, "Delivery stopped while waiting to retry.");
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return this.Stopped(call, null, "Delivery stopped while the call was in flight.");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                HoneyHiveExporterEventSource.Log.DeliveryFailed(ex);
                this.RecordLoss(call, UnexpectedErrorReason, null, ex.GetType().Name + ": " + ex.Message);
                return Outcome.GivenUp;
            }
        }
    }

    /// <summary>A call cut short by shutdown: kept (for the log to replay) or counted as lost.</summary>
    private Outcome Stopped(ApiCall call, int? statusCode, string message)
    {
        if (this.KeepPendingOnShutdown)
        {
            return Outcome.Requeue;
        }

        this.RecordLoss(call, ShutdownReason, statusCode, message);
        return Outcome.GivenUp;
    }

    /// <summary>Pauses delivery after a rejected key: one error for the whole pause, then a slow probe.</summary>
    /// <returns><see langword="false"/> when delivery is stopping (nothing to pause).</returns>
    private bool Pause(ApiCall call, HoneyHiveApiException ex)
    {
        lock (this.gate)
        {
            if (this.disposed)
            {
                return false;
            }

            if (this.resumed is not null)
            {
                return true;
            }

            this.resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            this.pausedAt = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref this.keyRejectedPauses);
            if (this.prober is null || this.prober.IsCompleted)
            {
                this.prober = Task.Run(this.ProbeWhilePausedAsync);
            }
        }

        HoneyHiveExporterEventSource.Log.DeliveryPaused(call, ex, this.options.KeyRejectedProbeInterval);
        return true;
    }

    /// <summary>While paused: every probe interval, sends one queued call once; anything but another key rejection
    /// resumes delivery (the call, if it failed otherwise, goes back to the queue for the normal rules).</summary>
    private async Task ProbeWhilePausedAsync()
    {
        var token = this.stopping.Token;
        try
        {
            while (true)
            {
                await Task.Delay(this.options.KeyRejectedProbeInterval, token).ConfigureAwait(false);
                Unit? unit = null;
                lock (this.gate)
                {
                    if (this.resumed is null)
                    {
                        return;
                    }

                    foreach (var (sessionId, queue) in this.sessions)
                    {
                        if (!queue.Busy && queue.Calls.Count > 0)
                        {
                            unit = this.TakeUnitLocked(sessionId, queue);
                            break;
                        }
                    }
                }

                if (unit is null)
                {
                    this.Resume();
                    return;
                }

                var outcome = Outcome.Requeue;
                var stillRejected = false;
                try
                {
                    await this.client.DeliverAsync(unit.Call, token).ConfigureAwait(false);
                    var eventCount = EventCount(unit.Call);
                    Interlocked.Increment(ref this.deliveredCalls);
                    Interlocked.Add(ref this.deliveredEvents, eventCount);
                    BridgeMetrics.CallDelivered(unit.Call, eventCount);
                    outcome = Outcome.Delivered;
                }
                catch (HoneyHiveApiException ex) when (!token.IsCancellationRequested)
                {
                    stillRejected = IsKeyRejection(ex);
                    HoneyHiveExporterEventSource.Log.ProbeFailed(unit.Call, ex);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    this.Complete(unit, Outcome.Requeue);
                    return;
                }

                this.Complete(unit, outcome);
                if (!stillRejected)
                {
                    this.Resume();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private void Resume()
    {
        TaskCompletionSource? wake;
        long since;
        lock (this.gate)
        {
            wake = this.resumed;
            since = this.pausedAt;
            this.resumed = null;
        }

        if (wake is not null)
        {
            wake.TrySetResult();
            HoneyHiveExporterEventSource.Log.DeliveryResumed(Stopwatch.GetElapsedTime(since).TotalSeconds);
        }
    }


    private void RecordLoss(ApiCall call, string reason, int? statusCode, string message)
    {
        var events = EventCount(call);
        lock (this.losses)
        {
            this.losses.TryGetValue(reason, out var count);
            this.losses[reason] = (count.Calls + 1, count.Events + events);
        }

        BridgeMetrics.CallsFailed(reason, 1);

        HoneyHiveExporterEventSource.Log.CallDropped(call, reason, statusCode, events, message);
    }

    private void SignalIfIdle()
    {
        if (this.queuedCalls == 0 && this.inFlight == 0 && this.idle is { } done)
        {
            this.idle = null;
            done.TrySetResult();
        }
    }

    /// <summary>The queue of one session. <see cref="Scheduled"/>: on the ready channel or the waiting list;
    /// <see cref="Busy"/>: a request with its calls is in flight (its next calls wait, so they stay in order);
    /// <see cref="Waited"/>: its head event batch has had its wait for more events.</summary>
    private sealed class SessionQueue
    {
        public LinkedList<QueuedCall> Calls { get; } = new();

        public bool Scheduled { get; set; }

        public bool Busy { get; set; }

        public bool Waited { get; set; }

        /// <summary>Gets or sets the session's entry in the list of mergeable sessions, while it has one.</summary>
        public LinkedListNode<(string SessionId, SessionQueue Queue)>? Mergeable { get; set; }
    }

    /// <summary>Calls prepared by <see cref="Prepare"/>: queued as they are (events encoded), once.</summary>
    private sealed class DeliveryPreparedCalls(HoneyHiveDelivery owner, QueuedCall[] queued, IReadOnlyList<ApiCall> sources) : PreparedCalls(CallsOf(queued))
    {
        public HoneyHiveDelivery Owner { get; } = owner;

        public QueuedCall[] Queued { get; } = queued;

        /// <summary>Releases the pooled documents of the calls the set was prepared from (once it was taken).</summary>
        public void ReleaseSources()
        {
            foreach (var call in sources)
            {
                call.ReleaseDocuments();
            }
        }

        /// <summary>Gets or sets a value indicating whether the set was queued or abandoned (under the owner's gate).</summary>
        public bool Done { get; set; }

        /// <summary>Returns the rented arrays of a set that was not queued (a set that was is the queue's).</summary>
        public override void Abandon()
        {
            lock (this.Owner.gate)
            {
                if (this.Done)
                {
                    return;
                }

                this.Done = true;
            }

            foreach (var call in this.Queued)
            {
                call.ReturnRented();
            }
        }

        private static ApiCall[] CallsOf(QueuedCall[] queued) => Array.ConvertAll(queued, q => q.Call);
    }

    /// <summary>One request in flight and the queued pieces it was made of (to put back if it must wait).</summary>
    private sealed class Unit(ApiCall call, List<(string SessionId, QueuedCall Piece)> parts, List<string> sessions)
    {
        public ApiCall Call { get; } = call;

        public List<(string SessionId, QueuedCall Piece)> Parts { get; } = parts;

        public List<string> Sessions { get; } = sessions;
    }

    /// <summary>Collects events for one merged request under the event and byte caps.</summary>
    private sealed class BatchBuilder(HoneyHiveDeliveryOptions options)
    {
        private long bytes = QueuedCall.BatchEnvelopeBytes;
        private bool crossSession;

        /// <summary>Gets the events taken: session, event (its identity), its JSON, where that session's
        /// <c>session_id</c> is spliced into it when it differs (none when the JSON has it already), and whether every
        /// body of the event carries its session (it went out in a cross-session batch).</summary>
        public List<(string SessionId, EventRequest Event, byte[] Json, int Length, SessionSplice Splice, bool Kept)> Events { get; } = [];

        public List<(string SessionId, QueuedCall Piece)> Parts { get; } = [];

        public bool HasRoom => this.Events.Count < options.MaxEventsPerBatch && this.bytes < options.MaxBatchBytes;

        /// <summary>From now on every event also carries its <c>session_id</c>.</summary>
        public void StartCrossSession()
        {
            if (!this.crossSession)
            {
                this.crossSession = true;
                this.bytes += (long)this.Events.Count * SessionIdFieldBytes;
            }
        }

        /// <summary>Adds event <paramref name="index"/> of a queued session event batch if it fits.</summary>
        public bool TryAdd(string sessionId, QueuedCall piece, int index)
        {
            var cost = piece.EncodedLength(index) + 1 + (this.crossSession ? SessionIdFieldBytes : 0);
            if (this.Events.Count > 0 && (this.Events.Count >= options.MaxEventsPerBatch || this.bytes + cost > options.MaxBatchBytes))
            {
                return false;
            }

            var batch = (SessionEventBatchCall)piece.Call;
            this.Events.Add((
                sessionId,
                batch.Request.Events[index],
                piece.EncodedEvent(index),
                piece.EncodedLength(index),
                piece.Splice(index),
                piece.SessionIdsKept));
            this.bytes += cost;
            return true;
        }

        /// <summary>Gets the splices of a one-session body: those of the events that carry their session in every
        /// body since a cross-session batch; null when there are none.</summary>
        public SessionSplice[]? KeptSplices()
        {
            SessionSplice[]? splices = null;
            for (var i = 0; i < this.Events.Count; i++)
            {
                if (this.Events[i] is { Kept: true, Splice.IsNone: false } kept)
                {
                    splices ??= new SessionSplice[this.Events.Count];
                    splices[i] = kept.Splice;
                }
            }

            return splices;
        }
    }

    /// <summary>
    /// A queued call. A session event batch is queued encoded: each event's JSON once, in an array rented from the
    /// encoder's pool (<see cref="EventEncoder.RentedArrays"/>) (the call's <see cref="SessionEventBatchCall.EncodedEvents"/> and
    /// <see cref="SessionEventBatchCall.EncodedLengths"/>, a length that is also its size for <c>MaxBatchBytes</c>; the events
    /// keep only their identity), and, for an event whose own <c>session_id</c> is not the batch's (every mapped event: they have none),
    /// where the batch's goes into its JSON (<see cref="SessionSplice"/>): a cross-session body splices it in as it is
    /// written, so no second JSON is queued. <see cref="ReturnRented"/> gives the arrays back once the events are done
    /// with.
    /// </summary>
    private sealed class QueuedCall(ApiCall call, byte[][]? encoded, int[]? lengths, SessionSplice[]? splices, bool rented)
    {
        /// <summary>The bytes of <c>{"events":[]}</c>.</summary>
        public const int BatchEnvelopeBytes = 13;

        private readonly byte[][]? encoded = encoded;
        private readonly int[]? lengths = lengths;
        private readonly SessionSplice[]? splices = splices;
        private readonly bool rented = rented;
        private bool returned;

        /// <summary>Gets the bytes the call holds for <see cref="HoneyHiveDeliveryOptions.MaxQueuedBytes"/>: the
        /// lengths of the arrays of its encoded events (0 for other calls). The pieces of a split add up to it.</summary>
        public long Bytes { get; } = SumLengths(encoded);

        /// <summary>Gets the call as it was queued (once <see cref="SessionIdsKept"/>, not what is sent: a body made
        /// of it splices the events' session in, see <see cref="BatchBuilder.KeptSplices"/>).</summary>
        public ApiCall Call { get; } = call;

        /// <summary>Gets a value indicating whether the events went out in a cross-session batch: every later body of
        /// theirs carries their <c>session_id</c> (spliced in).</summary>
        public bool SessionIdsKept { get; private set; }

        public static QueuedCall Create(ApiCall call, bool rent)
        {
            if (call is not SessionEventBatchCall batch)
            {
                return new QueuedCall(call, null, null, null, rented: false);
            }

            // Encoded once, here, outside the lock: the bytes are what is queued, sized, merged, split and sent.
            var (queued, encoded, lengths, splices) = EncodedEvents.EncodeSpliceable(batch, rent);
            return new QueuedCall(queued, encoded, lengths, splices, rent);
        }

        private static long SumLengths(byte[][]? arrays)
        {
            long sum = 0;
            foreach (var array in arrays ?? [])
            {
                sum += array.Length;
            }

            return sum;
        }

        /// <summary>Gets the array holding the JSON of an event of a session event batch (the array behind the call's
        /// <see cref="SessionEventBatchCall.EncodedEvents"/>).</summary>
        public byte[] EncodedEvent(int index) => this.encoded![index];

        /// <summary>Gets the length of the JSON of an event in its array.</summary>
        public int EncodedLength(int index) => this.lengths![index];

        /// <summary>Gets where the batch's <c>session_id</c> goes into an event's JSON (none: it has it).</summary>
        public SessionSplice Splice(int index) => this.splices is null ? default : this.splices[index];

        /// <summary>
        /// After the events went out in a cross-session batch, which set each event's <c>session_id</c>: every later
        /// body (a requeue) splices it in as well.
        /// </summary>
        public void KeepSessionIds()
        {
            if (this.splices is not null)
            {
                this.SessionIdsKept = true;
            }
        }

        /// <summary>Returns the rented arrays of the events to the pool (once; the call must not be written again).</summary>
        public void ReturnRented()
        {
            if (!this.rented || this.returned || this.encoded is null)
            {
                return;
            }

            this.returned = true;
            foreach (var json in this.encoded)
            {
                EventEncoder.RentedArrays.Return(json);
            }
        }

        /// <summary>Splits a session event batch after <paramref name="count"/> events; both keep the log position,
        /// the encoded events (each event's array belongs to one of them only) and where their session goes.</summary>
        public (QueuedCall Prefix, QueuedCall Remainder) SplitAt(string sessionId, int count)
        {
            var batch = (SessionEventBatchCall)this.Call;
            var events = batch.Request.Events;

            QueuedCall Part(Range range)
            {
                var (offset, length) = range.GetOffsetAndLength(events.Count);
                var encoded = this.encoded![range];
                var lengths = this.lengths![range];
                var splices = this.splices?[range];
                var part = new SessionEventBatchCall(sessionId, new SessionEventBatchRequest { Events = events.GetRange(offset, length) })
                {
                    EncodedEvents = encoded,
                    EncodedLengths = lengths,
                    LogPosition = batch.LogPosition,
                    AcceptedTimestamp = batch.AcceptedTimestamp,
                };
                return new QueuedCall(part, encoded, lengths, splices, this.rented) { SessionIdsKept = this.SessionIdsKept };
            }

            return (Part(..count), Part(count..));
        }
    }
}
