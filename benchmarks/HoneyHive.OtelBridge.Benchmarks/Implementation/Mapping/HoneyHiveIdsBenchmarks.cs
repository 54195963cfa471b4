// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using HoneyHive.OtelBridge.Benchmarks.Baselines;
using HoneyHive.OtelBridge.Benchmarks.Workloads;
using HoneyHive.OtelBridge.Implementation.Mapping;

namespace HoneyHive.OtelBridge.Benchmarks.Implementation.Mapping;

/// <summary>
/// Deriving one event id (SHA-256 of namespace + trace id + span id, as a UUID): twice per event
/// (its id and its parent's). The implementation before the allocation-free derivation is the baseline; the one with
/// the platform's SHA-256 (before the one-block managed hash) runs beside it.
/// </summary>
[MemoryDiagnoser]
public class HoneyHiveIdsBenchmarks
{
    private readonly ActivityTraceId trace = BenchmarkSpans.TraceId(1);
    private readonly ActivitySpanId span = BenchmarkSpans.SpanId(3);

    [Benchmark(Baseline = true)]
    public string EventIdForSpan_Before() => HoneyHiveIdsBefore.EventIdForSpan(this.trace, this.span);

    [Benchmark]
    public string EventIdForSpan_PlatformSha256() => HoneyHiveIdsPlatformSha256.EventIdForSpan(this.trace, this.span);

    [Benchmark]
    public string EventIdForSpan() => HoneyHiveIds.EventIdForSpan(this.trace, this.span);
}
