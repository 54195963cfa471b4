// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Assembly;
using HoneyHive.OtelBridge.Implementation.Delivery;
using HoneyHive.OtelBridge.Implementation.Durability;
using HoneyHive.OtelBridge.Implementation.Otlp;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Implementation.Pipeline;

/// <summary>
/// The one pipeline both front doors feed: span records go to trace assembly, which hands each assembled trace's
/// calls to delivery. A timer emits traces whose root wait ran out. <see cref="FlushAsync"/> emits everything held
/// (including traces whose root never came) and waits for delivery.
/// </summary>
/// <remarks>
/// <para>
/// With <see cref="BridgePipelineOptions.DataDirectory"/>, accepted spans are first appended to a
/// <see cref="DurableLog"/> (one record per <see cref="TryAccept"/> or <see cref="TryLog"/>, an OTLP
/// <c>ExportTraceServiceRequest</c>). Each span carries its record's position; the calls made from it carry the lowest
/// position of their spans. The log removes the segments below the watermark: the lowest position still being accepted
/// (or logged and not yet handed over by <see cref="AddLogged"/>), replayed, held by
/// assembly, or pending in delivery (a call given up, or a stand-in, counts as done). The stages are read in the
/// order spans flow through them, and each hands over before it lets go, so no position in transit is missed.
/// On start, the records left in the directory are replayed through assembly in the background (ids are
/// deterministic, so re-delivery is idempotent), paced by <see cref="IsSaturated"/>.
/// </para>
/// </remarks>
internal sealed class BridgePipeline : IDisposable
{
    /// <summary>How often a refused append may try to free log space first.</summary>
    private static readonly TimeSpan CompactOnFullInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The least <see cref="Dispose"/> waits for <see cref="TryAccept"/> calls already taking spans.</summary>
    private static readonly TimeSpan TakingCallsMinimumWait = TimeSpan.FromSeconds(1);

    private readonly BridgePipelineOptions options;
    private readonly HoneyHiveDelivery delivery;
    private readonly TraceAssembler assembler;
    private readonly ITimer expiryTimer;
    private readonly object flushGate = new();
    private readonly object logGate = new();
    private readonly DurableLog? log;
    private readonly HashSet<long> accepting = [];
    private readonly CancellationTokenSource replayStop = new();
    private readonly Task replay = Task.CompletedTask;
    private long replayLow = LogPositions.None;
    private long lastCompactOnFull;
    private long replayedRecords;
    private long replayedSpans;
    private long lostCalls;
    private bool logClosed;
    private bool keepAllRecords;
    private int disposed;

    // TryAccept calls past their disposed check and not yet done: Dispose waits for them before it flushes, so that
    // spans a call took reach the final flush instead of an assembler nobody flushes again.
    private int takingCalls;

    public BridgePipeline(HoneyHiveApiClient client, BridgePipelineOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        this.options = options ?? new BridgePipelineOptions();
        var time = timeProvider ?? TimeProvider.System;
        this.delivery = new HoneyHiveDelivery(client, this.options.Delivery);
        this.assembler = new TraceAssembler(new WaitingSink(this), this.options.Assembly, time);
        if (this.options.DataDirectory is { } directory)
        {
            this.log = new DurableLog(new DurableLogOptions
            {
                Directory = directory,
                MaxBytes = this.options.MaxLogBytes,
                SegmentBytes = Math.Min(this.options.LogSegmentBytes, this.options.MaxLogBytes),
                Fsync = this.options.LogFsync,
            });

            // What is still pending at shutdown is in the log: the next start replays it.
            this.delivery.KeepPendingOnShutdown = true;
            BridgeMetrics.TrackLog(this);
            if (this.log.ExistingSegments.Count > 0)
            {
                this.replayLow = this.log.ExistingSegments[0].FirstPosition;
                this.replay = Task.Run(this.ReplayAsync);
            }
        }

        this.expiryTimer = time.CreateTimer(
            static state => ((BridgePipeline)state!).OnTimer(),
            this,
            this.options.ExpiryInterval,
            this.options.ExpiryInterval);
    }

    /// <summary>Gets the delivery stage (counters, losses).</summary>
    public HoneyHiveDelivery Delivery => this.delivery;

    /// <summary>Gets the number of assembled calls that found no room in delivery within the wait.</summary>
    public long LostCalls => Interlocked.Read(ref this.lostCalls);

