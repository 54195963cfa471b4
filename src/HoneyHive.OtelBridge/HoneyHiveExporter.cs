// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using HoneyHive.OtelBridge.Implementation;
using HoneyHive.OtelBridge.Implementation.Activities;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Delivery;
using HoneyHive.OtelBridge.Implementation.Exporter;
using HoneyHive.OtelBridge.Implementation.Pipeline;
using HoneyHive.OtelBridge.Implementation.Spans;
using Microsoft.Extensions.Configuration;
using OpenTelemetry;

namespace HoneyHive.OtelBridge;

/// <summary>
/// Exports finished activities to HoneyHive: each trace becomes a session and its other spans become events. The
/// exporter converts the activities to span records and hands them to a bounded intake, whose worker thread feeds the
/// bridge's pipeline (trace assembly, mapping, delivery with retries), so <c>Export</c> returns at once; when the
/// intake is full, <c>Export</c> hands the batch to the pipeline itself. <see cref="BaseExporter{T}.ForceFlush"/> and
/// <see cref="BaseExporter{T}.Shutdown"/> deliver everything held, including traces whose root span never ended.
/// </summary>
public sealed class HoneyHiveExporter : BaseExporter<Activity>
{
    /// <summary>How many times the SDK's batch queue (<see cref="BatchExportProcessorOptions{T}.MaxQueueSize"/>, 2,048
    /// spans by default) the intake holds: 8,192 spans by default.</summary>
    internal const int IntakeQueueMultiple = 4;

    /// <summary>How long the intake's worker waits before it offers a batch to a saturated pipeline again.</summary>
    private static readonly TimeSpan SaturatedPause = TimeSpan.FromMilliseconds(20);

    /// <summary>How often, at most, the caller-runs warning (<c>IntakeFull</c>) is logged while it goes on.</summary>
    private static readonly TimeSpan IntakeFullLogInterval = TimeSpan.FromSeconds(10);

    private readonly HoneyHiveExporterOptions options;
    private readonly HttpClient httpClient;
    private readonly bool ownsHttpClient;
    private readonly HoneyHiveApiClient client;
    private readonly object gate = new();
    private readonly HoneyHiveDeliveryOptions deliveryOptions = new();
    private readonly SpanIntake intake;
    private BridgePipeline? pipeline;
    private long lastIntakeFullLog;
    private IReadOnlyList<KeyValuePair<string, object?>> resourceAttributes = [];
    private bool shutdown;
    private bool disposed;

    /// <summary>Initializes a new instance of the <see cref="HoneyHiveExporter"/> class.</summary>
    /// <param name="options">The options; <see cref="HoneyHiveExporterOptions.ApiKey"/> is required.</param>
    /// <exception cref="HoneyHiveExporterValidationException">The options cannot work (no API key).</exception>
    public HoneyHiveExporter(HoneyHiveExporterOptions options)
        : this(options, options?.HttpClientFactory)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="HoneyHiveExporter"/> class with the HTTP client factory
    /// the DI extension resolved (<c>IHttpClientFactory</c>) instead of the one on the options.</summary>
    internal HoneyHiveExporter(HoneyHiveExporterOptions options, Func<HttpClient>? httpClientFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        var factory = httpClientFactory ?? options.HttpClientFactory;
        this.httpClient = factory() ?? throw new HoneyHiveExporterValidationException(
            $"{nameof(HoneyHiveExporterOptions)}.{nameof(HoneyHiveExporterOptions.HttpClientFactory)} returned null.");
        this.ownsHttpClient = ReferenceEquals(factory, HoneyHiveExporterOptions.DefaultHttpClientFactory);
        this.client = new HoneyHiveApiClient(
            this.httpClient,
            new HoneyHiveConnectionSettings(new ConfigurationBuilder().Build()) { ApiKey = options.ApiKey, BaseUrl = options.Endpoint });
        this.deliveryOptions.MaxConcurrency = options.MaxConcurrentRequests;
        this.deliveryOptions.MaxQueuedBytes = options.MaxQueuedBytes;
        this.intake = new SpanIntake(
            (int)Math.Min(int.MaxValue, (long)IntakeQueueMultiple * options.BatchExportProcessorOptions.MaxQueueSize),
            this.Process);
    }

