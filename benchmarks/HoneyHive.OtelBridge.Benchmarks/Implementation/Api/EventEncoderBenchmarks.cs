// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using HoneyHive.OtelBridge.Benchmarks.Baselines;
using HoneyHive.OtelBridge.Benchmarks.Workloads;
using HoneyHive.OtelBridge.Implementation.Activities;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Assembly;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Benchmarks.Implementation.Api;

/// <summary>
/// Encoding the events of the exporter workload's 100 spans (ten 10-span traces, chat or plain; 90 events, the roots
/// are sessions) as delivery takes them: each event's JSON into an array of <see cref="EventEncoder.RentedArrays"/>,
/// and, since mapped events carry no <c>session_id</c>, also its JSON with the batch's (what a cross-session body
/// sends); every array given back. <c>Before</c> (baseline): the source-generated serializer, each event encoded twice
/// (<c>Baselines/EventEncoderBefore.cs</c>); <c>Current</c>: <see cref="EventJsonWriter"/> (the event's own fields
/// by hand, its trees by <c>JsonObject.WriteTo</c>), written once and the second JSON spliced. <c>Once</c>: the first
/// JSON alone, the two writers compared without the second encode.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class EventEncoderBenchmarks
{
    private readonly EventEncoder encoder = new();
    private readonly EventEncoderBefore before = new();
    private (string SessionId, EventRequest Event)[] chatEvents = null!;
    private (string SessionId, EventRequest Event)[] plainEvents = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var activities = new BenchmarkActivities();
        var traces = HoneyHiveExporterBenchmarks.BatchSize / BenchmarkActivities.SpansPerTrace;
        this.chatEvents = Events(activities.Traces(traces, chat: true).Select(a => a.ToSpanRecord(SpanRecord.NoAttributes)).ToArray());
        this.plainEvents = Events(activities.Traces(traces, chat: false).Select(a => a.ToSpanRecord(SpanRecord.NoAttributes)).ToArray());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        this.encoder.Dispose();
        this.before.Dispose();
    }

    [BenchmarkCategory("chat")]
    [Benchmark(Baseline = true)]
    public int Chat_Before() => this.EncodeBefore(this.chatEvents, withSession: true);

    [BenchmarkCategory("chat")]
    [Benchmark]
    public int Chat_Current() => this.EncodeCurrent(this.chatEvents);

    [BenchmarkCategory("chat-once")]
    [Benchmark(Baseline = true)]
    public int Chat_Once_Before() => this.EncodeBefore(this.chatEvents, withSession: false);

    [BenchmarkCategory("chat-once")]
    [Benchmark]
    public int Chat_Once_Current() => this.EncodeOnce(this.chatEvents);

    [BenchmarkCategory("plain")]
    [Benchmark(Baseline = true)]
    public int Plain_Before() => this.EncodeBefore(this.plainEvents, withSession: true);

    [BenchmarkCategory("plain")]
    [Benchmark]
    public int Plain_Current() => this.EncodeCurrent(this.plainEvents);

    [BenchmarkCategory("plain-once")]
    [Benchmark(Baseline = true)]
    public int Plain_Once_Before() => this.EncodeBefore(this.plainEvents, withSession: false);

    [BenchmarkCategory("plain-once")]
    [Benchmark]
    public int Plain_Once_Current() => this.EncodeOnce(this.plainEvents);

    private static (string SessionId, EventRequest Event)[] Events(SpanRecord[] spans)
    {
        var sink = new CollectingSink();
        new TraceAssembler(sink, new TraceAssemblerOptions { RootWait = Timeout.InfiniteTimeSpan }).Add(spans);
        return [.. sink.Batches.SelectMany(b => b.Request.Events.Select(e => (b.SessionId, e)))];
    }

    private int EncodeBefore((string SessionId, EventRequest Event)[] events, bool withSession)
    {
        var bytes = 0;
        foreach (var (sessionId, request) in events)
        {
            var json = this.before.EncodeRented(request, sessionId: null, out var length);
            bytes += length;
            EventEncoder.RentedArrays.Return(json);
            if (withSession && !string.Equals(request.SessionId, sessionId, StringComparison.Ordinal))
            {
                json = this.before.EncodeRented(request, sessionId, out length);
                bytes += length;
                EventEncoder.RentedArrays.Return(json);
            }
        }

        return bytes;
    }

    private int EncodeCurrent((string SessionId, EventRequest Event)[] events)
    {
        var bytes = 0;
        foreach (var (sessionId, request) in events)
        {
            var json = this.encoder.Encode(request, sessionId, rent: true, out var length, out var withSession, out var withSessionLength);
            bytes += length + withSessionLength;
            EventEncoder.RentedArrays.Return(json);
            if (withSession is not null)
            {
                EventEncoder.RentedArrays.Return(withSession);
            }
        }

        return bytes;
    }

    private int EncodeOnce((string SessionId, EventRequest Event)[] events)
    {
        var bytes = 0;
        foreach (var (_, request) in events)
        {
            var json = this.encoder.EncodeRented(request, out var length);
            bytes += length;
            EventEncoder.RentedArrays.Return(json);
        }

        return bytes;
    }

    private sealed class CollectingSink : IApiCallSink
    {
        public List<SessionEventBatchCall> Batches { get; } = [];

        public void Submit(IReadOnlyList<ApiCall> calls) => this.Batches.AddRange(calls.OfType<SessionEventBatchCall>());
    }
}
