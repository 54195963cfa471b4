// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace HoneyHive.OtelBridge.Tests.Shared;

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