    /// <summary>Gets the delivery limits the pipeline is created with on the first batch (tests may change them
    /// before that).</summary>
    internal HoneyHiveDeliveryOptions DeliveryOptions => this.deliveryOptions;

    /// <summary>Gets the pipeline once the first batch created it (tests).</summary>
    internal BridgePipeline? Pipeline => Volatile.Read(ref this.pipeline);

    /// <summary>Gets the intake between <c>Export</c> and the pipeline (tests hold its worker, or change its capacity
    /// before the first batch).</summary>
    internal SpanIntake Intake => this.intake;

    /// <inheritdoc/>
    public override ExportResult Export(in Batch<Activity> batch)
    {
        // Nothing the exporter does may be traced (its HTTP calls would come back to it as spans).
        using var scope = SuppressInstrumentationScope.Begin();
        var count = 0;
        try
        {
            var pipeline = this.GetOrCreatePipeline();
            var spans = new List<SpanRecord>((int)Math.Min(batch.Count, int.MaxValue));
            foreach (var activity in batch)
            {
                spans.Add(activity.ToSpanRecord(this.resourceAttributes));
            }

            count = spans.Count;
            BridgeMetrics.SpansReceived(BridgeMetrics.ExporterFrontDoor, count);
            if (pipeline is not null && count > 0)
            {
                // Assembly, mapping and encoding happen on the intake's worker; when it has no room, here (caller-runs).
                if (this.intake.TryReserve(count))
                {
                    return this.Enqueue(pipeline, spans);
                }

                if (!this.intake.IsClosed)
                {
                    this.OnCallerRuns(count);
                }
            }

            return this.AcceptHere(pipeline, spans);
        }
        catch (Exception ex)
        {
            BridgeMetrics.SpansRejected(BridgeMetrics.ExporterFrontDoor, BridgeMetrics.ErrorReason, count);
            HoneyHiveExporterEventSource.Log.ExportFailed(ex);
            return ExportResult.Failure;
        }
    }

    /// <inheritdoc/>
    protected override bool OnForceFlush(int timeoutMilliseconds)
    {
        // First everything exported so far reaches the pipeline, then the pipeline flushes, in the same time.
        var started = Stopwatch.GetTimestamp();
        if (!this.intake.WaitForQueued(ToTimeout(timeoutMilliseconds)))
        {
            HoneyHiveExporterEventSource.Log.ExporterFlushTimedOut(nameof(this.ForceFlush), timeoutMilliseconds);
            return false;
        }

        var pipeline = this.Pipeline;
        return pipeline is null || Flush(pipeline, Remaining(timeoutMilliseconds, started), nameof(this.ForceFlush));
    }

    /// <inheritdoc/>
    protected override bool OnShutdown(int timeoutMilliseconds)
    {
        BridgePipeline? pipeline;
        lock (this.gate)
        {
            this.shutdown = true;
            pipeline = this.pipeline;
        }

        var started = Stopwatch.GetTimestamp();
        var drained = this.StopIntake(ToTimeout(timeoutMilliseconds));
        if (pipeline is null)
        {
            return drained;
        }

        var flushed = Flush(pipeline, Remaining(timeoutMilliseconds, started), nameof(this.Shutdown));

        // Whatever the flush left is given the time that is left, then counted as lost with reason Shutdown.
        if (timeoutMilliseconds != Timeout.Infinite)
        {
            this.deliveryOptions.ShutdownTimeout = TimeSpan.FromMilliseconds(Remaining(timeoutMilliseconds, started));
        }

        pipeline.Dispose();
        return drained && flushed;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (!this.disposed)
        {
            if (disposing)
            {
                lock (this.gate)
                {
                    this.shutdown = true;
                }

                // Disposed without a shutdown: the worker gets the delivery's shutdown timeout to hand over what it holds.
                this.StopIntake(this.deliveryOptions.ShutdownTimeout);
                this.Pipeline?.Dispose();
                if (this.ownsHttpClient)
                {
                    this.httpClient.Dispose();
                }
            }

            this.disposed = true;
        }

        base.Dispose(disposing);
    }

    private static TimeSpan ToTimeout(int timeoutMilliseconds) =>
        timeoutMilliseconds == Timeout.Infinite ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(Math.Max(0, timeoutMilliseconds));

