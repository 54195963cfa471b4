// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Delivery;
using Microsoft.Extensions.Logging;

namespace HoneyHive.OtelBridge.Receiver.Hosting;

/// <summary>
/// Logs one line per delivered session (name, id, number of events), so a new user sees their traces arrive:
/// it follows <see cref="HoneyHiveDelivery.SessionDelivered"/> (which, unlike a call handler, leaves delivery's
/// events in rented arrays), sums a session's calls and writes the line when the
/// session has nothing more queued. A root that arrives late gives the session a second line.
/// At most <see cref="SessionLineLimiter.MaxLinesPerSecond"/> such lines a second (as the Collector's debug exporter
/// samples): the sessions beyond them are counted and summed up in one line a second later.
/// </summary>
internal sealed class DeliveredSessionReporter : IDisposable
{
    private readonly HoneyHiveDelivery delivery;
    private readonly ILogger logger;
    private readonly object gate = new();
    private readonly Dictionary<string, (string? Name, long Events)> sessions = new(StringComparer.Ordinal);
    private readonly SessionLineLimiter limiter = new();
    private readonly Timer summaryTimer;
    private bool summaryDue;

    public DeliveredSessionReporter(HoneyHiveDelivery delivery, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(logger);
        this.delivery = delivery;
        this.logger = logger;
        this.summaryTimer = new Timer(_ => this.WriteSummary(), null, Timeout.Infinite, Timeout.Infinite);
        this.delivery.SessionDelivered += this.OnSessionDelivered;
    }

    public void Dispose()
    {
        this.delivery.SessionDelivered -= this.OnSessionDelivered;
        this.summaryTimer.Dispose();
        this.WriteSummary();
    }

    private void OnSessionDelivered(DeliveredToSession delivered)
    {
        var sessionId = delivered.SessionId;
        (string? Name, long Events) entry;
        lock (this.gate)
        {
            this.sessions.TryGetValue(sessionId, out entry);
            entry = (delivered.SessionName ?? entry.Name, entry.Events + delivered.Events);
            if (!delivered.Drained)
            {
                this.sessions[sessionId] = entry;
                return;
            }

            this.sessions.Remove(sessionId);
            if (!this.limiter.TryTakeLine(Environment.TickCount64, entry.Events))
            {
                if (!this.summaryDue)
                {
                    this.summaryDue = true;
                    this.summaryTimer.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
                }

                return;
            }
        }

        ReceiverLog.SessionDelivered(this.logger, entry.Name ?? "(update)", sessionId, entry.Events);
    }

    private void WriteSummary()
    {
        (long Sessions, long Events) skipped;
        lock (this.gate)
        {
            this.summaryDue = false;
            skipped = this.limiter.TakeSkipped();
        }

        if (skipped.Sessions > 0)
        {
            ReceiverLog.SessionsDeliveredSummary(this.logger, skipped.Sessions, skipped.Events, SessionLineLimiter.MaxLinesPerSecond);
        }
    }
}
