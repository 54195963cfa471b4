// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Runtime;
using System.Text;

namespace HoneyHive.OtelBridge.LoadRun.Reporting;

/// <summary>The exporters phase's tables: the app's cost per 100,000 spans with each exporter (median over the runs),
/// and each exporter's share (its figure minus the app's own, without an exporter).</summary>
internal static class ExporterReport
{
    public static string Render(IReadOnlyList<ExporterResult> results, LoadRunOptions options)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Exporters: median of {options.Runs} run(s); the app makes {options.Rate:N0} spans/s (10-span traces, 20 attributes a span, 2 KB prompt and completion on the 4 chat spans) on one thread, {options.Warmup} s warm-up, {options.Seconds} s measured; {(GCSettings.IsServerGC ? "server" : "workstation")} GC.");
        text.AppendLine("Each exporter with its default batch processor. OTLP: `AddOtlpExporter`, gRPC, to the null receiver (own process). HoneyHive: `AddHoneyHiveExporter` to the accept-all sink (the load-run process), durable log off (`DataDirectory` null, the default), root wait 30 s (the default). HTTP floor: not an exporter but a bound on one, the HTTP requests the contract needs and nothing else (a `POST /v1/sessions` a trace, a `POST /v1/events/batch` per 100 other spans; fixed bodies, one request at a time, through an `HttpClient` set up as the HoneyHive exporter's), to the same sink.");
        text.AppendLine();
        text.AppendLine("| Figure (app process, measured window) | No exporter | OTLP/gRPC | HoneyHive | HTTP floor |");
        text.AppendLine("|---|--:|--:|--:|--:|");
        Row("Spans/s made", r => r.SpansPerSecond, "N0");
        Row("CPU seconds per 100,000 spans", r => r.CpuSecondsPer100kSpans, "F3");
        Row("MiB allocated per 100,000 spans", r => r.AllocatedMiBPer100kSpans, "F1");
        Row("Garbage collections per 100,000 spans (all generations)", r => r.CollectionsPer100kSpans, "F1");
        Row("Gen 2 collections per 100,000 spans", r => r.Gen2Per100kSpans, "F2");
        text.Append("| Spans that reached the endpoint / spans made (whole runs: warm-up, window, final flush) |");
        foreach (var exporter in Exporters.ExporterApp.Exporters)
        {
            var of = results.Where(r => r.Exporter == exporter).ToArray();
            var exported = of.Sum(r => r.SpansExported ?? 0);
            var made = of.Sum(r => r.SpansMade);
            text.Append(exporter == "none"
                ? string.Create(CultureInfo.InvariantCulture, $" – of {made:N0} |")
                : string.Create(CultureInfo.InvariantCulture, $" {exported:N0} of {made:N0}{(exported == made ? string.Empty : " **(not all)**")} |"));
        }

        text.AppendLine();
        text.Append("| Spans the SDK's batch processor dropped (queue full), warm-up / measured window, all runs |");
        foreach (var exporter in Exporters.ExporterApp.Exporters)
        {
            var of = results.Where(r => r.Exporter == exporter).ToArray();
            text.Append(exporter == "none" || of.Any(r => r.DroppedInWindow is null)
                ? " – |"
                : string.Create(CultureInfo.InvariantCulture, $" {of.Sum(r => r.DroppedInWarmup ?? 0):N0} / {of.Sum(r => r.DroppedInWindow ?? 0):N0} |"));
        }

        text.AppendLine();
        text.Append("| Requests the endpoint received per 100 spans that reached it (whole runs) |");
        foreach (var exporter in Exporters.ExporterApp.Exporters)
        {
            var counted = results.Where(r => r.EndpointRequestsPer100Spans is not null).ToArray();
            text.Append(CultureInfo.InvariantCulture, $" {Format(Median(counted, exporter, r => r.EndpointRequestsPer100Spans!.Value), "F1")} |");
        }

        text.AppendLine();
        text.Append("| SDK and exporter warnings (EventSource, all runs) |");
        foreach (var exporter in Exporters.ExporterApp.Exporters)
        {
            var warnings = string.Join("; ", results.Where(r => r.Exporter == exporter && r.Warnings.Length > 0).Select(r => r.Warnings));
            text.Append(CultureInfo.InvariantCulture, $" {(warnings.Length == 0 ? "none" : warnings)} |");
        }

        text.AppendLine();
        text.AppendLine();
        var dropped = results.Any(r => !r.Complete);
        text.AppendLine("| The exporter's share, per 100,000 spans | OTLP/gRPC − none | HoneyHive − none | HoneyHive / OTLP | Target | Met | HTTP floor − none | HTTP floor / OTLP |");
        text.AppendLine("|---|--:|--:|--:|---|---|--:|--:|");
        Share("CPU seconds", r => r.CpuSecondsPer100kSpans, "F3");
        Share("MiB allocated", r => r.AllocatedMiBPer100kSpans, "F1");
        text.AppendLine();
        text.AppendLine("The HTTP floor's share is what the contract's requests alone cost through `HttpClient`: where it is above OTLP's share, no exporter that keeps the contract over `HttpClient` can meet that target, however little its mapping costs.");
        return text.ToString();

        void Row(string name, Func<ExporterResult, double> figure, string format)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {name} |");
            foreach (var exporter in Exporters.ExporterApp.Exporters)
            {
                text.Append(CultureInfo.InvariantCulture, $" {Format(Median(results, exporter, figure), format)} |");
            }

            text.AppendLine();
        }

        void Share(string name, Func<ExporterResult, double> figure, string format)
        {
            var none = Median(results, "none", figure);
            var otlp = Median(results, "otlp", figure) - none;
            var honeyhive = Median(results, "honeyhive", figure) - none;
            var floor = Median(results, "http-floor", figure) - none;
            var ratio = otlp is > 0 ? honeyhive / otlp : null;
            var floorRatio = otlp is > 0 ? floor / otlp : null;
            var met = ratio is not { } r ? string.Empty
                : dropped ? "– (spans were dropped in a measured window: the exporter did less than all the work)"
                : r <= 1 ? "met" : "**not met**";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Format(otlp, format)} | {Format(honeyhive, format)} | {Format(ratio, "F2")} | ≤ 1.00 (issue 7) | {met} | {Format(floor, format)} | {Format(floorRatio, "F2")} |");
        }
    }

    private static string Format(double? value, string format) =>
        value is { } v && !double.IsNaN(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    private static double? Median(IReadOnlyList<ExporterResult> results, string exporter, Func<ExporterResult, double> figure)
    {
        var values = results.Where(r => r.Exporter == exporter).Select(figure).Order().ToArray();
        return values.Length == 0 ? null : values[values.Length / 2];
    }
}
