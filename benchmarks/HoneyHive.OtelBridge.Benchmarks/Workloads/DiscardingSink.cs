// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Benchmarks.Workloads;

/// <summary>A sink that only counts the calls it is given (no I/O in a micro-benchmark), and releases the events'
/// pooled documents as a sink that wrote them would (the mapping's own bytes, as in the product).</summary>
internal sealed class DiscardingSink : IApiCallSink
{
    public int Calls { get; private set; }

    public void Submit(IReadOnlyList<ApiCall> calls)
    {
        this.Calls += calls.Count;
        foreach (var call in calls)
        {
            call.ReleaseDocuments();
        }
    }
}
