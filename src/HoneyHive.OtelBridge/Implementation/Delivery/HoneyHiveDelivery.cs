// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Implementation.Delivery;

/// <summary>
/// Sends mapped <see cref="ApiCall"/>s to HoneyHive: a bounded in-memory queue per session (calls of one session
/// go out one at a time, in order, so a session is created before its events), up to
/// <see cref="HoneyHiveDeliveryOptions.MaxConcurrency"/> sessions in flight at once, consecutive event batches of a
/// session merged, retryable failures retried with exponential backoff and full jitter, and every call that cannot
/// be delivered logged and counted with its reason.
/// </summary>
/// <remarks>
/// Backpressure: <see cref="TrySubmit"/> returns <see langword="false"/> and <see cref="Submit"/> throws
/// <see cref="InvalidOperationException"/> when the queue has no room for all the calls given; nothing of a refused
/// submission is queued, so the caller can retry it whole (the receiver answers its client with a retryable status).
/// </remarks>
internal sealed class HoneyHiveDelivery : IApiCallSink, IDisposable
{
    internal const string ShutdownReason = "Shutdown";
    internal const string RetriesExhaustedReason = "RetriesExhausted";
    internal const string SessionNotCreatedReason = "SessionNotCreated";
    internal const string UnexpectedErrorReason = "UnexpectedError";

    private readonly HoneyHiveApiClient client;
    private readonly HoneyHiveDeliveryOptions options;
    private readonly object gate = new();
    private readonly Dictionary<string, LinkedList<QueuedCall>> queues = new(StringComparer.Ordinal);
    private readonly HashSet<string> activeSessions = new(StringComparer.Ordinal);
    private readonly Channel<string> ready = Channel.CreateUnbounded<string>();
    private readonly CancellationTokenSource stopping = new();
    private readonly Dictionary<string, (long Calls, long Events)> losses = new(StringComparer.Ordinal);
    private readonly Task[] workers;
    private int queuedCalls;
    private int inFlight;
    private long deliveredCalls;
    private long deliveredEvents;
    private TaskCompletionSource? idle;
    private bool disposed;

    public HoneyHiveDelivery(HoneyHiveApiClient client, HoneyHiveDeliveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.client = client;
        this.options = options;
        this.workers = new Task[options.MaxConcurrency];
        for (var i = 0; i < this.workers.Length; i++)
        {
            this.workers[i] = Task.Run(this.RunWorkerAsync);
        }

        BridgeMetrics.Track(this);
    }

    /// <summary>
    /// Raised on a delivery worker after a call was delivered: the call (a merged batch as sent), and whether the
    /// session has nothing more queued (the receiver logs one line per delivered session from it). A handler must
    /// be quick and must not throw; an exception it throws is logged and ignored.
    /// </summary>
    public event Action<ApiCall, bool>? CallDelivered;

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

    /// <summary>Gets the number of events delivered in batch requests.</summary>
    public long DeliveredEvents => Interlocked.Read(ref this.deliveredEvents);

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