    /// <summary>
    /// Gets a value indicating whether delivery is so far behind that a front door should refuse new spans with a
    /// retryable status (OTLP <c>UNAVAILABLE</c> / HTTP 503) rather than take them. While delivery is paused (a
    /// rejected key) its queue only grows, so this turns true. Both of delivery's bounds count: its calls
    /// (<see cref="HoneyHiveDeliveryOptions.MaxQueuedCalls"/>) and the bytes of its events
    /// (<see cref="HoneyHiveDeliveryOptions.MaxQueuedBytes"/>).
    /// </summary>
    public bool IsSaturated =>
        this.delivery.PendingCalls >= this.options.Delivery.MaxQueuedCalls * this.options.SaturationThreshold
        || this.delivery.PendingBytes >= this.options.Delivery.MaxQueuedBytes * this.options.SaturationThreshold;

    /// <summary>Gets the bytes the durable log takes on disk (0 without a log).</summary>
    public long LogBytes
    {
        get
        {
            lock (this.logGate)
            {
                return this.log?.TotalBytes ?? 0;
            }
        }
    }

    /// <summary>Gets the bytes of damaged log tails skipped by replay.</summary>
    public long LogBytesSkipped => this.log?.BytesSkipped ?? 0;

    /// <summary>Gets the number of log segments replay found damaged.</summary>
    public long LogDamagedSegments => this.log?.DamagedSegments ?? 0;

    /// <summary>Gets the number of log records replayed so far.</summary>
    public long ReplayedRecords => Interlocked.Read(ref this.replayedRecords);

    /// <summary>Gets the number of spans replayed so far.</summary>
    public long ReplayedSpans => Interlocked.Read(ref this.replayedSpans);

    /// <summary>Gets a value indicating whether the pipeline has a durable log (<see cref="BridgePipelineOptions.DataDirectory"/>).</summary>
    public bool HasLog => this.log is not null;

    /// <summary>Gets a value indicating whether <see cref="Dispose"/> was called: nothing is taken any more.</summary>
    public bool IsDisposed => Volatile.Read(ref this.disposed) != 0;

    /// <summary>Gets or sets what <see cref="TryAccept"/> runs once it has decided to take the spans, before it hands
    /// them on (tests hold a call there to meet <see cref="Dispose"/>).</summary>
    internal Action? Accepting { get; set; }

    /// <summary>Gets the number of spans handed to trace assembly so far (replayed ones included).</summary>
    public long SpansAssembled => this.assembler.SpansReceived;

    /// <summary>Gets the replay of the log found at start (completed at once when there was nothing to replay).</summary>
    public Task Replay => this.replay;

    /// <summary>Takes span records from a front door, unconditionally (written to the durable log when it has
    /// room; front doors that acknowledge use <see cref="TryAccept"/>).</summary>
    /// <param name="spans">The spans.</param>
    public void Add(IEnumerable<SpanRecord> spans)
    {
        var list = spans as IReadOnlyList<SpanRecord> ?? [.. spans];
        StampAccepted(list);
        if (!this.TryLogAndAdd(list, default))
        {
            this.assembler.Add(list);
        }
    }

    /// <summary>
    /// Takes span records from a front door unless the bridge cannot take more. This is the call a front door
    /// acknowledges on: when it returns <see langword="true"/> the spans are the pipeline's responsibility (with a
    /// durable log: written to it, and flushed to the operating system, or to the disk with
    /// <see cref="BridgePipelineOptions.LogFsync"/>); when it returns <see langword="false"/> nothing was taken
    /// (delivery saturated, or the log full) and the front door answers with a retryable status
    /// (OTLP <c>UNAVAILABLE</c> with <c>RetryInfo</c>, HTTP 503 with <c>Retry-After</c>).
    /// </summary>
    /// <param name="spans">The spans of one export request.</param>
    /// <param name="encodedRequest">The OTLP protobuf bytes of an export request that holds exactly these spans, when
    /// the front door has them: the durable log records them as they are instead of encoding the spans again. Empty:
    /// the spans are encoded.</param>
    /// <returns>Whether the spans were taken.</returns>
    public bool TryAccept(IReadOnlyList<SpanRecord> spans, ReadOnlySpan<byte> encodedRequest = default)
    {
        ArgumentNullException.ThrowIfNull(spans);

        // Counted before the disposed check, read by Dispose after it sets the flag (both full fences): either this
        // call sees the flag, or Dispose sees the call and waits for it.
        Interlocked.Increment(ref this.takingCalls);
        try
        {
            if (Volatile.Read(ref this.disposed) != 0 || this.IsSaturated)
            {
                return false;
            }

            this.Accepting?.Invoke();
            StampAccepted(spans);
            if (this.log is null || spans.Count == 0)
            {
                this.assembler.Add(spans);
                return true;
            }

            return this.TryLogAndAdd(spans, encodedRequest);
        }
        finally
        {
            Interlocked.Decrement(ref this.takingCalls);
        }
    }