    /// <summary>What is left of a timeout (in milliseconds, <see cref="Timeout.Infinite"/> staying infinite).</summary>
    private static int Remaining(int timeoutMilliseconds, long started) =>
        timeoutMilliseconds == Timeout.Infinite
            ? Timeout.Infinite
            : (int)Math.Max(0, timeoutMilliseconds - Stopwatch.GetElapsedTime(started).TotalMilliseconds);

    /// <summary>Counts and logs a batch the intake will not hand to the pipeline. Spans in the durable log are not
    /// lost: the next start replays them (unless the failure was handing them over, which may have let the log go).</summary>
    private static void GiveUp(IntakeBatch batch, string reason)
    {
        var count = batch.Spans.Count;
        if (batch.Logged && reason != BridgeMetrics.ErrorReason)
        {
            HoneyHiveExporterEventSource.Log.IntakeKeptForReplay(count);
            return;
        }

        if (!batch.Logged)
        {
            // Logged spans were counted as accepted when they were written to the log.
            BridgeMetrics.SpansRejected(BridgeMetrics.ExporterFrontDoor, reason, count);
        }

        HoneyHiveExporterEventSource.Log.IntakeSpansLost(count, reason);
    }

    /// <summary>The exporter's one sync-over-async wait: <c>Export</c>, <c>ForceFlush</c> and <c>Shutdown</c> are
    /// synchronous by the SDK's contract, the pipeline's flush is asynchronous.</summary>
    private static bool Flush(BridgePipeline pipeline, int timeoutMilliseconds, string operation)
    {
        using var scope = SuppressInstrumentationScope.Begin();
        try
        {
            var flushed = pipeline.FlushAsync(ToTimeout(timeoutMilliseconds)).GetAwaiter().GetResult();
            if (!flushed)
            {
                HoneyHiveExporterEventSource.Log.ExporterFlushTimedOut(operation, timeoutMilliseconds);
            }

            return flushed;
        }
        catch (Exception ex)
        {
            HoneyHiveExporterEventSource.Log.ExportFailed(ex);
            return false;
        }
    }

    /// <summary>Queues a batch whose room in the intake is reserved. With a durable log the spans are written to it
    /// first, here, so that <c>Success</c> still means they are in the log.</summary>
    private ExportResult Enqueue(BridgePipeline pipeline, List<SpanRecord> spans)
    {
        var logged = false;
        try
        {
            if (pipeline.HasLog)
            {
                if (!pipeline.TryLog(spans))
                {
                    this.intake.CancelReservation(spans.Count);
                    return this.Refuse(pipeline, spans.Count);
                }

                logged = true;
                BridgeMetrics.SpansAccepted(BridgeMetrics.ExporterFrontDoor, spans.Count);
            }
        }
        catch
        {
            this.intake.CancelReservation(spans.Count);
            throw;
        }

        if (this.intake.Enqueue(new IntakeBatch(spans, logged)))
        {
            return ExportResult.Success;
        }

        // Shut down since the reservation: spans in the log stay there for the next start; others are handed over
        // here, or refused.
        if (logged)
        {
            GiveUp(new IntakeBatch(spans, logged), BridgeMetrics.ShutdownReason);
            return ExportResult.Success;
        }

        return this.AcceptHere(pipeline, spans);
    }

    /// <summary>Hands a batch to the pipeline on the calling thread, as the exporter did before it had an intake.</summary>
    private ExportResult AcceptHere(BridgePipeline? pipeline, List<SpanRecord> spans)
    {
        if (pipeline is null || !pipeline.TryAccept(spans))
        {
            return this.Refuse(pipeline, spans.Count);
        }

        BridgeMetrics.SpansAccepted(BridgeMetrics.ExporterFrontDoor, spans.Count);
        return ExportResult.Success;
    }

    private ExportResult Refuse(BridgePipeline? pipeline, int count)
    {
        var reason = pipeline is null || Volatile.Read(ref this.shutdown) ? BridgeMetrics.ShutdownReason : BridgeMetrics.SaturatedReason;
        BridgeMetrics.SpansRejected(BridgeMetrics.ExporterFrontDoor, reason, count);
        HoneyHiveExporterEventSource.Log.ExportRefused(count, reason);
        return ExportResult.Failure;
    }

