// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Implementation.Delivery;

/// <summary>Limits of <see cref="HoneyHiveDelivery"/>: queue, concurrency, batching and retries.</summary>
internal sealed class HoneyHiveDeliveryOptions
{
    internal const int DefaultMaxQueuedCalls = 4096;
    internal const int DefaultMaxConcurrency = 16;

    /// <summary>
    /// The bytes of encoded events that may be queued or in flight (32 MiB). <see cref="MaxQueuedCalls"/> counts
    /// calls, whatever their size: 4096 event batches of 2 KB prompts are about 100 MB, of 200 KB prompts gigabytes.
    /// Against a 50 ms API (the load run's <c>--sink-latency 50</c>) <c>serve</c> delivered as many spans a second
    /// with 32 MiB as with 64 (10,900 and 10,800) at 360 MiB of RSS instead of 410; with 16 MiB, 0.95x as many at
    /// 270 MiB; unbounded, it kept about 2.3 s of its delivery queued (21,000 encoded events) at 480 MiB.
    /// </summary>
    internal const long DefaultMaxQueuedBytes = 32L * 1024 * 1024;

    /// <summary>
    /// Events per merged batch request. The session batch route stores events one by one and answers 500
    /// ("partially added") when one fails, after which the whole request is re-sent: 100 keeps each request's
    /// latency and the cost of such a retry small, while still cutting request count by two orders of magnitude.
    /// </summary>
    internal const int DefaultMaxEventsPerBatch = 100;

    /// <summary>
    /// Bytes per merged batch request. The API documents no size limit; 4 MiB stays under the body limits that
    /// API gateways and JSON body parsers commonly apply (often 5-10 MiB) and bounds the memory of one request.
    /// A single event larger than this is still sent, alone.
    /// </summary>
    internal const int DefaultMaxBatchBytes = 4 * 1024 * 1024;

    internal const int DefaultMaxAttempts = 6;

    /// <summary>
    /// How long an event batch that is not full waits for other sessions' events to join it (default 100 ms). Without
    /// it a trace's events went out as soon as its session was created, in requests of a few sessions each (about 14
    /// requests per 100 spans of 10-span traces, 10 of them the sessions; 11 with the wait); waiting a little lets
    /// them fill <see cref="MaxEventsPerBatch"/>. The Collector's <c>batch</c> processor makes the same trade with its
    /// <c>timeout</c> (200 ms by default); a flush sends at once.
    /// </summary>
    internal static readonly TimeSpan DefaultEventBatchDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest <see cref="EventBatchDelay"/>: longer would only hold events back from the API.</summary>
    internal static readonly TimeSpan MaxEventBatchDelay = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how many calls may wait in memory before <c>Submit</c> refuses more (default 4096).</summary>
    public int MaxQueuedCalls { get; set; } = DefaultMaxQueuedCalls;

    /// <summary>
    /// Gets or sets how many bytes of encoded events (the arrays that hold each event's JSON) may be queued or in
    /// flight before <c>Submit</c> refuses more (default 32 MiB). A set of calls is taken whole while less than this
    /// is pending, so the sets taken at that moment may pass it by their own size, and a trace larger than the bound
    /// is never refused for good. Calls other than event batches count against <see cref="MaxQueuedCalls"/> only.
    /// </summary>
    public long MaxQueuedBytes { get; set; } = DefaultMaxQueuedBytes;

    /// <summary>Gets or sets how many requests may be in flight at once, across sessions (default 16: the exporter's
    /// <c>MaxConcurrentRequests</c> default; <c>serve</c> sets its own).</summary>
    public int MaxConcurrency { get; set; } = DefaultMaxConcurrency;

    /// <summary>Gets or sets the most events one merged batch request carries (default 100).</summary>
    public int MaxEventsPerBatch { get; set; } = DefaultMaxEventsPerBatch;

    /// <summary>Gets or sets the most JSON bytes of events one merged batch request carries (default 4 MiB).</summary>
    public int MaxBatchBytes { get; set; } = DefaultMaxBatchBytes;

    /// <summary>
    /// Gets or sets how long an event batch with room left waits for more events before it is sent (default 100 ms;
    /// zero sends at once). It is sent earlier when the waiting events fill a batch, and at once while a flush or
    /// shutdown waits.
    /// </summary>
    public TimeSpan EventBatchDelay { get; set; } = DefaultEventBatchDelay;

    /// <summary>Gets or sets the most attempts per call, the first included (default 6).</summary>
    public int MaxAttempts { get; set; } = DefaultMaxAttempts;

    /// <summary>Gets or sets the backoff cap of the first retry; it doubles per attempt (default 1 s).</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the largest backoff cap (default 30 s); a longer <c>Retry-After</c> is still honoured.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long one call may be retried in total before it is given up (default 2 min).</summary>
    public TimeSpan MaxRetryDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets how long <c>Dispose</c> waits for queued calls to be delivered (default 10 s).</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets how often delivery, paused because the API rejected the key (401, 403, or a 404 that is not a
    /// missing session or event), sends one queued call again to see whether the key works now (default 30 s). Slow on
    /// purpose: a rejected key is fixed by a person, and the probes should not look like an attack.
    /// </summary>
    public TimeSpan KeyRejectedProbeInterval { get; set; } = DefaultKeyRejectedProbeInterval;

    /// <summary>Gets or sets a value indicating whether event batches of different sessions may be merged into one
    /// <c>POST /v1/events/batch</c> (default <see langword="true"/>).</summary>
    public bool MergeAcrossSessions { get; set; } = true;

    internal static TimeSpan DefaultKeyRejectedProbeInterval => TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(this.MaxQueuedCalls, 1, nameof(this.MaxQueuedCalls));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.MaxQueuedBytes, 1, nameof(this.MaxQueuedBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.MaxConcurrency, 1, nameof(this.MaxConcurrency));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.MaxEventsPerBatch, 1, nameof(this.MaxEventsPerBatch));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.MaxBatchBytes, 1024, nameof(this.MaxBatchBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.MaxAttempts, 1, nameof(this.MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.InitialBackoff, TimeSpan.Zero, nameof(this.InitialBackoff));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.MaxBackoff, this.InitialBackoff, nameof(this.MaxBackoff));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.MaxRetryDuration, TimeSpan.Zero, nameof(this.MaxRetryDuration));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.ShutdownTimeout, TimeSpan.Zero, nameof(this.ShutdownTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.EventBatchDelay, TimeSpan.Zero, nameof(this.EventBatchDelay));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(this.EventBatchDelay, MaxEventBatchDelay, nameof(this.EventBatchDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.KeyRejectedProbeInterval, TimeSpan.FromMilliseconds(1), nameof(this.KeyRejectedProbeInterval));
    }
}