    /// <summary>
    /// The first half of <see cref="TryAccept"/>, for a front door that acknowledges spans before it hands them to
    /// assembly on another thread (the exporter's intake): writes them to the durable log as one record and keeps that
    /// record until <see cref="AddLogged"/> takes the spans (the log's watermark does not pass it; if
    /// <see cref="AddLogged"/> never runs, the next start replays it). Not paced by <see cref="IsSaturated"/>: the
    /// front door waits for it before <see cref="AddLogged"/>.
    /// </summary>
    /// <param name="spans">The spans of one export; not empty.</param>
    /// <returns><see langword="true"/> when the spans are in the log; <see langword="false"/> when there is no log,
    /// it is full, or the pipeline is disposed: nothing was written.</returns>
    public bool TryLog(IReadOnlyList<SpanRecord> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        if (Volatile.Read(ref this.disposed) != 0 || spans.Count == 0)
        {
            return false;
        }

        StampAccepted(spans);
        return this.TryLogRecord(spans, default);
    }

    /// <summary>The second half of <see cref="TryAccept"/>: hands spans that <see cref="TryLog"/> wrote to trace
    /// assembly, and lets the log remove their record once everything made from them is delivered.</summary>
    /// <param name="spans">The spans, as given to <see cref="TryLog"/>.</param>
    public void AddLogged(IReadOnlyList<SpanRecord> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        var position = spans.Count == 0 ? LogPositions.None : spans[0].LogPosition;
        try
        {
            this.assembler.Add(spans);
        }
        finally
        {
            lock (this.logGate)
            {
                this.accepting.Remove(position);
            }
        }
    }

    /// <summary>Emits every trace held (a missing root gets a session built from what is there) and waits until
    /// delivery has sent everything, or the timeout passes. Waits for the replay of the log first.</summary>
    /// <param name="timeout">The longest wait.</param>
    /// <returns><see langword="true"/> when nothing is pending any more.</returns>
    public async Task<bool> FlushAsync(TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        if (!this.replay.IsCompleted)
        {
            try
            {
                await this.replay.WaitAsync(timeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                HoneyHiveExporterEventSource.Log.FlushTimedOut(this.delivery.PendingCalls, timeout.TotalMilliseconds);
                return false;
            }
        }

        lock (this.flushGate)
        {
            this.assembler.FlushAll();
        }

        // An infinite timeout stays infinite (the SDK's ForceFlush() default); a finite one is what is left of it.
        var left = timeout == Timeout.InfiniteTimeSpan ? timeout : timeout - Stopwatch.GetElapsedTime(started);
        var flushed = await this.delivery.FlushAsync(left == Timeout.InfiniteTimeSpan || left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false);
        this.Compact();
        return flushed;
    }

    /// <summary>Stops the timer, flushes everything held and stops delivery (bounded by the delivery's shutdown
    /// timeout). With a durable log, what is still pending stays in it for the next start.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref this.disposed, 1) != 0)
        {
            return;
        }

        // A TryAccept already taking spans finishes first, so they are flushed below. It does not wait for anything a
        // disposed pipeline keeps (delivery room, saturation): milliseconds of mapping, or a log append. Bounded by the
        // shutdown timeout, and not below a second: a shutdown out of time (the exporter passes what is left of its
        // timeout) would otherwise drop the spans the call took without counting them.
        var waitStarted = Stopwatch.GetTimestamp();
        var waitLimit = TimeSpan.FromTicks(Math.Max(this.options.Delivery.ShutdownTimeout.Ticks, TakingCallsMinimumWait.Ticks));
        var spin = default(SpinWait);
        while (Volatile.Read(ref this.takingCalls) != 0 && Stopwatch.GetElapsedTime(waitStarted) < waitLimit)
        {
            spin.SpinOnce(sleep1Threshold: 10);
        }

        this.expiryTimer.Dispose();
        this.replayStop.Cancel();
        try
        {
            this.replay.Wait(this.options.Delivery.ShutdownTimeout);
        }
        catch (AggregateException ex)
        {
            HoneyHiveExporterEventSource.Log.DeliveryFailed(ex);
        }

        lock (this.flushGate)
        {
            this.assembler.FlushAll();
        }

        if (this.log is not null)
        {
            this.delivery.FlushAsync(this.options.Delivery.ShutdownTimeout).GetAwaiter().GetResult();
            this.Compact();
            lock (this.logGate)
            {
                // From here on delivery lets go of what it has not sent: the log must keep it.
                this.logClosed = true;
            }

            this.delivery.Dispose();
            BridgeMetrics.UntrackLog(this);
            lock (this.logGate)
            {
                this.log.Dispose();
            }
        }
        else
        {
            this.delivery.Dispose();
        }

        this.replayStop.Dispose();
    }

