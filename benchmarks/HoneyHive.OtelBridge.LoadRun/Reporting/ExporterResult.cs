// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.LoadRun.Reporting;

/// <summary>One run of the exporters phase's app with one exporter: what it printed, and what reached the endpoint.</summary>
internal sealed class ExporterResult
{
    private const double MiB = 1024 * 1024;

    public required string Exporter { get; init; }

    /// <summary>Gets the spans made in the measured window.</summary>
    public long WindowSpans { get; init; }

    public double WindowSeconds { get; init; }

    /// <summary>Gets the app process's CPU time (user + system, all threads) over the window.</summary>
    public double CpuSeconds { get; init; }

    /// <summary>Gets the bytes the app process allocated over the window (<c>GC.GetTotalAllocatedBytes(true)</c>).</summary>
    public long AllocatedBytes { get; init; }

    /// <summary>Gets the garbage collections over the window, of any generation (<c>GC.CollectionCount(0)</c>).</summary>
    public long Gen0 { get; init; }

    public long Gen1 { get; init; }

    public long Gen2 { get; init; }

    /// <summary>Gets the spans the SDK's batch processor dropped (queue full) before the window (<see langword="null"/>:
    /// unknown, or no exporter).</summary>
    public long? DroppedInWarmup { get; init; }

    /// <summary>Gets the spans the SDK's batch processor dropped in the window (<see langword="null"/>: unknown, or no
    /// exporter). Spans dropped there were not exported, so the window's figures then understate the exporter's cost.</summary>
    public long? DroppedInWindow { get; init; }

    /// <summary>Gets a value indicating whether the window's figures count all the exporter's work: nothing dropped in
    /// the window (where that is unknown: nothing dropped in the whole run).</summary>
    public bool Complete => this.DroppedInWindow is { } dropped ? dropped == 0 : this.SpansExported is not { } exported || exported == this.SpansMade;

    /// <summary>Gets the spans made in the whole run (warm-up and window).</summary>
    public long SpansMade { get; init; }

    /// <summary>Gets the spans the endpoint received from this run (<see langword="null"/> for no exporter).</summary>
    public long? SpansExported { get; init; }

    /// <summary>Gets or sets the HTTP requests the endpoint received per 100 spans that reached it, over the whole run
    /// (<see langword="null"/> where the endpoint does not count its requests: no exporter, OTLP).</summary>
    public double? EndpointRequestsPer100Spans { get; set; }

    /// <summary>Gets the SDK's and the exporter's EventSource warnings, as <c>source/event=count</c> fields (empty: none).</summary>
    public string Warnings { get; init; } = string.Empty;

    public double SpansPerSecond => this.WindowSpans / this.WindowSeconds;

    public double CpuSecondsPer100kSpans => this.CpuSeconds / this.WindowSpans * 100_000;

    public double AllocatedMiBPer100kSpans => this.AllocatedBytes / MiB / this.WindowSpans * 100_000;

    public double CollectionsPer100kSpans => this.Gen0 / (double)this.WindowSpans * 100_000;

    public double Gen2Per100kSpans => this.Gen2 / (double)this.WindowSpans * 100_000;
}
