// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Concurrent;
using HoneyHive.OtelBridge.Implementation.Spans;
using HoneyHive.OtelBridge.Receiver.Otlp;

namespace HoneyHive.OtelBridge.Receiver.Tests.Otlp;

/// <summary>A fake downstream: records what it takes, or refuses everything when <see cref="Refuse"/> is set.</summary>
internal sealed class RecordingSpanIngress : ISpanIngress
{
    public ConcurrentQueue<SpanRecord> Spans { get; } = new();

    public int Calls => this.calls;

    public bool Refuse { get; set; }

    /// <summary>Gets or sets a value indicating whether the ingress says it is saturated (front doors refuse unread).</summary>
    public bool Saturated { get; set; }

    bool ISpanIngress.IsSaturated => this.Saturated;

    private int calls;

    /// <summary>Gets or sets a gate every <c>TryAccept</c> waits on (up to 30 s) before it answers, after releasing
    /// <see cref="Entered"/>; <see langword="null"/>: no wait.</summary>
    public ManualResetEventSlim? Gate { get; set; }

    /// <summary>Gets a semaphore released each time a <c>TryAccept</c> reaches <see cref="Gate"/>.</summary>
    public SemaphoreSlim Entered { get; } = new(0);

    /// <summary>Gets the encoded requests handed over with spans (see <see cref="ISpanIngress"/>), in order.</summary>
    public ConcurrentQueue<byte[]> Encoded { get; } = new();

    public bool TryAccept(IReadOnlyList<SpanRecord> spans, ReadOnlySpan<byte> encodedRequest)
    {
        this.Encoded.Enqueue(encodedRequest.ToArray());
        return this.TryAccept(spans);
    }

    public bool TryAccept(IReadOnlyList<SpanRecord> spans)
    {
        Interlocked.Increment(ref this.calls);
        if (this.Gate is { } gate)
        {
            this.Entered.Release();
            gate.Wait(TimeSpan.FromSeconds(30));
        }

        if (this.Refuse)
        {
            return false;
        }

        foreach (var span in spans)
        {
            this.Spans.Enqueue(span);
        }

        return true;
    }
}
