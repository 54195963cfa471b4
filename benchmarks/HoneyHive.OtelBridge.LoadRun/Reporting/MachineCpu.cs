// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;

namespace HoneyHive.OtelBridge.LoadRun.Reporting;

/// <summary>The machine's CPU time counters (the first line of <c>/proc/stat</c>, in clock ticks), all cores together.</summary>
/// <param name="Total">Every state's ticks.</param>
/// <param name="Idle">The idle and I/O-wait ticks.</param>
internal readonly record struct MachineCpu(long Total, long Idle)
{
    public static MachineCpu Read()
    {
        using var stat = new StreamReader("/proc/stat");
        var line = stat.ReadLine() ?? string.Empty;

        // "cpu  user nice system idle iowait irq softirq steal guest guest_nice": guest time is already in user.
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long total = 0;
        for (var i = 1; i < Math.Min(fields.Length, 9); i++)
        {
            total += long.Parse(fields[i], CultureInfo.InvariantCulture);
        }

        var idle = long.Parse(fields[4], CultureInfo.InvariantCulture) + long.Parse(fields[5], CultureInfo.InvariantCulture);
        return new MachineCpu(total, idle);
    }

    /// <summary>The share of CPU time that was idle between <paramref name="earlier"/> and this reading, in percent.</summary>
    public double IdlePercentSince(MachineCpu earlier) =>
        this.Total == earlier.Total ? double.NaN : 100.0 * (this.Idle - earlier.Idle) / (this.Total - earlier.Total);
}
