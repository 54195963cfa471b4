// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using HoneyHive.OtelBridge.Implementation.Mapping;

namespace HoneyHive.OtelBridge.Tests.Implementation.Mapping;

public sealed class HoneyHiveIdsTests
{
    [Fact]
    public void SessionIdForTrace_SameTrace_SameIdWithVersion4Layout()
    {
        // Arrange
        var trace = ActivityTraceId.CreateFromString("5b8efff798038103d269b633813fc60c");

        // Act
        var first = HoneyHiveIds.SessionIdForTrace(trace);
        var second = HoneyHiveIds.SessionIdForTrace(ActivityTraceId.CreateFromString("5b8efff798038103d269b633813fc60c"));

        // Assert: the value is pinned (any instance, any restart) and matches an independent SHA-256 computation.
        Assert.Equal("6978174f-81ba-42bc-bc74-4ad2a0f385b8", first);
        Assert.Equal(first, second);
        AssertVersion4(first);
    }

    [Fact]
    public void EventIdForSpan_PinnedValueAndDifferentSpans_DifferentIds()
    {
        // Arrange
        var trace = ActivityTraceId.CreateFromString("5b8efff798038103d269b633813fc60c");

        // Act
        var id = HoneyHiveIds.EventIdForSpan(trace, ActivitySpanId.CreateFromString("a000000000000002"));
        var other = HoneyHiveIds.EventIdForSpan(trace, ActivitySpanId.CreateFromString("a000000000000003"));

        // Assert
        Assert.Equal("98b62d5d-eff6-481e-92e7-a8923f729653", id);
        Assert.NotEqual(id, other);
        AssertVersion4(id);
        AssertVersion4(other);
    }

    [Fact]
    public void SessionIdForTrace_TracesDifferingOnlyInOverwrittenBits_DoNotCollide()
    {
        // Arrange: these two trace ids differ exactly in the bits a copy-and-overwrite scheme would replace.
        var a = ActivityTraceId.CreateFromString("00000000000040008000000000000001");
        var b = ActivityTraceId.CreateFromString("00000000000050004000000000000001");

        // Act / Assert
        Assert.NotEqual(HoneyHiveIds.SessionIdForTrace(a), HoneyHiveIds.SessionIdForTrace(b));
    }

    [Theory]
    [InlineData("CAF77ACE-3417-4DA4-944D-F4A0688F3C23", "caf77ace-3417-4da4-944d-f4a0688f3c23")]
    [InlineData("conv-2024-05-01-42", "3023df66-174e-45ca-a5dc-fcf4e6ee282f")]
    public void SessionIdForKey_UuidOrOtherString_UuidKeptOtherHashed(string key, string expected)
    {
        // Act
        var id = HoneyHiveIds.SessionIdForKey(key);

        // Assert
        Assert.Equal(expected, id);
    }

    [Fact]
    public void SessionIdForTrace_ManyTraces_AllVersion4AndDistinct()
    {
        // Arrange
        var ids = new HashSet<string>();

        // Act
        for (var i = 0; i < 2000; i++)
        {
            var id = HoneyHiveIds.SessionIdForTrace(ActivityTraceId.CreateRandom());
            AssertVersion4(id);
            ids.Add(id);
        }

        // Assert
        Assert.Equal(2000, ids.Count);
    }

    private static void AssertVersion4(string id)
    {
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", id);
        Assert.True(Guid.TryParse(id, out _));
    }
}
