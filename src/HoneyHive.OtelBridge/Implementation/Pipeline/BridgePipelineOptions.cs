// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Assembly;
using HoneyHive.OtelBridge.Implementation.Delivery;
using HoneyHive.OtelBridge.Implementation.Durability;

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

    /// <summary>
    /// Gets the directory of the durable log, or <see langword="null"/> (the default) for none. With a log,
    /// <see cref="BridgePipeline.TryAccept"/> writes the spans to it before it answers <see langword="true"/>,
    /// records are removed once everything made from them is delivered (or given up, which is logged and
    /// counted), and a new pipeline on the same directory replays what is left: spans survive a crash, a kill, a
    /// restart, and an API outage longer than the retries.
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>
    /// Gets the most bytes the durable log may take (default 1 GiB, see
    /// <see cref="DurableLogOptions.DefaultMaxBytes"/>). When it is full, <see cref="BridgePipeline.TryAccept"/>
    /// answers <see langword="false"/> (backpressure, never a drop).
    /// </summary>
    public long MaxLogBytes { get; init; } = DurableLogOptions.DefaultMaxBytes;

    /// <summary>Gets the size at which the durable log starts a new segment file (default 16 MiB).</summary>
    public long LogSegmentBytes { get; init; } = DurableLogOptions.DefaultSegmentBytes;

    /// <summary>
    /// Gets a value indicating whether every append to the durable log is forced to the disk (<c>fsync</c>), so
    /// accepted spans survive power loss as well as a crash of the process. Default <see langword="false"/>:
    /// each append is flushed to the operating system, which survives the process dying.
    /// </summary>
    public bool LogFsync { get; init; }
}
