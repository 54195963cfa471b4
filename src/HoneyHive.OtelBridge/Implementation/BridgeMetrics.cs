// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Delivery;
using HoneyHive.OtelBridge.Implementation.Pipeline;

namespace HoneyHive.OtelBridge.Implementation;

/// <summary>
/// The bridge's own metrics, on one <see cref="Meter"/> named <see cref="MeterName"/> that every part of the bridge
/// (the in-process exporter, the OTLP receiver, the pipeline and delivery) records into. The front door a span came
/// through is the <see cref="FrontDoorTag"/> tag; failures carry a <see cref="ReasonTag"/> tag. No measurement
/// carries the API key, a header or an attribute value of a span.
/// </summary>
internal static class BridgeMetrics
{
    /// <summary>The name of the meter (add it to a <c>MeterProviderBuilder</c> with <c>AddMeter</c>).</summary>
    internal const string MeterName = "HoneyHive.OtelBridge";

    /// <summary>The tag naming the front door: <see cref="ExporterFrontDoor"/>, <see cref="OtlpGrpcFrontDoor"/> or
    /// <see cref="OtlpHttpFrontDoor"/>.</summary>
    internal const string FrontDoorTag = "front_door";

    /// <summary>The tag naming why spans were rejected or a call failed.</summary>
    internal const string ReasonTag = "reason";

    internal const string ExporterFrontDoor = "exporter";
    internal const string OtlpGrpcFrontDoor = "otlp_grpc";
    internal const string OtlpHttpFrontDoor = "otlp_http";

    /// <summary>Rejection reason: the pipeline is saturated (delivery far behind); the sender may retry.</summary>
    internal const string SaturatedReason = "saturated";

    /// <summary>Refusal reason of an export request: the receiver already works on as many requests as it takes at
    /// once (<c>serve --max-concurrent-exports</c>); the sender may retry.</summary>
    internal const string ConcurrencyLimitReason = "max_concurrent_exports";

    /// <summary>Rejection reason: the exporter or pipeline is shut down.</summary>
    internal const string ShutdownReason = "shutdown";

    /// <summary>Rejection reason: an unexpected error while taking the spans.</summary>
    internal const string ErrorReason = "error";

    /// <summary>Call failure reason: an assembled trace found no room in the delivery queue.</summary>
    internal const string QueueFullReason = "QueueFull";

    internal const string SpansReceivedName = "honeyhive.bridge.spans.received";
    internal const string SpansAcceptedName = "honeyhive.bridge.spans.accepted";
    internal const string SpansRejectedName = "honeyhive.bridge.spans.rejected";
    internal const string RequestsRefusedName = "honeyhive.bridge.requests.refused";
    internal const string SessionsDeliveredName = "honeyhive.bridge.sessions.delivered";
    internal const string EventsDeliveredName = "honeyhive.bridge.events.delivered";
    internal const string CallsFailedName = "honeyhive.bridge.calls.failed";
    internal const string RetriesName = "honeyhive.bridge.calls.retries";
    internal const string QueueDepthName = "honeyhive.bridge.delivery.queue_depth";
    internal const string QueueSizeName = "honeyhive.bridge.delivery.queue_size";
    internal const string DeliveryLatencyName = "honeyhive.bridge.delivery.latency";
    internal const string LogSizeName = "honeyhive.bridge.log.size";
    internal const string LogSkippedName = "honeyhive.bridge.log.skipped_bytes";
    internal const string CallerRunsName = "honeyhive.bridge.exporter.caller_runs";
    internal const string ExportsInProgressName = "honeyhive.bridge.exports.in_progress";