    /// <inheritdoc/>
    public void Submit(IReadOnlyList<ApiCall> calls)
    {
        if (!this.TrySubmit(calls))
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"The HoneyHive delivery queue has no room for {calls.Count} call(s) (capacity {this.options.MaxQueuedCalls} calls, or delivery is stopped); nothing was queued. Submit again later."));
        }
    }

    /// <inheritdoc/>
    public bool TrySubmit(IReadOnlyList<ApiCall> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        if (calls.Count == 0)
        {
            return true;
        }

        // Event sizes are measured here, outside the lock, once per event.
        var prepared = new QueuedCall[calls.Count];
        for (var i = 0; i < calls.Count; i++)
        {
            prepared[i] = QueuedCall.Create(calls[i]);
        }

        int queued;
        lock (this.gate)
        {
            queued = this.queuedCalls;
            if (!this.disposed && this.queuedCalls + prepared.Length <= this.options.MaxQueuedCalls)
            {
                foreach (var call in prepared)
                {
                    var sessionId = call.Call.SessionId;
                    if (!this.queues.TryGetValue(sessionId, out var queue))
                    {
                        queue = new LinkedList<QueuedCall>();
                        this.queues.Add(sessionId, queue);
                    }

                    queue.AddLast(call);
                    this.queuedCalls++;
                    if (this.activeSessions.Add(sessionId))
                    {
                        this.ready.Writer.TryWrite(sessionId);
                    }
                }

                return true;
            }
        }

        HoneyHiveExporterEventSource.Log.SubmitRejected(prepared.Length, queued, this.options.MaxQueuedCalls);
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
    }

    /// <summary>Flushes for at most <see cref="HoneyHiveDeliveryOptions.ShutdownTimeout"/>, then stops; whatever is
    /// still pending is logged and counted as lost with reason <see cref="ShutdownReason"/>.</summary>
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

        this.FlushAsync(this.options.ShutdownTimeout).GetAwaiter().GetResult();
        this.ready.Writer.TryComplete();
        this.stopping.Cancel();
        try
        {
            // Workers only have to notice the cancellation; a second is plenty.
            Task.WaitAll(this.workers, TimeSpan.FromSeconds(1));
        }
        catch (AggregateException ex)
        {
            HoneyHiveExporterEventSource.Log.DeliveryFailed(ex);
        }

        List<QueuedCall> left = [];
        lock (this.gate)
        {
            foreach (var queue in this.queues.Values)
            {
                left.AddRange(queue);
            }

            this.queues.Clear();
            this.activeSessions.Clear();
            this.queuedCalls = 0;
        }

        foreach (var call in left)
        {
            this.RecordLoss(call.Call, ShutdownReason, null, "Delivery stopped before the call could be sent.");
        }

        this.stopping.Dispose();
    }

    private static int EventCount(ApiCall call) => call switch
    {
        SessionEventBatchCall batch => batch.Request.Events.Count,
        EventBatchCall batch => batch.Request.Events.Count,
        _ => 0,
    };

    private async Task RunWorkerAsync()
    {
        var token = this.stopping.Token;
        try
        {
            while (await this.ready.Reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                while (this.ready.Reader.TryRead(out var sessionId))
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

    private async Task ProcessNextAsync(string sessionId, CancellationToken token)
    {
        ApiCall unit;
        lock (this.gate)
        {
            if (!this.queues.TryGetValue(sessionId, out var queue) || queue.Count == 0)
            {
                this.queues.Remove(sessionId);
                this.activeSessions.Remove(sessionId);
                this.SignalIfIdle();
                return;
            }

            unit = this.TakeUnit(sessionId, queue, out var consumed);
            this.queuedCalls -= consumed;
            this.inFlight++;
        }

        var delivered = await this.SendWithRetriesAsync(unit, token).ConfigureAwait(false);

        List<QueuedCall>? orphaned = null;
        var sessionDrained = true;
        lock (this.gate)
        {
            this.inFlight--;
            if (this.queues.TryGetValue(sessionId, out var queue))
            {
                sessionDrained = queue.Count == 0;
                if (!delivered && unit is StartSessionCall && queue.Count > 0)
                {
                    // Invariant 1: never post events to a session that was not created.
                    orphaned = [.. queue];
                    this.queuedCalls -= queue.Count;
                    queue.Clear();
                }

                if (queue.Count == 0)
                {
                    this.queues.Remove(sessionId);
                    this.activeSessions.Remove(sessionId);
                }
                else
                {
                    // Back of the line: sessions take turns.
                    this.ready.Writer.TryWrite(sessionId);
                }
            }
            else
            {
                this.activeSessions.Remove(sessionId);
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

        if (delivered && this.CallDelivered is { } handler)
        {
            try
            {
                handler(unit, sessionDrained);
            }
            catch (Exception ex)
            {
                HoneyHiveExporterEventSource.Log.DeliveryFailed(ex);
            }
        }
    }

    /// <summary>
    /// Takes the head of a session's queue; consecutive event batches at the head are merged into one request of
    /// at most <see cref="HoneyHiveDeliveryOptions.MaxEventsPerBatch"/> events and
    /// <see cref="HoneyHiveDeliveryOptions.MaxBatchBytes"/> bytes (a batch over the caps is split).
    /// </summary>
    private ApiCall TakeUnit(string sessionId, LinkedList<QueuedCall> queue, out int consumed)
    {
        var head = queue.First!.Value;
        if (head.Call is not SessionEventBatchCall first)
        {
            queue.RemoveFirst();
            consumed = 1;
            return head.Call;
        }

        consumed = 0;
        var events = new List<EventRequest>();
        long bytes = QueuedCall.BatchEnvelopeBytes;
        while (queue.First?.Value is { Call: SessionEventBatchCall batch } next)
        {
            var taken = 0;
            while (taken < batch.Request.Events.Count)
            {
                var size = next.EventSizes![taken] + 1;
                if (events.Count > 0 && (events.Count >= this.options.MaxEventsPerBatch || bytes + size > this.options.MaxBatchBytes))
                {
                    break;
                }

                events.Add(batch.Request.Events[taken]);
                bytes += size;
                taken++;
            }

            if (taken < batch.Request.Events.Count)
            {
                // Full: the rest of this batch stays at the head for the next request.
                queue.First.Value = next.Rest(sessionId, taken);
                break;
            }

            queue.RemoveFirst();
            consumed++;
        }

        return consumed == 1 && events.Count == first.Request.Events.Count
            ? first
            : new SessionEventBatchCall(sessionId, new SessionEventBatchRequest { Events = events });
    }

    private async Task<bool> SendWithRetriesAsync(ApiCall call, CancellationToken token)
    {
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await this.client.SendAsync(call, token).ConfigureAwait(false);
                Interlocked.Increment(ref this.deliveredCalls);
                var eventCount = EventCount(call);
                Interlocked.Add(ref this.deliveredEvents, eventCount);
                BridgeMetrics.CallDelivered(call, eventCount);
                HoneyHiveExporterEventSource.Log.CallDelivered(call, attempt, Stopwatch.GetElapsedTime(started));
                return true;
            }
            catch (HoneyHiveApiException ex) when (!token.IsCancellationRequested)
            {
                if (!ex.IsRetryable)
                {
                    this.RecordLoss(call, ex.Reason.ToString(), ex.StatusCode, ex.Message);
                    return false;
                }

                var delay = this.NextDelay(attempt, ex.RetryAfter);
                if (attempt >= this.options.MaxAttempts || Stopwatch.GetElapsedTime(started) + delay > this.options.MaxRetryDuration)
                {
                    this.RecordLoss(
                        call,
                        RetriesExhaustedReason,
                        ex.StatusCode,
                        string.Create(CultureInfo.InvariantCulture, $"Gave up after {attempt} attempt(s) in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.#} s; last failure {ex.Reason}: {ex.Message}"));
                    return false;
                }

                HoneyHiveExporterEventSource.Log.CallRetrying(call, ex, attempt, delay);
                BridgeMetrics.Retried(ex.Reason.ToString());
                try
                {
                    await DelayAtLeastAsync(delay, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    this.RecordLoss(call, ShutdownReason, ex.StatusCode, "Delivery stopped while waiting to retry.");
                    return false;
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                this.RecordLoss(call, ShutdownReason, null, "Delivery stopped while the call was in flight.");
                return false;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                HoneyHiveExporterEventSource.Log.DeliveryFailed(ex);
                this.RecordLoss(call, UnexpectedErrorReason, null, ex.GetType().Name + ": " + ex.Message);
                return false;
            }
        }
    }

    /// <summary>Full jitter: uniform in [0, min(max, initial * 2^(attempt-1))], but never less than Retry-After.</summary>
    private TimeSpan NextDelay(int attempt, TimeSpan? retryAfter)
    {
        var capMs = Math.Min(
            this.options.MaxBackoff.TotalMilliseconds,
            this.options.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30)));
        var delay = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * capMs);
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

    /// <summary>A queued call and, for a session event batch, the JSON size of each event.</summary>
    private sealed class QueuedCall(ApiCall call, int[]? eventSizes)
    {
        /// <summary>The bytes of <c>{"events":[]}</c>.</summary>
        public const int BatchEnvelopeBytes = 13;

        public ApiCall Call { get; } = call;

        public int[]? EventSizes { get; } = eventSizes;

        public static QueuedCall Create(ApiCall call)
        {
            if (call is not SessionEventBatchCall batch)
            {
                return new QueuedCall(call, null);
            }

            var sizes = new int[batch.Request.Events.Count];
            for (var i = 0; i < sizes.Length; i++)
            {
                sizes[i] = JsonSerializer.SerializeToUtf8Bytes(batch.Request.Events[i], HoneyHiveJsonContext.Default.EventRequest).Length;
            }

            return new QueuedCall(call, sizes);
        }

        public QueuedCall Rest(string sessionId, int skip)
        {
            var batch = (SessionEventBatchCall)this.Call;
            var count = batch.Request.Events.Count - skip;
            var rest = new SessionEventBatchRequest { Events = batch.Request.Events.GetRange(skip, count) };
            return new QueuedCall(new SessionEventBatchCall(sessionId, rest), this.EventSizes![skip..]);
        }
    }
}
