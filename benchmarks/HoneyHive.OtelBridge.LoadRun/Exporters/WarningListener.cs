// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace HoneyHive.OtelBridge.LoadRun.Exporters;

/// <summary>
/// Counts the warnings and errors of the OpenTelemetry SDK's and the exporters' EventSources (every source whose name
/// starts with <c>OpenTelemetry-</c>) by source and event, e.g. the batch processor's dropped spans, so the exporters
/// phase can say why spans made did not reach the endpoint.
/// </summary>
internal sealed class WarningListener : EventListener
{
    private readonly ConcurrentDictionary<string, int> counts = new(StringComparer.Ordinal);

    /// <summary>Gets the counts as <c>source/event=count</c> fields, one space apart (empty when there were none).</summary>
    public string Summary() => string.Join(' ', this.counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name.StartsWith("OpenTelemetry-", StringComparison.Ordinal))
        {
            this.EnableEvents(eventSource, EventLevel.Warning);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.Level is EventLevel.Warning or EventLevel.Error or EventLevel.Critical)
        {
            this.counts.AddOrUpdate($"{eventData.EventSource.Name}/{eventData.EventName}", 1, (_, count) => count + 1);
        }
    }
}
