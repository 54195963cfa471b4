// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using BenchmarkDotNet.Attributes;
using HoneyHive.OtelBridge.Benchmarks.Workloads;
using HoneyHive.OtelBridge.Implementation.Assembly;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Benchmarks.Implementation.Assembly;

/// <summary>
/// Assembling one 10-span trace (children first, root last) into calls with a
/// <see cref="TraceAssembler"/> whose sink discards them. The baseline maps the same trace from a
/// ready-made plan (<see cref="TraceMapper.ToCalls"/> alone), so the ratio is what holding,
/// ordering and planning add on top of mapping.
/// </summary>
[MemoryDiagnoser]
public class TraceAssemblerBenchmarks
{
    private readonly TraceAssemblerOptions options = new() { RootWait = Timeout.InfiniteTimeSpan };
    private SpanRecord[] trace = null!;
    private TracePlan plan = null!;

    [GlobalSetup]
    public void Setup()
    {
        this.trace = BenchmarkSpans.Trace(BenchmarkSpans.TraceId(1));
        var root = this.trace.Single(s => s.IsRoot);
        var sessionId = HoneyHiveIds.SessionIdForTrace(root.TraceId);
        this.plan = new TracePlan { TraceId = root.TraceId, SessionId = sessionId, SessionKind = SessionPlanKind.Root, SessionSpan = root };
        foreach (var span in this.trace.Where(s => !s.IsRoot).OrderBy(s => s.StartTimeUnixNano))
        {
            var parent = span.ParentSpanId == root.SpanId ? sessionId : HoneyHiveIds.EventIdForSpan(span.TraceId, span.ParentSpanId);
            this.plan.Events.Add(new PlannedEvent(span, parent, AsRootEvent: false));
        }
    }

    [Benchmark(Baseline = true)]
    public object MapPlanOnly() => TraceMapper.ToCalls(this.plan, this.options.Mapping);

    [Benchmark]
    public int AssembleTrace()
    {
        // A new assembler each time: one that has seen the trace treats it as re-delivery.
        var sink = new DiscardingSink();
        var assembler = new TraceAssembler(sink, this.options);
        assembler.Add(this.trace);
        return sink.Calls;
    }
}
