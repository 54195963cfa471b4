// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics.Tracing;
using System.Globalization;
using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Implementation;

/// <summary>
/// Self-diagnostics of the exporter and its delivery. The <c>OpenTelemetry-</c> prefix lets the SDK's
/// <c>OTEL_DIAGNOSTICS.json</c> listener pick it up. No event carries the API key or request headers.
/// Event ids are sequential and never reused.
/// </summary>
[EventSource(Name = "OpenTelemetry-HoneyHive-Exporter")]
internal sealed class HoneyHiveExporterEventSource : EventSource
{
    public static readonly HoneyHiveExporterEventSource Log = new();

    [NonEvent]
    public void CallDelivered(ApiCall call, int attempts, TimeSpan elapsed)
    {
        if (this.IsEnabled(EventLevel.Verbose, EventKeywords.All))
        {
            this.CallDelivered(call.Method, call.Path, attempts, elapsed.TotalMilliseconds);
        }
    }

    [NonEvent]
    public void CallRetrying(ApiCall call, HoneyHiveApiException exception, int attempt, TimeSpan delay)
    {
        if (this.IsEnabled(EventLevel.Warning, EventKeywords.All))
        {
            this.CallRetrying(call.Method, call.Path, exception.Reason.ToString(), exception.StatusCode ?? 0, attempt, delay.TotalMilliseconds);
        }
    }

    [NonEvent]
    public void CallDropped(ApiCall call, string reason, int? statusCode, int eventCount, string message)
    {
        if (this.IsEnabled(EventLevel.Error, EventKeywords.All))
        {
            this.CallDropped(call.Method, call.Path, reason, statusCode ?? 0, eventCount, message);
        }
    }

    [NonEvent]
    public void DeliveryFailed(Exception exception)
    {
        if (this.IsEnabled(EventLevel.Error, EventKeywords.All))
        {
            this.DeliveryFailed(ToInvariantString(exception));
        }
    }

    [NonEvent]
    public void ExportFailed(Exception exception)
    {
        if (this.IsEnabled(EventLevel.Error, EventKeywords.All))
        {
            this.ExportFailed(ToInvariantString(exception));
        }
    }

    [NonEvent]
    public void DeliveryPaused(ApiCall call, HoneyHiveApiException exception, TimeSpan probeInterval)
    {
        if (this.IsEnabled(EventLevel.Error, EventKeywords.All))
        {
            this.DeliveryPaused(call.Method, call.Path, exception.StatusCode ?? 0, exception.Message, probeInterval.TotalSeconds);
        }
    }

    [NonEvent]
    public void ProbeFailed(ApiCall call, HoneyHiveApiException exception)
    {
        if (this.IsEnabled(EventLevel.Verbose, EventKeywords.All))
        {
            this.ProbeFailed(call.Method, call.Path, exception.Reason.ToString(), exception.StatusCode ?? 0);
        }
    }

    [Event(1, Message = "Delivered {0} {1} after {2} attempt(s) in {3} ms.", Level = EventLevel.Verbose)]
    public void CallDelivered(string method, string path, int attempts, double elapsedMilliseconds)
    {
        this.WriteEvent(1, method, path, attempts, elapsedMilliseconds);
    }

    [Event(2, Message = "{0} {1} failed ({2}, status {3}) on attempt {4}; retrying in {5} ms.", Level = EventLevel.Warning)]
    public void CallRetrying(string method, string path, string reason, int statusCode, int attempt, double delayMilliseconds)
    {
        this.WriteEvent(2, method, path, reason, statusCode, attempt, delayMilliseconds);
    }

    [Event(3, Message = "Dropped {0} {1} with {4} event(s): {2} (status {3}). {5}", Level = EventLevel.Error)]
    public void CallDropped(string method, string path, string reason, int statusCode, int eventCount, string message)
    {
        this.WriteEvent(3, method, path, reason, statusCode, eventCount, message);
    }

    [Event(4, Message = "Delivery queue full: refused {0} call(s); {1} queued of {2}.", Level = EventLevel.Warning)]
    public void SubmitRejected(int callCount, int queuedCalls, int capacity)
    {
        this.WriteEvent(4, callCount, queuedCalls, capacity);
    }

    [Event(5, Message = "Flush did not finish within {1} ms; {0} call(s) still pending.", Level = EventLevel.Warning)]
    public void FlushTimedOut(int pendingCalls, double timeoutMilliseconds)
    {
        this.WriteEvent(5, pendingCalls, timeoutMilliseconds);
    }

    [Event(6, Message = "Unexpected delivery failure: {0}", Level = EventLevel.Error)]
    public void DeliveryFailed(string exception)
    {
        this.WriteEvent(6, exception);
    }

    [Event(7, Message = "Export failed; the batch is reported as failed to the SDK: {0}", Level = EventLevel.Error)]
    public void ExportFailed(string exception)
    {
        this.WriteEvent(7, exception);
    }

    [Event(8, Message = "Export refused {0} span(s) ({1}); the batch is reported as failed to the SDK.", Level = EventLevel.Warning)]
    public void ExportRefused(int spanCount, string reason)
    {
        this.WriteEvent(8, spanCount, reason);
    }

