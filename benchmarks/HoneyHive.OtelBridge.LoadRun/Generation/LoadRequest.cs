// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;

namespace HoneyHive.OtelBridge.LoadRun.Generation;

/// <summary>One export request: its protobuf body, its span count and which traces (whole or which half) it carries.</summary>
internal sealed record LoadRequest(byte[] Body, int Spans, ActivityTraceId[] Complete, ActivityTraceId[] First, ActivityTraceId[] Second)
{
    /// <summary>Gets or sets when the receiver acknowledged it (<see cref="Stopwatch"/> ticks; 0 = not acknowledged).</summary>
    public long AckedAt { get; set; }

    /// <summary>Lists the (trace, span id) pairs of the non-root spans it carries (the spans that become events).</summary>
    public IEnumerable<(ActivityTraceId Trace, int SpanId)> EventSpans()
    {
        var order = LoadTraces.SendOrder;
        foreach (var trace in this.Complete)
        {
            for (var i = 0; i < order.Length - 1; i++)
            {
                yield return (trace, order[i]);
            }
        }

        foreach (var trace in this.First)
        {
            for (var i = 0; i < LoadTraces.FirstPartSpans; i++)
            {
                yield return (trace, order[i]);
            }
        }

        foreach (var trace in this.Second)
        {
            for (var i = LoadTraces.FirstPartSpans; i < order.Length - 1; i++)
            {
                yield return (trace, order[i]);
            }
        }
    }
}
