// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Mapping;

namespace HoneyHive.OtelBridge.Tests.Implementation.Mapping;

public sealed class TraceEventIdsTests
{
    [Fact]
    public void For_SpanAskedTwice_TheSpansEventIdDerivedOnce()
    {
        // Arrange: a parent's id is asked for by its own event and by each child's parent_id.
        var ids = new TraceEventIds(TestSpans.Trace);

        // Act
        var first = ids.For(TestSpans.Id(2));
        var again = ids.For(TestSpans.Id(2));
        var other = ids.For(TestSpans.Id(3));

        // Assert
        Assert.Equal(HoneyHiveIds.EventIdForSpan(TestSpans.Trace, TestSpans.Id(2)), first);
        Assert.Same(first, again);
        Assert.Equal(HoneyHiveIds.EventIdForSpan(TestSpans.Trace, TestSpans.Id(3)), other);
    }
}