    [Event(9, Message = "Invalid exporter configuration: {0}", Level = EventLevel.Error)]
    public void ConfigurationInvalid(string message)
    {
        this.WriteEvent(9, message);
    }

    [Event(10, Message = "HoneyHive exporter started: endpoint {0}, source '{1}'.", Level = EventLevel.Informational)]
    public void ExporterStarted(string endpoint, string source)
    {
        this.WriteEvent(10, endpoint, source);
    }

    [Event(11, Message = "{0} did not finish within {1} ms.", Level = EventLevel.Warning)]
    public void ExporterFlushTimedOut(string operation, double timeoutMilliseconds)
    {
        this.WriteEvent(11, operation, timeoutMilliseconds);
    }

    [Event(12, Message = "Delivery paused: the HoneyHive API rejected the API key ({0} {1}, status {2}): {3} Nothing is dropped: calls stay queued (and in the durable log, if one is configured) and one is sent again every {4} s until the key works; new spans meet backpressure once the queue fills.", Level = EventLevel.Error)]
    public void DeliveryPaused(string method, string path, int statusCode, string message, double probeIntervalSeconds)
    {
        this.WriteEvent(12, method, path, statusCode, message, probeIntervalSeconds);
    }

    [Event(13, Message = "Delivery resumed after {0} s paused: the API accepted a call again.", Level = EventLevel.Informational)]
    public void DeliveryResumed(double pausedSeconds)
    {
        this.WriteEvent(13, pausedSeconds);
    }

    [Event(14, Message = "Probe while paused: {0} {1} still failed ({2}, status {3}).", Level = EventLevel.Verbose)]
    public void ProbeFailed(string method, string path, string reason, int statusCode)
    {
        this.WriteEvent(14, method, path, reason, statusCode);
    }

    [Event(15, Message = "Delivery stopped with {0} call(s) ({1} event(s)) pending; they stay in the durable log and are replayed on the next start.", Level = EventLevel.Informational)]
    public void CallsKeptForReplay(int callCount, int eventCount)
    {
        this.WriteEvent(15, callCount, eventCount);
    }

    [Event(16, Message = "Durable log {0}: replaying {1} segment(s), {2} byte(s).", Level = EventLevel.Informational)]
    public void LogReplayStarted(string directory, int segmentCount, long bytes)
    {
        this.WriteEvent(16, directory, segmentCount, bytes);
    }

    [Event(17, Message = "Durable log {0}: replayed {1} record(s) with {2} span(s).", Level = EventLevel.Informational)]
    public void LogReplayed(string directory, long recordCount, long spanCount)
    {
        this.WriteEvent(17, directory, recordCount, spanCount);
    }

    [Event(18, Message = "Durable log segment {0} is damaged at offset {1} ({3}); the {2} byte(s) from there on are skipped, the intact records before it are replayed.", Level = EventLevel.Warning)]
    public void LogDamaged(string segment, long offset, long bytesSkipped, string reason)
    {
        this.WriteEvent(18, segment, offset, bytesSkipped, reason);
    }

    [Event(19, Message = "Durable log full: {0} byte(s) of {1}; refusing new spans (backpressure) until delivered records are removed.", Level = EventLevel.Warning)]
    public void LogFull(long bytes, long maxBytes)
    {
        this.WriteEvent(19, bytes, maxBytes);
    }

    [Event(20, Message = "Durable log: removed {0} delivered segment(s), {1} byte(s); {2} byte(s) remain.", Level = EventLevel.Verbose)]
    public void LogSegmentsRemoved(int segmentCount, long bytesRemoved, long bytesLeft)
    {
        this.WriteEvent(20, segmentCount, bytesRemoved, bytesLeft);
    }

    [Event(21, Message = "Exporter intake full ({1} of {2} span(s) waiting for its worker): the export thread hands batches to the pipeline itself, starting with {0} span(s), until the worker catches up; the SDK's queue fills meanwhile.", Level = EventLevel.Warning)]
    public void IntakeFull(int spanCount, int intakeSpans, int capacity)
    {
        this.WriteEvent(21, spanCount, intakeSpans, capacity);
    }

    [Event(22, Message = "{0} span(s) acknowledged to the SDK were still in the exporter's intake and are lost ({1}).", Level = EventLevel.Error)]
    public void IntakeSpansLost(int spanCount, string reason)
    {
        this.WriteEvent(22, spanCount, reason);
    }

    [Event(23, Message = "Exporter stopped with {0} span(s) in its intake; they are in the durable log and are replayed on the next start.", Level = EventLevel.Informational)]
    public void IntakeKeptForReplay(int spanCount)
    {
        this.WriteEvent(23, spanCount);
    }

    [Event(24, Message = "Delivery queue full by bytes: refused {0} call(s) with {1} byte(s) of events; {2} byte(s) queued or in flight of {3}.", Level = EventLevel.Warning)]
    public void SubmitRejectedBytes(int callCount, long setBytes, long pendingBytes, long capacity)
    {
        this.WriteEvent(24, callCount, setBytes, pendingBytes, capacity);
    }

    /// <summary>Formats an exception with the invariant culture (stable, English-like diagnostics).</summary>
    private static string ToInvariantString(Exception exception)
    {
        var ui = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
            return exception.ToString();
        }
        finally
        {
            CultureInfo.CurrentUICulture = ui;
        }
    }
}
