// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Assembly;
using HoneyHive.OtelBridge.Implementation.Delivery;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Implementation.Pipeline;

/// <summary>
/// The one pipeline both front doors feed: span records go to trace assembly, which hands each assembled trace's
/// calls to delivery. A timer emits traces whose root wait ran out. <see cref="FlushAsync"/> emits everything held
/// (including traces whose root never came) and waits for delivery.
/// </summary>
internal sealed class BridgePipeline : IDisposable
{
    private readonly BridgePipelineOptions options;
    private readonly HoneyHiveDelivery delivery;
    private readonly TraceAssembler assembler;
    private readonly ITimer expiryTimer;
    private readonly object flushGate = new();
    private long lostCalls;
    private int disposed;

    public BridgePipeline(HoneyHiveApiClient client, BridgePipelineOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        this.options = options ?? new BridgePipelineOptions();
        var time = timeProvider ?? TimeProvider.System;
        this.delivery = new HoneyHiveDelivery(client, this.options.Delivery);
        this.assembler = new TraceAssembler(new WaitingSink(this), this.options.Assembly, time);
        this.expiryTimer = time.CreateTimer(
            static state => ((BridgePipeline)state!).EmitExpired(),
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
    /// retryable status (OTLP <c>UNAVAILABLE</c> / HTTP 503) rather than take them.
    /// </summary>
    public bool IsSaturated =>
        this.delivery.PendingCalls >= this.options.Delivery.MaxQueuedCalls * this.options.SaturationThreshold;

    /// <summary>Takes span records from a front door, unconditionally.</summary>
    /// <param name="spans">The spans.</param>
    public void Add(IEnumerable<SpanRecord> spans) => this.assembler.Add(spans);

    /// <summary>
    /// Takes span records from a front door unless the bridge cannot take more. This is the call a front door
    /// acknowledges on: when it returns <see langword="true"/> the spans are the pipeline's responsibility; when it
    /// returns <see langword="false"/> nothing was taken and the front door answers with a retryable status
    /// (OTLP <c>UNAVAILABLE</c> with <c>RetryInfo</c>, HTTP 503 with <c>Retry-After</c>).
    /// </summary>
    /// <param name="spans">The spans of one export request.</param>
    /// <returns>Whether the spans were taken.</returns>
    public bool TryAccept(IReadOnlyList<SpanRecord> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        if (Volatile.Read(ref this.disposed) != 0 || this.IsSaturated)
        {
            return false;
        }

        this.assembler.Add(spans);
        return true;
    }

    /// <summary>Emits every trace held (a missing root gets a session built from what is there) and waits until
    /// delivery has sent everything, or the timeout passes.</summary>
    /// <param name="timeout">The longest wait.</param>
    /// <returns><see langword="true"/> when nothing is pending any more.</returns>
    public Task<bool> FlushAsync(TimeSpan timeout)
    {
        lock (this.flushGate)
        {
            this.assembler.FlushAll();
        }

        return this.delivery.FlushAsync(timeout);
    }

    /// <summary>Stops the timer, flushes everything held and stops delivery (bounded by the delivery's shutdown
    /// timeout).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref this.disposed, 1) != 0)
        {
            return;
        }

        this.expiryTimer.Dispose();
        lock (this.flushGate)
        {
            this.assembler.FlushAll();
        }

        this.delivery.Dispose();
    }

    private void EmitExpired()
    {
        try
        {
            this.assembler.EmitExpired();
        }
        catch (Exception ex)
        {
            // A timer callback must never throw; the assembler counts its own mapping failures.
            HoneyHiveExporterEventSource.Log.DeliveryFailed(ex);
        }
    }

    /// <summary>Hands assembled calls to delivery, waiting for room when its queue is full; a trace that finds
    /// no room within <see cref="BridgePipelineOptions.SubmitWait"/> is counted and logged, never dropped silently.</summary>
    private sealed class WaitingSink(BridgePipeline owner) : IApiCallSink
    {
        public void Submit(IReadOnlyList<ApiCall> calls) => this.TrySubmit(calls);

        public bool TrySubmit(IReadOnlyList<ApiCall> calls)
        {
            var delivery = owner.delivery;
            if (delivery.TrySubmit(calls))
            {
                return true;
            }

            var deadline = Environment.TickCount64 + (long)owner.options.SubmitWait.TotalMilliseconds;
            while (Environment.TickCount64 < deadline && Volatile.Read(ref owner.disposed) == 0)
            {
                Thread.Sleep(20);
                if (delivery.TrySubmit(calls))
                {
                    return true;
                }
            }

            Interlocked.Add(ref owner.lostCalls, calls.Count);
            BridgeMetrics.CallsFailed(BridgeMetrics.QueueFullReason, calls.Count);
            HoneyHiveExporterEventSource.Log.DeliveryFailed(new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"{calls.Count} call(s) of session {(calls.Count > 0 ? calls[0].SessionId : string.Empty)} found no room in the delivery queue within {owner.options.SubmitWait.TotalSeconds} s; they are lost.")));
            return false;
        }
    }
}
