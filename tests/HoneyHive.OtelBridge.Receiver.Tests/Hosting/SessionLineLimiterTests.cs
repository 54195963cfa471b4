// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Receiver.Hosting;

namespace HoneyHive.OtelBridge.Receiver.Tests.Hosting;

public sealed class SessionLineLimiterTests
{
    [Fact]
    public void TryTakeLine_MoreSessionsThanTheLimitInOneSecond_FirstOnesGetLinesTheRestAreCounted()
    {
        // Arrange
        var limiter = new SessionLineLimiter();

        // Act
        var lines = Enumerable.Range(0, 25).Count(i => limiter.TryTakeLine(5_000 + i, eventCount: 3));
        var skipped = limiter.TakeSkipped();

        // Assert
        Assert.Equal(SessionLineLimiter.MaxLinesPerSecond, lines);
        Assert.Equal((15L, 45L), skipped);
    }

    [Fact]
    public void TryTakeLine_NextSecond_LinesAgainAndSkippedCountsStartOver()
    {
        // Arrange
        var limiter = new SessionLineLimiter();
        for (var i = 0; i < SessionLineLimiter.MaxLinesPerSecond + 2; i++)
        {
            limiter.TryTakeLine(100, eventCount: 1);
        }

        // Act
        var stillLimited = limiter.TryTakeLine(1_099, eventCount: 1);
        var afterASecond = limiter.TryTakeLine(1_100, eventCount: 1);
        var first = limiter.TakeSkipped();
        var second = limiter.TakeSkipped();

        // Assert
        Assert.False(stillLimited);
        Assert.True(afterASecond);
        Assert.Equal((3L, 3L), first);
        Assert.Equal((0L, 0L), second);
    }
}
