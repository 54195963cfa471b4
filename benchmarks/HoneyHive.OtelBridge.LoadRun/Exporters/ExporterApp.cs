// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using HoneyHive.OtelBridge.LoadRun.Generation;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;

namespace HoneyHive.OtelBridge.LoadRun.Exporters;

/// <summary>
/// The app of the exporters phase (<c>--exporter-app none|otlp|honeyhive|http-floor</c>, run as its own process): an
/// <see cref="ActivitySource"/> and a tracer provider built as a user builds one
/// (<c>Sdk.CreateTracerProviderBuilder().AddSource(…)</c> plus the chosen exporter with its default batch processor), making the
/// load run's 10-span traces (<see cref="ActivityTraces"/>) at a fixed rate on one thread: a warm-up, then the measured
/// window. At the end of the window it prints <see cref="WindowLine"/> with the process's CPU time and the bytes it
/// allocated (all threads: the app's own spans and the exporter's work) over the window, then force-flushes, prints
/// <see cref="DoneLine"/> with every span made, shuts the provider down, prints <see cref="WarningsLine"/> (the SDK's and
/// the exporter's EventSource warnings, counted) and exits.
/// </summary>
internal static class ExporterApp
{
    /// <summary>The line printed at the end of the measured window.</summary>
    public const string WindowLine = "EXPORTER-APP window";

    /// <summary>The line printed after the final flush.</summary>
    public const string DoneLine = "EXPORTER-APP done";

    /// <summary>The line printed after the provider was disposed: the SDK's and the exporters' warnings, counted.</summary>
    public const string WarningsLine = "EXPORTER-APP warnings";

    /// <summary>The exporters this mode knows.</summary>
    public static readonly string[] Exporters = ["none", "otlp", "honeyhive", "http-floor"];

    public static int Run(string exporter, Uri? endpoint, int spansPerSecond, int warmupSeconds, int seconds)
    {
        using var warnings = new WarningListener();
        using var source = new ActivitySource("HoneyHive.OtelBridge.LoadRun.ExporterApp");
        var builder = Sdk.CreateTracerProviderBuilder().AddSource(source.Name);
        switch (exporter)
        {
            case "none":
                break;
            case "otlp":
                builder.AddOtlpExporter(o =>
                {
                    o.Protocol = OtlpExportProtocol.Grpc;
                    o.Endpoint = endpoint ?? throw new ArgumentException("--exporter-app otlp needs --endpoint.");
                });
                break;
            case "honeyhive":
                builder.AddHoneyHiveExporter(o =>
                {
                    o.ApiKey = "hh_loadrun_placeholder_key";
                    o.Endpoint = endpoint ?? throw new ArgumentException("--exporter-app honeyhive needs --endpoint.");

                    // The durable log is off by default; said here so the figures stay the exporter's, not the disk's.
                    o.DataDirectory = null;
                });
                break;
            case "http-floor":
                // The contract's HTTP requests alone (ContractFloorExporter), with the default batch processor.
                builder.AddProcessor(new BatchActivityExportProcessor(new ContractFloorExporter(
                    endpoint ?? throw new ArgumentException("--exporter-app http-floor needs --endpoint."))));
                break;
            default:
                throw new ArgumentException($"--exporter-app must be one of {string.Join(", ", Exporters)}, got '{exporter}'.");
        }

        var provider = builder.Build();
        var traces = new ActivityTraces(source);
        var made = Pace(traces, spansPerSecond, warmupSeconds);

        var droppedStart = DroppedSpans(provider);
        var cpuStart = CpuTime();
        var allocatedStart = GC.GetTotalAllocatedBytes(precise: true);
        var collectionsStart = Collections();
        var start = Stopwatch.GetTimestamp();
        var window = Pace(traces, spansPerSecond, seconds);
        var elapsed = Stopwatch.GetElapsedTime(start);
        var cpu = CpuTime() - cpuStart;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedStart;
        var collections = Collections();
        var droppedEnd = DroppedSpans(provider);
        made += window;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{WindowLine} exporter={exporter} spans={window} seconds={elapsed.TotalSeconds:F3} cpu={cpu.TotalSeconds:F4} allocated={allocated} " +
            $"gen0={collections.Gen0 - collectionsStart.Gen0} gen1={collections.Gen1 - collectionsStart.Gen1} gen2={collections.Gen2 - collectionsStart.Gen2} " +
            $"dropped_warmup={droppedStart?.ToString(CultureInfo.InvariantCulture) ?? "unknown"} dropped_window={(droppedEnd - droppedStart)?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}"));

        var flushed = provider.ForceFlush(60_000);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DoneLine} made={made} flushed={flushed}"));

        // Disposing shuts the provider down; the batch processor reports the spans it dropped then.
        provider.Dispose();
        Console.WriteLine($"{WarningsLine} {warnings.Summary()}");
        return flushed ? 0 : 1;
    }

    /// <summary>Makes <paramref name="seconds"/> × <paramref name="spansPerSecond"/> spans (whole traces), each trace when
    /// it is due; sleeps until the next one is due when ahead. Behind (the rate is not sustainable), it makes them as
    /// fast as it can, and the window's length shows it.</summary>
    private static long Pace(ActivityTraces traces, int spansPerSecond, int seconds)
    {
        var tracesPerSecond = spansPerSecond / (double)LoadTraces.SpansPerTrace;
        var total = (long)Math.Round(tracesPerSecond * seconds);
        var start = Stopwatch.GetTimestamp();
        long done = 0;
        long spans = 0;
        while (done < total)
        {
            var due = Math.Min(total, (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * tracesPerSecond) + 1);
            for (; done < due; done++)
            {
                spans += traces.Make();
            }

            // Sleep until the next trace is due (trace k is due k / tracesPerSecond seconds in), at least 1 ms: waking
            // every millisecond would put a per-second cost in the app's figures that does not depend on the rate.
            var wait = (done / tracesPerSecond * 1000) - Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (done < total && wait > 0)
            {
                Thread.Sleep(Math.Max(1, (int)wait));
            }
        }

        return spans;
    }

    /// <summary>
    /// Gets the spans the SDK's batch processor dropped so far (its queue was full), read through reflection from the
    /// SDK's internals (<c>TracerProviderSdk.Processor</c>, <c>BatchExportProcessor&lt;T&gt;.DroppedCount</c>, OpenTelemetry
    /// 1.20.1), so a drop can be placed in the warm-up or the measured window; <see langword="null"/> when there is no
    /// processor or the SDK's internals differ. Read only at the window's two ends.
    /// </summary>
    private static long? DroppedSpans(TracerProvider provider)
    {
        const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        var processor = provider.GetType().GetProperty("Processor", Instance)?.GetValue(provider);
        for (var type = processor?.GetType(); type is not null; type = type.BaseType)
        {
            if (type.GetProperty("DroppedCount", Instance)?.GetValue(processor) is long dropped)
            {
                return dropped;
            }
        }

        return null;
    }

    private static TimeSpan CpuTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static (int Gen0, int Gen1, int Gen2) Collections() => (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
}
