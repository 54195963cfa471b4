// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.LoadRun.Reporting;

/// <summary>The figures of one target in one run (<see langword="null"/> = not measured for this target).</summary>
internal sealed class TargetResult
{
    public required string Target { get; init; }

    public double SustainedSpansPerSecond { get; set; }

    public double? DeliveredSpansPerSecond { get; set; }

    /// <summary>Gets or sets how many HTTP requests the sink answered per 100 spans it received (saturation).</summary>
    public double? ApiRequestsPer100Spans { get; set; }

    public long SaturationUnavailable { get; set; }

    public double CpuSecondsPer100kSpans { get; set; }

    /// <summary>Gets or sets the CPU the load-run process itself (the clients, and the sink for the bridge) spent per
    /// 100,000 spans during saturation: on this shared machine, CPU the target could not have.</summary>
    public double HarnessCpuSecondsPer100kSpans { get; set; }

    /// <summary>Gets or sets how much of the machine's CPU time was idle during saturation (from <c>/proc/stat</c>).</summary>
    public double MachineIdlePercent { get; set; }

    public double PeakRssMiB { get; set; }

    /// <summary>Gets or sets the target's thread-pool workers at the end of the saturation window (the pool lets an
    /// idle worker go only after seconds without work, so this is about the most it had).</summary>
    public int ThreadPoolWorkers { get; set; }

    public double HalfRateSpansPerSecond { get; set; }

    /// <summary>Gets or sets the target's CPU seconds per 100,000 spans acknowledged during the half-rate phase (the
    /// machine not saturated, so less noisy than at saturation; with <c>--half-rate</c>, the same load for two builds).</summary>
    public double HalfRateCpuSecondsPer100kSpans { get; set; }

    public double AckP50Ms { get; set; }

    public double AckP99Ms { get; set; }

    public double? EndToEndP50Ms { get; set; }

    public double? EndToEndP99Ms { get; set; }

    public long? EndToEndMissing { get; set; }

    public double? OverloadOfferedSpansPerSecond { get; set; }

    public double? OverloadAckedSpansPerSecond { get; set; }

    public long? OverloadUnavailable { get; set; }

    public long? OverloadOtherErrors { get; set; }

    public double? OverloadRssFirstHalfMiB { get; set; }

    public double? OverloadRssSecondHalfMiB { get; set; }

    public double? OverloadPeakRssMiB { get; set; }

    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
