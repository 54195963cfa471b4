// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using HoneyHive.OtelBridge.Implementation;
using HoneyHive.OtelBridge.Implementation.Activities;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Delivery;
using HoneyHive.OtelBridge.Implementation.Pipeline;
using HoneyHive.OtelBridge.Implementation.Spans;
using Microsoft.Extensions.Configuration;
using OpenTelemetry;

namespace HoneyHive.OtelBridge;

/// <summary>
/// Exports finished activities to HoneyHive: each trace becomes a session and its other spans become events. The
/// exporter hands spans to the bridge's pipeline (trace assembly, mapping, delivery with retries) and returns at
/// once; <see cref="BaseExporter{T}.ForceFlush"/> and <see cref="BaseExporter{T}.Shutdown"/> deliver everything
/// held, including traces whose root span never ended.
/// </summary>
public sealed class HoneyHiveExporter : BaseExporter<Activity>
{
    private readonly HoneyHiveExporterOptions options;
    private readonly HttpClient httpClient;
    private readonly bool ownsHttpClient;
    private readonly HoneyHiveApiClient client;
    private readonly object gate = new();
    private readonly HoneyHiveDeliveryOptions deliveryOptions = new();
    private BridgePipeline? pipeline;
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
    }

    /// <summary>Gets the delivery limits the pipeline is created with on the first batch (tests may change them
    /// before that).</summary>
    internal HoneyHiveDeliveryOptions DeliveryOptions => this.deliveryOptions;

    /// <summary>Gets the pipeline once the first batch created it (tests).</summary>
    internal BridgePipeline? Pipeline => Volatile.Read(ref this.pipeline);

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
            if (pipeline is null || !pipeline.TryAccept(spans))
            {
                var reason = pipeline is null || Volatile.Read(ref this.shutdown) ? BridgeMetrics.ShutdownReason : BridgeMetrics.SaturatedReason;
                BridgeMetrics.SpansRejected(BridgeMetrics.ExporterFrontDoor, reason, count);
                HoneyHiveExporterEventSource.Log.ExportRefused(count, reason);
                return ExportResult.Failure;
            }

            BridgeMetrics.SpansAccepted(BridgeMetrics.ExporterFrontDoor, count);
            return ExportResult.Success;
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
        var pipeline = this.Pipeline;
        return pipeline is null || Flush(pipeline, timeoutMilliseconds, nameof(this.ForceFlush));
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

        if (pipeline is null)
        {
            return true;
        }

        var started = Stopwatch.GetTimestamp();
        var flushed = Flush(pipeline, timeoutMilliseconds, nameof(this.Shutdown));

        // Whatever the flush left is given the time that is left, then counted as lost with reason Shutdown.
        if (timeoutMilliseconds != Timeout.Infinite)
        {
            this.deliveryOptions.ShutdownTimeout = TimeSpan.FromMilliseconds(
                Math.Max(0, timeoutMilliseconds - Stopwatch.GetElapsedTime(started).TotalMilliseconds));
        }

        pipeline.Dispose();
        return flushed;
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
            }

            HoneyHiveExporterEventSource.Log.ExporterStarted(this.options.Endpoint.GetLeftPart(UriPartial.Authority), source);
            return this.pipeline;
        }
    }

}
