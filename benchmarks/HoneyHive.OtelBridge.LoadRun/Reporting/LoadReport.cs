// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text;
using HoneyHive.OtelBridge.LoadRun.Targets;

namespace HoneyHive.OtelBridge.LoadRun.Reporting;

/// <summary>The Markdown table: the median of every figure over the runs, the bridge against the null receiver, and the
/// floor receiver's saturation figures beside them (what any bridge that keeps the contract can sustain at most).</summary>
internal static class LoadReport
{
    public static string Render(IReadOnlyList<TargetResult> nulls, IReadOnlyList<TargetResult> floors, IReadOnlyList<TargetResult> bridges, LoadRunOptions options)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Median of {options.Runs} run(s); {options.Clients} clients; {options.Seconds} s per phase ({options.Warmup} s warm-up before each saturation phase); bridge --root-wait {options.RootWait} s; {(options.SinkLatencyMs > 0 ? $"the sink answers after {options.SinkLatencyMs} ms; " : string.Empty)}100-span requests ({TraceStreamInfo()}).");
        if (floors.Count > 0)
        {
            text.AppendLine("Floor receiver: the null receiver that also sends the requests the contract needs for the spans it decoded to an accept-all sink (a `POST /v1/sessions` a trace, a `POST /v1/events/batch` per 100 other spans, fixed bodies, " + ContractFloorSender.Concurrency + " in flight through an `HttpClient`), and does nothing else (no mapping, encoding, assembly or durable log): what it sustains bounds what any bridge that keeps the contract can sustain on this machine. Saturation only.");
        }