    /// <summary>The bucket bounds of <see cref="DeliveryLatencyName"/> (ms): from a fast local API to an outage.</summary>
    internal static readonly double[] DeliveryLatencyBuckets = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000];

    private static readonly Meter Meter = new(MeterName, HoneyHiveApiClient.ClientVersion);
    private static readonly Counter<long> SpansReceivedCounter = Meter.CreateCounter<long>(SpansReceivedName, "{span}", "Spans received by a front door.");
    private static readonly Counter<long> SpansAcceptedCounter = Meter.CreateCounter<long>(SpansAcceptedName, "{span}", "Spans taken into the pipeline.");
    private static readonly Counter<long> SpansRejectedCounter = Meter.CreateCounter<long>(SpansRejectedName, "{span}", "Spans refused by the pipeline, by reason.");
    private static readonly Counter<long> RequestsRefusedCounter = Meter.CreateCounter<long>(RequestsRefusedName, "{request}", "Export requests refused before they were read, by reason (their spans are not counted).");
    private static readonly Counter<long> SessionsDeliveredCounter = Meter.CreateCounter<long>(SessionsDeliveredName, "{session}", "Session create calls delivered to HoneyHive.");
    private static readonly Counter<long> EventsDeliveredCounter = Meter.CreateCounter<long>(EventsDeliveredName, "{event}", "Events delivered to HoneyHive in batch calls.");
    private static readonly Counter<long> CallsFailedCounter = Meter.CreateCounter<long>(CallsFailedName, "{call}", "API calls given up, by reason.");
    private static readonly Counter<long> RetriesCounter = Meter.CreateCounter<long>(RetriesName, "{retry}", "API call retries, by reason of the failed attempt.");
    private static readonly Histogram<double> DeliveryLatencyHistogram = Meter.CreateHistogram(
        DeliveryLatencyName,
        "ms",
        "Time from a span's acceptance by the pipeline to the API's success for the call made from it.",
        tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = DeliveryLatencyBuckets });

    private static readonly ConcurrentDictionary<HoneyHiveDelivery, byte> Deliveries = new();
    private static readonly ConcurrentDictionary<BridgePipeline, byte> Logs = new();
    private static readonly ObservableGauge<int> QueueDepthGauge = Meter.CreateObservableGauge(
        QueueDepthName,
        ObserveQueueDepth,
        "{call}",
        "API calls queued or in flight in delivery, summed over the live pipelines of the process.");

    private static readonly ObservableGauge<long> QueueSizeGauge = Meter.CreateObservableGauge(
        QueueSizeName,
        static () => Deliveries.Keys.Sum(delivery => delivery.PendingBytes),
        "By",
        "Bytes of encoded events queued or in flight in delivery (bounded by its MaxQueuedBytes), summed over the live pipelines of the process.");

    private static readonly ObservableGauge<long> LogSizeGauge = Meter.CreateObservableGauge(
        LogSizeName,
        static () => Logs.Keys.Sum(pipeline => pipeline.LogBytes),
        "By",
        "Bytes the durable log takes on disk, summed over the live pipelines of the process.");

    private static readonly ObservableCounter<long> LogSkippedCounter = Meter.CreateObservableCounter(
        LogSkippedName,
        static () => Logs.Keys.Sum(pipeline => pipeline.LogBytesSkipped),
        "By",
        "Bytes of damaged durable-log tails (a torn write after a crash, a CRC mismatch) skipped by replay.");

    private static readonly ConcurrentDictionary<object, Func<int>> ExportCounts = new();
    private static readonly ObservableGauge<int> ExportsInProgressGauge = Meter.CreateObservableGauge(
        ExportsInProgressName,
        static () => ExportCounts.Values.Sum(count => count()),
        "{request}",
        "Export requests the receiver's front doors are working on (admitted, not yet answered), summed over the receivers of the process.");

    internal static void SpansReceived(string frontDoor, int count) =>
        SpansReceivedCounter.Add(count, new KeyValuePair<string, object?>(FrontDoorTag, frontDoor));

    internal static void SpansAccepted(string frontDoor, int count) =>
        SpansAcceptedCounter.Add(count, new KeyValuePair<string, object?>(FrontDoorTag, frontDoor));

    internal static void SpansRejected(string frontDoor, string reason, int count) => SpansRejectedCounter.Add(
        count,
        new KeyValuePair<string, object?>(FrontDoorTag, frontDoor),
        new KeyValuePair<string, object?>(ReasonTag, reason));

    /// <summary>Counts spans the exporter handed to the pipeline on the SDK's export thread because its intake was
    /// full (caller-runs).</summary>
    /// <param name="count">The spans.</param>
    internal static void SpansRunByCaller(int count) => ExporterInstruments.CallerRuns.Add(count);

    /// <summary>Counts an export request refused before its body was read or decoded.</summary>
    /// <param name="frontDoor">The front door.</param>
    /// <param name="reason">Why: <see cref="SaturatedReason"/> or <see cref="ConcurrencyLimitReason"/>.</param>
    internal static void RequestRefused(string frontDoor, string reason) => RequestsRefusedCounter.Add(
        1,
        new KeyValuePair<string, object?>(FrontDoorTag, frontDoor),
        new KeyValuePair<string, object?>(ReasonTag, reason));

    internal static void CallDelivered(ApiCall call, int eventCount)
    {
        if (call is StartSessionCall)
        {
            SessionsDeliveredCounter.Add(1);
        }

        if (eventCount > 0)
        {
            EventsDeliveredCounter.Add(eventCount);
        }

        if (call.AcceptedTimestamp != 0)
        {
            DeliveryLatencyHistogram.Record(Stopwatch.GetElapsedTime(call.AcceptedTimestamp).TotalMilliseconds);
        }
    }

    /// <summary>The earlier of two Stopwatch timestamps, 0 meaning unknown.</summary>
    internal static long EarliestTimestamp(long a, long b) => a == 0 ? b : b == 0 ? a : Math.Min(a, b);

    internal static void CallsFailed(string reason, int count) =>
        CallsFailedCounter.Add(count, new KeyValuePair<string, object?>(ReasonTag, reason));

    internal static void Retried(string reason) =>
        RetriesCounter.Add(1, new KeyValuePair<string, object?>(ReasonTag, reason));

    /// <summary>Counts a delivery stage's pending calls in the queue-depth gauge until <see cref="Untrack"/>.</summary>
    internal static void Track(HoneyHiveDelivery delivery)
    {
        Debug.Assert(QueueDepthGauge is not null && QueueSizeGauge is not null, "The gauges are created with the meter.");
        Deliveries.TryAdd(delivery, 0);
    }

    internal static void Untrack(HoneyHiveDelivery delivery) => Deliveries.TryRemove(delivery, out _);

    /// <summary>Counts a pipeline's durable log in the log gauges until <see cref="UntrackLog"/>.</summary>
    internal static void TrackLog(BridgePipeline pipeline)
    {
        Debug.Assert(LogSizeGauge is not null && LogSkippedCounter is not null, "The instruments are created with the meter.");
        Logs.TryAdd(pipeline, 0);
    }

    internal static void UntrackLog(BridgePipeline pipeline) => Logs.TryRemove(pipeline, out _);

    /// <summary>Counts a receiver's export requests in progress in the exports gauge until <see cref="UntrackExports"/>.</summary>
    /// <param name="owner">The receiver's export logic.</param>
    /// <param name="inProgress">Reads its requests in progress.</param>
    internal static void TrackExports(object owner, Func<int> inProgress)
    {
        Debug.Assert(ExportsInProgressGauge is not null, "The gauge is created with the meter.");
        ExportCounts.TryAdd(owner, inProgress);
    }

    internal static void UntrackExports(object owner) => ExportCounts.TryRemove(owner, out _);

    private static int ObserveQueueDepth()
    {
        var depth = 0;
        foreach (var delivery in Deliveries.Keys)
        {
            depth += delivery.PendingCalls;
        }

        return depth;
    }

    /// <summary>The instruments only the in-process exporter records, created on first use: a process that never runs
    /// the exporter (the receiver) does not publish them, so its <c>/metrics</c> page lists what it records.</summary>
    private static class ExporterInstruments
    {
        internal static readonly Counter<long> CallerRuns = Meter.CreateCounter<long>(
            CallerRunsName,
            "{span}",
            "Spans the exporter handed to the pipeline on the SDK's export thread because its intake was full.");
    }
}
