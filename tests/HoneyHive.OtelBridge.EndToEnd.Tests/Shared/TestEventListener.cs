// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace HoneyHive.OtelBridge.EndToEnd.Tests.Shared;

/// <summary>Records the events of one EventSource (by name) at every level.</summary>
internal sealed class TestEventListener : EventListener
{
    private readonly string sourceName;
    private readonly ConcurrentQueue<EventWrittenEventArgs> events = new();

    public TestEventListener(string sourceName)
    {
        this.sourceName = sourceName;
        foreach (var source in EventSource.GetSources())
        {
            this.OnEventSourceCreated(source);
        }
    }

    public IReadOnlyList<EventWrittenEventArgs> Events => [.. this.events];

    /// <summary>Gets every event as one line of text: name, level and payload (what a log would show).</summary>
    public IReadOnlyList<string> Lines =>
        [.. this.events.Select(e => $"{e.EventName} {e.Level}: {string.Join(" | ", e.Payload ?? [])}")];

    /// <summary>Gets the payload of an event by name.</summary>
    /// <param name="e">The event.</param>
    /// <returns>The payload by parameter name.</returns>
    public static Dictionary<string, object?> PayloadOf(EventWrittenEventArgs e) =>
        e.PayloadNames!.Zip(e.Payload!).ToDictionary(p => p.First, p => p.Second);

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        // Called from the base constructor too, before sourceName is set.
        if (this.sourceName is not null && eventSource.Name == this.sourceName)
        {
            this.EnableEvents(eventSource, EventLevel.Verbose, EventKeywords.All);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventSource.Name == this.sourceName)
        {
            this.events.Enqueue(eventData);
        }
    }
}
