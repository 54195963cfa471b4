// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using HoneyHive.OtelBridge.Benchmarks.Baselines;
using HoneyHive.OtelBridge.Benchmarks.Workloads;
using HoneyHive.OtelBridge.Implementation.Activities;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Benchmarks.Implementation.Activities;

/// <summary>
/// The exporter's front door: 100 finished activities (ten 10-span traces of <see cref="BenchmarkActivities"/>, chat
/// spans with 20 tags or plain HTTP spans with 10) to span records. Baseline: the conversion before it made
/// exact-size arrays (<c>Baselines/ActivityConversionBefore.cs</c>).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ActivityConversionBenchmarks
{
    private BenchmarkActivities activities = null!;
    private Activity[] chat = null!;
    private Activity[] plain = null!;

    [GlobalSetup]
    public void Setup()
    {
        this.activities = new BenchmarkActivities();
        this.chat = this.activities.Traces(10, chat: true);
        this.plain = this.activities.Traces(10, chat: false);
    }

    [GlobalCleanup]
    public void Cleanup() => this.activities.Dispose();

    [BenchmarkCategory("chat")]
    [Benchmark(Baseline = true)]
    public int Chat_Before()
    {
        var attributes = 0;
        foreach (var activity in this.chat)
        {
            attributes += ActivityConversionBefore.ToSpanRecord(activity, SpanRecord.NoAttributes).Attributes.Count;
        }

        return attributes;
    }

    [BenchmarkCategory("chat")]
    [Benchmark]
    public int Chat_ToSpanRecord()
    {
        var attributes = 0;
        foreach (var activity in this.chat)
        {
            attributes += activity.ToSpanRecord(SpanRecord.NoAttributes).Attributes.Count;
        }

        return attributes;
    }

    [BenchmarkCategory("plain")]
    [Benchmark(Baseline = true)]
    public int Plain_Before()
    {
        var attributes = 0;
        foreach (var activity in this.plain)
        {
            attributes += ActivityConversionBefore.ToSpanRecord(activity, SpanRecord.NoAttributes).Attributes.Count;
        }

        return attributes;
    }

    [BenchmarkCategory("plain")]
    [Benchmark]
    public int Plain_ToSpanRecord()
    {
        var attributes = 0;
        foreach (var activity in this.plain)
        {
            attributes += activity.ToSpanRecord(SpanRecord.NoAttributes).Attributes.Count;
        }

        return attributes;
    }
}
