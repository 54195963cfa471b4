// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using HoneyHive.OtelBridge.Benchmarks.Baselines;
using HoneyHive.OtelBridge.Benchmarks.Workloads;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Benchmarks.Implementation.Mapping;

/// <summary>
/// <see cref="SpanMapper.Map"/> of one span (the GenAI chat span, 20 attributes with 2 KB of messages
/// each way; the HTTP server span, 10 attributes): the mapper as it was before the third issue-7 pass (its
/// attribute lookups not yet through a known-key table, its message attributes not yet read in one pass;
/// <c>Baselines/SpanMapperBefore.cs</c>) is the baseline, in the same run.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SpanMapperBenchmarks
{
    private readonly MappingOptions options = MappingOptions.Default;
    private SpanRecord chat = null!;
    private SpanRecord http = null!;

    [GlobalSetup]
    public void Setup()
    {
        var trace = BenchmarkSpans.TraceId(1);
        this.chat = BenchmarkSpans.ChatSpan(trace, 3, 2);
        this.http = BenchmarkSpans.HttpServerSpan(trace, 10, 2);
    }

    [BenchmarkCategory("chat")]
    [Benchmark(Baseline = true)]
    public object ChatSpan_Before() => SpanMapperBefore.Map(this.chat, this.options);

    [BenchmarkCategory("chat")]
    [Benchmark]
    public object ChatSpan_Map() => SpanMapper.Map(this.chat, this.options);

    [BenchmarkCategory("http")]
    [Benchmark(Baseline = true)]
    public object HttpSpan_Before() => SpanMapperBefore.Map(this.http, this.options);

    [BenchmarkCategory("http")]
    [Benchmark]
    public object HttpSpan_Map() => SpanMapper.Map(this.http, this.options);
}
