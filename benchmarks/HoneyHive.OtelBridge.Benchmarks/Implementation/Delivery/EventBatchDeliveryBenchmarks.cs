// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using HoneyHive.OtelBridge.Benchmarks.Baselines;
using HoneyHive.OtelBridge.Benchmarks.Workloads;
using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Benchmarks.Implementation.Delivery;

/// <summary>
/// What delivery does with a 100-event session batch (the chat workload of <see cref="BenchmarkRequests"/>): take it
/// (<c>QueuedCall.Create</c>: size every event for <c>MaxBatchBytes</c>) and write the request body
/// (<see cref="PooledJsonContent"/>, what <c>HoneyHiveApiClient</c> sends), once, and with one retry (the body
/// written twice). Baseline: the code before the events were encoded once (<c>Baselines/EventBatchSizingBefore.cs</c>:
/// sized by serializing, then the body serialized from the trees for every send); now: encoded once into the bytes
/// that are queued, and every body written from them.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class EventBatchDeliveryBenchmarks
{
    private SessionEventBatchCall call = null!;

    [GlobalSetup]
    public void Setup()
    {
        var batch = BenchmarkRequests.EventBatch(BenchmarkRequests.Spans());
        this.call = new SessionEventBatchCall(batch.Events[0].SessionId!, batch);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("take")]
    public long Take_Before() => Sum(EventBatchSizingBefore.Sizes(this.call));

    [Benchmark]
    [BenchmarkCategory("take")]
    public long Take() => EncodedEvents.Encode(this.call).Events.Length;

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("once")]
    public long TakeAndWriteBody_Before() => Sum(EventBatchSizingBefore.Sizes(this.call)) + WriteBody(this.call);

    [Benchmark]
    [BenchmarkCategory("once")]
    public long TakeAndWriteBody()
    {
        var (queued, encoded, _) = EncodedEvents.Encode(this.call);
        return encoded.Length + WriteBody(queued);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("retried")]
    public long TakeAndWriteBodyTwice_Before() => Sum(EventBatchSizingBefore.Sizes(this.call)) + WriteBody(this.call) + WriteBody(this.call);

    [Benchmark]
    [BenchmarkCategory("retried")]
    public long TakeAndWriteBodyTwice()
    {
        var (queued, encoded, _) = EncodedEvents.Encode(this.call);
        return encoded.Length + WriteBody(queued) + WriteBody(queued);
    }

    private static long Sum(int[] sizes)
    {
        long sum = 0;
        foreach (var size in sizes)
        {
            sum += size;
        }

        return sum;
    }

    private static long WriteBody(ApiCall call)
    {
        using var content = new PooledJsonContent(call);
        return content.Length;
    }
}