    /// <summary>Counts a batch the export thread hands over itself because the intake is full, and says so in the log
    /// (at most every <see cref="IntakeFullLogInterval"/>).</summary>
    private void OnCallerRuns(int count)
    {
        BridgeMetrics.SpansRunByCaller(count);
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref this.lastIntakeFullLog);
        if ((last == 0 || now - last >= (long)IntakeFullLogInterval.TotalMilliseconds)
            && Interlocked.CompareExchange(ref this.lastIntakeFullLog, now, last) == last)
        {
            HoneyHiveExporterEventSource.Log.IntakeFull(count, this.intake.SpanCount, this.intake.Capacity);
        }
    }

    /// <summary>
    /// The intake's worker: hands one batch to the pipeline. While the pipeline is saturated the batch waits here (in
    /// short pauses, ended by a stop); the intake fills behind it, and new batches take the caller-runs path, which
    /// refuses them as the exporter did before it had an intake. Every span ends handed over, or counted and logged.
    /// </summary>
    private void Process(IntakeBatch batch)
    {
        using var scope = SuppressInstrumentationScope.Begin();
        var pipeline = this.Pipeline!;
        try
        {
            while (!pipeline.IsDisposed)
            {
                if (batch.Logged)
                {
                    if (!pipeline.IsSaturated)
                    {
                        pipeline.AddLogged(batch.Spans);
                        return;
                    }
                }
                else if (pipeline.TryAccept(batch.Spans))
                {
                    BridgeMetrics.SpansAccepted(BridgeMetrics.ExporterFrontDoor, batch.Spans.Count);
                    return;
                }

                if (!this.intake.Pause(SaturatedPause))
                {
                    break;
                }
            }

            GiveUp(batch, BridgeMetrics.ShutdownReason);
        }
        catch (Exception ex)
        {
            HoneyHiveExporterEventSource.Log.DeliveryFailed(ex);
            GiveUp(batch, BridgeMetrics.ErrorReason);
        }
    }

    /// <summary>Closes the intake, lets its worker hand over what was queued within <paramref name="timeout"/>, stops
    /// it, and counts and logs what it did not take. Does nothing once the intake is stopped.</summary>
    /// <returns><see langword="true"/> when everything queued was handed over.</returns>
    private bool StopIntake(TimeSpan timeout)
    {
        if (this.intake.IsStopped)
        {
            return true;
        }

        var started = Stopwatch.GetTimestamp();
        this.intake.Close();
        var drained = this.intake.WaitForQueued(timeout);
        var left = timeout == Timeout.InfiniteTimeSpan ? timeout : timeout - Stopwatch.GetElapsedTime(started);
        foreach (var batch in this.intake.Stop(left))
        {
            GiveUp(batch, BridgeMetrics.ShutdownReason);
        }

        return drained;
    }

    /// <summary>
    /// Creates the pipeline on the first batch, when the provider's resource is known (it gives the default
    /// <c>source</c>). Returns <see langword="null"/> after shutdown.
    /// </summary>
    private BridgePipeline? GetOrCreatePipeline()
    {
        var existing = Volatile.Read(ref this.pipeline);
        if (existing is not null)
        {
            return existing;
        }

        lock (this.gate)
        {
            if (this.pipeline is not null || this.shutdown)
            {
                return this.pipeline;
            }

            var resource = this.ParentProvider?.GetResource();
            var attributes = resource is null
                ? []
                : resource.Attributes.Select(a => new KeyValuePair<string, object?>(a.Key, a.Value)).ToArray();
            var source = this.options.ResolveSource(attributes);
            var pipelineOptions = new BridgePipelineOptions
            {
                Assembly = this.options.ToAssemblerOptions(source),
                Delivery = this.deliveryOptions,
                DataDirectory = this.options.DataDirectory,
            };

            // The pipeline's timer and delivery workers live as long as the exporter: they must not capture the
            // context of the activity being exported (nor its suppression scope).
            using (ExecutionContext.SuppressFlow())
            {
                this.resourceAttributes = attributes;
                Volatile.Write(ref this.pipeline, new BridgePipeline(this.client, pipelineOptions));
                this.intake.Start();
            }

            HoneyHiveExporterEventSource.Log.ExporterStarted(this.options.Endpoint.GetLeftPart(UriPartial.Authority), source);
            return this.pipeline;
        }
    }

}
