// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using OpenTelemetry;

namespace HoneyHive.OtelBridge.Implementation.Exporter;

/// <summary>
/// The SDK's batch processor, with one difference: <c>ForceFlush</c> also flushes the exporter. The SDK's
/// <see cref="BatchExportProcessor{T}"/> only waits until the queued activities were handed to <c>Export</c>; the
/// HoneyHive exporter then still holds traces waiting for their root and calls waiting for delivery, and a
/// <c>ForceFlush</c> that returned before those were sent would not mean what its caller expects.
/// </summary>
internal sealed class FlushingBatchActivityExportProcessor : BatchActivityExportProcessor
{
    public FlushingBatchActivityExportProcessor(
        BaseExporter<Activity> exporter,
        int maxQueueSize,
        int scheduledDelayMilliseconds,
        int exporterTimeoutMilliseconds,
        int maxExportBatchSize)
        : base(exporter, maxQueueSize, scheduledDelayMilliseconds, exporterTimeoutMilliseconds, maxExportBatchSize)
    {
    }

    /// <inheritdoc/>
    protected override bool OnForceFlush(int timeoutMilliseconds)
    {
        var started = Stopwatch.GetTimestamp();
        var exported = base.OnForceFlush(timeoutMilliseconds);
        var left = timeoutMilliseconds == Timeout.Infinite
            ? Timeout.Infinite
            : (int)Math.Max(0, timeoutMilliseconds - Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return this.exporter.ForceFlush(left) && exported;
    }
}
