// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using Grpc.Core;

namespace HoneyHive.OtelBridge.LoadRun.Generation;

/// <summary>What the clients of one phase saw: spans acknowledged, answers by kind, acknowledgement times.</summary>
internal sealed class LoadCounts
{
    private readonly object gate = new();
    private readonly List<double> ackMilliseconds = [];
    private long okSpans;
    private long offeredSpans;
    private long notSentSpans;
    private long unavailable;
    private long otherErrors;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<StatusCode, int> otherCodes = new();

    public TimeSpan Elapsed { get; set; }

    public long OkSpans => Interlocked.Read(ref this.okSpans);

    public long OfferedSpans => Interlocked.Read(ref this.offeredSpans);

    public long NotSentSpans => Interlocked.Read(ref this.notSentSpans);

    public long Unavailable => Interlocked.Read(ref this.unavailable);

    public long OtherErrors => Interlocked.Read(ref this.otherErrors);

    /// <summary>Gets the other errors by status code, as <c>Code×count</c> (empty when none).</summary>
    public string OtherErrorCodes => string.Join(", ", this.otherCodes.OrderBy(p => p.Key).Select(p => $"{p.Key}×{p.Value}"));

    public double OkSpansPerSecond => this.OkSpans / this.Elapsed.TotalSeconds;

    public double OfferedSpansPerSecond => this.OfferedSpans / this.Elapsed.TotalSeconds;

    public IReadOnlyList<double> AckMilliseconds
    {
        get
        {
            lock (this.gate)
            {
                return [.. this.ackMilliseconds];
            }
        }
    }

    public void Ok(int spans, TimeSpan ackTime)
    {
        Interlocked.Add(ref this.okSpans, spans);
        lock (this.gate)
        {
            this.ackMilliseconds.Add(ackTime.TotalMilliseconds);
        }
    }

    public void Offered(int spans) => Interlocked.Add(ref this.offeredSpans, spans);

    public void NotSent(int spans) => Interlocked.Add(ref this.notSentSpans, spans);

    public void Failed(StatusCode status)
    {
        if (status == StatusCode.Unavailable)
        {
            Interlocked.Increment(ref this.unavailable);
        }
        else
        {
            Interlocked.Increment(ref this.otherErrors);
            this.otherCodes.AddOrUpdate(status, 1, static (_, n) => n + 1);
        }
    }
}