        text.AppendLine();
        text.AppendLine("| Figure | Null receiver | Floor receiver | Bridge (`serve`) | Bridge / null | Floor / null | Target | Met |");
        text.AppendLine("|---|--:|--:|--:|--:|--:|---|---|");
        var rootWaitMs = options.RootWait * 1000;
        var nullRate = Median(nulls, r => r.SustainedSpansPerSecond);
        var bridgeRate = Median(bridges, r => r.SustainedSpansPerSecond);
        Row("Spans/s sustained (saturation, acknowledged)", nullRate, bridgeRate, "F0", bridgeRate is { } b ? $"≥ 50,000 and ≥ 0.5 × null" : "", bridgeRate is { } rate ? Met(rate >= 50_000 && (nullRate is null || rate >= 0.5 * nullRate)) : "", Median(floors, r => r.SustainedSpansPerSecond));
        Row("Spans/s delivered to the sink (saturation)", null, Median(bridges, r => r.DeliveredSpansPerSecond), "F0", "", "", Median(floors, r => r.DeliveredSpansPerSecond));
        Row("API requests per 100 spans delivered (saturation)", null, Median(bridges, r => r.ApiRequestsPer100Spans), "F1", "", "", Median(floors, r => r.ApiRequestsPer100Spans));
        Row("UNAVAILABLE answers during saturation", Median(nulls, r => r.SaturationUnavailable), Median(bridges, r => r.SaturationUnavailable), "F0", "", "", Median(floors, r => r.SaturationUnavailable));
        Row("CPU seconds per 100,000 spans (receiver process)", Median(nulls, r => r.CpuSecondsPer100kSpans), Median(bridges, r => r.CpuSecondsPer100kSpans), "F2", "", "", Median(floors, r => r.CpuSecondsPer100kSpans));
        Row("CPU seconds per 100,000 spans (load-run process: clients, and the sink for the floor and the bridge)", Median(nulls, r => r.HarnessCpuSecondsPer100kSpans), Median(bridges, r => r.HarnessCpuSecondsPer100kSpans), "F2", "", "", Median(floors, r => r.HarnessCpuSecondsPer100kSpans));
        Row("Machine CPU idle during saturation, %", Median(nulls, r => r.MachineIdlePercent), Median(bridges, r => r.MachineIdlePercent), "F0", "", "", Median(floors, r => r.MachineIdlePercent));
        Row("Thread-pool workers of the receiver process (end of saturation)", Median(nulls, r => r.ThreadPoolWorkers), Median(bridges, r => r.ThreadPoolWorkers), "F0", "", "", Median(floors, r => r.ThreadPoolWorkers));
        var peak = Median(bridges, r => r.PeakRssMiB);
        Row("Peak RSS after saturation, MiB (VmHWM)", Median(nulls, r => r.PeakRssMiB), peak, "F0", "< 400 MiB", peak is { } p ? Met(p < 400) : "", Median(floors, r => r.PeakRssMiB));
        Row("Half rate used, spans/s", Median(nulls, r => r.HalfRateSpansPerSecond), Median(bridges, r => r.HalfRateSpansPerSecond), "F0", "", "");
        Row("CPU seconds per 100,000 spans at the half rate (receiver process)", Median(nulls, r => r.HalfRateCpuSecondsPer100kSpans), Median(bridges, r => r.HalfRateCpuSecondsPer100kSpans), "F2", "", "");
        Row("Export acknowledged, p50 ms (half rate)", Median(nulls, r => r.AckP50Ms), Median(bridges, r => r.AckP50Ms), "F1", "", "");
        Row("Export acknowledged, p99 ms (half rate)", Median(nulls, r => r.AckP99Ms), Median(bridges, r => r.AckP99Ms), "F1", "", "");
        Row("End-to-end, p50 ms (ack → sink, half rate)", null, Median(bridges, r => r.EndToEndP50Ms), "F0", "", "");
        var p99 = Median(bridges, r => r.EndToEndP99Ms);
        Row("End-to-end, p99 ms (ack → sink, half rate)", null, p99, "F0", $"< 1000 + root wait = {1000 + rootWaitMs:F0}", p99 is { } q ? Met(q < 1000 + rootWaitMs) : "");
        Row("Events never seen at the sink (half rate)", null, Median(bridges, r => r.EndToEndMissing), "F0", "0", "");
        Row($"Overload ({options.Overload}×): offered spans/s", null, Median(bridges, r => r.OverloadOfferedSpansPerSecond), "F0", "", "");
        Row($"Overload ({options.Overload}×): acknowledged spans/s", null, Median(bridges, r => r.OverloadAckedSpansPerSecond), "F0", "", "");
        var unavailable = Median(bridges, r => r.OverloadUnavailable);
        Row($"Overload ({options.Overload}×): UNAVAILABLE answers", null, unavailable, "F0", "> 0 (backpressure)", unavailable is { } u ? Met(u > 0) : "");
        Row($"Overload ({options.Overload}×): other errors", null, Median(bridges, r => r.OverloadOtherErrors), "F0", "", "");
        var first = Median(bridges, r => r.OverloadRssFirstHalfMiB);
        var second = Median(bridges, r => r.OverloadRssSecondHalfMiB);
        Row($"Overload ({options.Overload}×): max RSS, first half, MiB", null, first, "F0", "", "");
        Row($"Overload ({options.Overload}×): max RSS, second half, MiB", null, second, "F0", "bounded (≤ 1.25 × first half)", first is { } f && second is { } s ? Met(s <= 1.25 * f) : "");
        Row($"Overload ({options.Overload}×): peak RSS, MiB (VmHWM)", null, Median(bridges, r => r.OverloadPeakRssMiB), "F0", "", "");
        return text.ToString();

        void Row(string name, double? nullValue, double? bridgeValue, string format, string target, string met, double? floorValue = null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Format(nullValue, format)} | {Format(floorValue, format)} | {Format(bridgeValue, format)} | {Ratio(bridgeValue, nullValue)} | {Ratio(floorValue, nullValue)} | {target} | {met} |");
        }
    }

    private static string Ratio(double? value, double? baseline) =>
        baseline is { } n && value is { } v && n != 0 && !double.IsNaN(v) ? (v / n).ToString("F2", CultureInfo.InvariantCulture) : "";

    private static string TraceStreamInfo() =>
        string.Create(CultureInfo.InvariantCulture, $"{Generation.TraceStream.SteadyRequestBytes / 1024.0:F0} KiB protobuf each; 10-span traces, 20 attributes a span, half the traces split over two requests, children first");

    private static string Format(double? value, string format) =>
        value is { } v && !double.IsNaN(v) ? v.ToString(format == "F0" ? "N0" : format, CultureInfo.InvariantCulture) : "–";

    private static string Met(bool met) => met ? "met" : "**not met**";

    private static double? Median(IReadOnlyList<TargetResult> results, Func<TargetResult, double?> figure)
    {
        var values = results.Select(figure).Where(v => v is not null).Select(v => v!.Value).Order().ToArray();
        return values.Length == 0 ? null : values[values.Length / 2];
    }
}
