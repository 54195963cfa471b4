// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using BenchmarkDotNet.Attributes;
using HoneyHive.OtelBridge.Benchmarks.Baselines;
using HoneyHive.OtelBridge.Benchmarks.Workloads;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Assembly;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Benchmarks.Implementation.Assembly;

/// <summary>
/// Two threads at once, as two export handlers of <c>serve</c>, each adding 10 agent traces of 10 spans (children
/// first, root last) to one new <see cref="TraceAssembler"/>, whose sink encodes every event as delivery does (no
/// I/O). Baseline: the events encoded when the calls are submitted, one thread at a time
/// (<c>Baselines/EncodeOnSubmitSink.cs</c>, what delivery's <c>TrySubmit</c> did); now: encoded by the sink's
/// <c>Prepare</c> on the thread that mapped the trace (<see cref="EncodingSink"/>). Same work and bytes; what changes
/// is how much of it the two threads can do at the same time.
/// </summary>
[MemoryDiagnoser]
public class TraceAssemblerConcurrencyBenchmarks
{
    private const int TracesPerThread = 10;

    private readonly TraceAssemblerOptions options = new() { RootWait = Timeout.InfiniteTimeSpan };
    private SpanRecord[][] traces = null!;

    [GlobalSetup]
    public void Setup() =>
        this.traces = [.. Enumerable.Range(1, 2 * TracesPerThread).Select(i => BenchmarkSpans.Trace(BenchmarkSpans.TraceId(i)))];

    [Benchmark(Baseline = true)]
    public int EncodeOnSubmit_Before()
    {
        var sink = new EncodeOnSubmitSink();
        this.AddFromTwoThreads(sink);
        return sink.Calls;
    }

    [Benchmark]
    public int EncodeOnPrepare()
    {
        var sink = new EncodingSink();
        this.AddFromTwoThreads(sink);
        return sink.Calls;
    }

    private void AddFromTwoThreads(IApiCallSink sink)
    {
        // A new assembler each time: one that has seen the traces treats them as re-delivery.
        var assembler = new TraceAssembler(sink, this.options);
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, thread =>
        {
            for (var i = thread; i < this.traces.Length; i += 2)
            {
                assembler.Add(this.traces[i]);
            }
        });
        assembler.FlushAll();
    }
}
