// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Assembly;
using HoneyHive.OtelBridge.Implementation.Delivery;

namespace HoneyHive.OtelBridge.Implementation.Pipeline;

/// <summary>Settings of the shared pipeline (trace assembly, then delivery).</summary>
internal sealed class BridgePipelineOptions
{
    /// <summary>Gets the trace assembly settings (root wait, held-span cap, mapping).</summary>
    public TraceAssemblerOptions Assembly { get; init; } = new();

    /// <summary>Gets the delivery settings (queue, concurrency, batching, retries).</summary>
    public HoneyHiveDeliveryOptions Delivery { get; init; } = new();

    /// <summary>Gets how often traces whose root wait ran out are emitted. Default: 1 second.</summary>
    public TimeSpan ExpiryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets how long an assembled trace waits for room in a full delivery queue before it is counted as lost.
    /// Default: 30 seconds. The front doors refuse new spans (<see cref="BridgePipeline.IsSaturated"/>) well
    /// before this matters.
    /// </summary>
    public TimeSpan SubmitWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets the share of the delivery queue above which <see cref="BridgePipeline.IsSaturated"/> is true.
    /// Default: 0.8.
    /// </summary>
    public double SaturationThreshold { get; init; } = 0.8;
}