    /// <summary>Removes the log segments every stage is done with.</summary>
    internal void Compact()
    {
        if (this.log is null)
        {
            return;
        }

        long watermark;
        lock (this.logGate)
        {
            if (this.logClosed || this.keepAllRecords)
            {
                return;
            }

            watermark = LogPositions.Min(this.log.NextPosition, this.replayLow);
            foreach (var position in this.accepting)
            {
                watermark = LogPositions.Min(watermark, position);
            }
        }

        // In the order spans flow: assembly hands calls to delivery before it lets go of them.
        watermark = LogPositions.Min(watermark, this.assembler.GetLowestLogPosition());
        watermark = LogPositions.Min(watermark, this.delivery.GetLowestLogPosition());
        lock (this.logGate)
        {
            if (!this.logClosed && !this.keepAllRecords)
            {
                this.log.RemoveBelow(watermark);
            }
        }
    }

    private static void StampAccepted(IReadOnlyList<SpanRecord> spans)
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var span in spans)
        {
            span.AcceptedTimestamp = now;
        }
    }

    /// <summary>Appends the spans to the log (if there is one and it has room), then hands them to assembly.</summary>
    /// <returns><see langword="false"/> when there is no log, it is full, or closed: nothing was taken.</returns>
    private bool TryLogAndAdd(IReadOnlyList<SpanRecord> spans, ReadOnlySpan<byte> encodedRequest)
    {
        if (!this.TryLogRecord(spans, encodedRequest))
        {
            return false;
        }

        this.AddLogged(spans);
        return true;
    }

    /// <summary>Appends the spans to the log (if there is one and it has room) as one record, stamps its position on
    /// them and keeps it in <see cref="accepting"/> (the log keeps the record) until <see cref="AddLogged"/>.</summary>
    /// <returns><see langword="false"/> when there is no log, it is full, or closed: nothing was written.</returns>
    private bool TryLogRecord(IReadOnlyList<SpanRecord> spans, ReadOnlySpan<byte> encodedRequest)
    {
        if (this.log is null)
        {
            return false;
        }

        var payload = encodedRequest.IsEmpty ? spans.ToExportTraceServiceRequest().ToByteArray() : encodedRequest;
        if (!this.TryAppend(payload, out var position))
        {
            var now = Stopwatch.GetTimestamp();
            var last = Interlocked.Read(ref this.lastCompactOnFull);
            if (Stopwatch.GetElapsedTime(last, now) < CompactOnFullInterval || Interlocked.CompareExchange(ref this.lastCompactOnFull, now, last) != last)
            {
                return false;
            }

            this.Compact();
            if (!this.TryAppend(payload, out position))
            {
                HoneyHiveExporterEventSource.Log.LogFull(this.LogBytes, this.options.MaxLogBytes);
                return false;
            }
        }

        foreach (var span in spans)
        {
            span.LogPosition = position;
        }

        return true;
    }

    private bool TryAppend(ReadOnlySpan<byte> payload, out long position)
    {
        lock (this.logGate)
        {
            if (this.logClosed || !this.log!.TryAppend(payload, out position))
            {
                position = LogPositions.None;
                return false;
            }

            this.accepting.Add(position);
            return true;
        }
    }

    private async Task ReplayAsync()
    {
        var log = this.log!;
        var token = this.replayStop.Token;
        var completed = false;
        try
        {
            HoneyHiveExporterEventSource.Log.LogReplayStarted(log.Directory, log.ExistingSegments.Count, log.ExistingSegments.Sum(s => s.Bytes));
            foreach (var (position, payload) in log.ReadExisting())
            {
                while (this.IsSaturated && !token.IsCancellationRequested)
                {
                    await Task.Delay(50, token).ConfigureAwait(false);
                }

                token.ThrowIfCancellationRequested();
                IReadOnlyList<SpanRecord> spans;
                try
                {
                    spans = OtlpProtobufDecoder.Decode(payload, OtlpConversionLimits.Default).Spans;
                }
                catch (InvalidProtocolBufferException ex)
                {
                    // The CRC matched, so the bytes are what was written; count it as damage all the same.
                    HoneyHiveExporterEventSource.Log.LogDamaged(log.Directory, position, payload.Length, "record is not an OTLP export request: " + ex.Message);
                    continue;
                }

                foreach (var span in spans)
                {
                    span.LogPosition = position;
                }

                lock (this.logGate)
                {
                    this.replayLow = position;
                }

                this.assembler.Add(spans);
                lock (this.logGate)
                {
                    // Positions are dense within a segment and grow across them: everything unread is above.
                    this.replayLow = position + 1;
                }

                Interlocked.Increment(ref this.replayedRecords);
                Interlocked.Add(ref this.replayedSpans, spans.Count);
            }

            completed = true;
            HoneyHiveExporterEventSource.Log.LogReplayed(log.Directory, this.ReplayedRecords, this.ReplayedSpans);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping: what was not replayed stays in the log (replayLow keeps it).
        }
        catch (Exception ex)
        {
            HoneyHiveExporterEventSource.Log.DeliveryFailed(ex);
        }
        finally
        {
            if (completed)
            {
                lock (this.logGate)
                {
                    this.replayLow = LogPositions.None;
                }
            }
        }
    }

    private void OnTimer()
    {
        try
        {
            this.assembler.EmitExpired();
            this.Compact();
        }
        catch (Exception ex)
        {
            // A timer callback must never throw; the assembler counts its own mapping failures.
            HoneyHiveExporterEventSource.Log.DeliveryFailed(ex);
        }
    }

    /// <summary>Hands assembled calls to delivery, waiting for room when its queue is full; a trace that finds
    /// no room within <see cref="BridgePipelineOptions.SubmitWait"/> is counted and logged, never dropped silently
    /// (with a durable log, the log then stops removing records, so the next start delivers them). Calls are prepared
    /// (their events encoded) by delivery on the thread that mapped them; every retry submits that same prepared set.</summary>
    private sealed class WaitingSink(BridgePipeline owner) : IApiCallSink
    {
        public void Submit(IReadOnlyList<ApiCall> calls) => this.TrySubmit(calls);

        public bool TrySubmit(IReadOnlyList<ApiCall> calls) => this.TrySubmit(this.Prepare(calls));

        public PreparedCalls Prepare(IReadOnlyList<ApiCall> calls) => owner.delivery.Prepare(calls);

        public void Submit(PreparedCalls prepared) => this.TrySubmit(prepared);

        public bool TrySubmit(PreparedCalls prepared)
        {
            var delivery = owner.delivery;
            if (delivery.TrySubmit(prepared))
            {
                return true;
            }

            var deadline = Environment.TickCount64 + (long)owner.options.SubmitWait.TotalMilliseconds;
            while (Environment.TickCount64 < deadline && Volatile.Read(ref owner.disposed) == 0)
            {
                Thread.Sleep(20);
                if (delivery.TrySubmit(prepared))
                {
                    return true;
                }
            }

            // Given up: nothing will read the encoded events, so their rented arrays go back to the pool now rather
            // than to the GC (the pool keeps a bounded number; the next traces rent them again).
            prepared.Abandon();
            var calls = prepared.Calls;
            Interlocked.Add(ref owner.lostCalls, calls.Count);
            if (owner.log is not null)
            {
                // These calls leave memory undelivered: their records must stay in the log for the next start, so
                // nothing more is removed from it in this process (re-delivery of the rest is idempotent).
                lock (owner.logGate)
                {
                    owner.keepAllRecords = true;
                }
            }

            BridgeMetrics.CallsFailed(BridgeMetrics.QueueFullReason, calls.Count);
            HoneyHiveExporterEventSource.Log.DeliveryFailed(new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"{calls.Count} call(s) of session {(calls.Count > 0 ? calls[0].SessionId : string.Empty)} found no room in the delivery queue within {owner.options.SubmitWait.TotalSeconds} s; they are lost.")));
            return false;
        }
    }
}
