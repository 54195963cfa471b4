// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Receiver.Hosting;

/// <summary>
/// Decides which delivered sessions get a line of their own: the first <see cref="MaxLinesPerSecond"/> of every
/// second; the others are counted (sessions and events) until <see cref="TakeSkipped"/>. Under load `serve` delivers
/// thousands of sessions a second, and a console line each cost a few per cent of its CPU and said nothing a reader
/// could follow. Not thread-safe: the caller serializes.
/// </summary>
internal sealed class SessionLineLimiter
{
    /// <summary>The session lines written in any one second.</summary>
    public const int MaxLinesPerSecond = 10;

    private long windowStart = long.MinValue;
    private int linesInWindow;
    private long skippedSessions;
    private long skippedEvents;

    /// <summary>Whether a session delivered now gets its own line; when not, it is counted as skipped.</summary>
    /// <param name="nowMilliseconds">A monotonic clock in milliseconds (<see cref="Environment.TickCount64"/>).</param>
    /// <param name="eventCount">The session's events, added to the skipped count when it gets no line.</param>
    /// <returns><see langword="true"/> when the session gets a line.</returns>
    public bool TryTakeLine(long nowMilliseconds, long eventCount)
    {
        if (this.windowStart == long.MinValue || nowMilliseconds - this.windowStart >= 1000)
        {
            this.windowStart = nowMilliseconds;
            this.linesInWindow = 0;
        }

        if (this.linesInWindow < MaxLinesPerSecond)
        {
            this.linesInWindow++;
            return true;
        }

        this.skippedSessions++;
        this.skippedEvents += eventCount;
        return false;
    }

    /// <summary>Gets the sessions (and their events) counted as skipped since the last call, and starts again.</summary>
    /// <returns>The counts.</returns>
    public (long Sessions, long Events) TakeSkipped()
    {
        var taken = (this.skippedSessions, this.skippedEvents);
        this.skippedSessions = 0;
        this.skippedEvents = 0;
        return taken;
    }
}
