// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.LoadRun.Exporters;
using HoneyHive.OtelBridge.LoadRun.Generation;
using HoneyHive.OtelBridge.LoadRun.Reporting;
using HoneyHive.OtelBridge.LoadRun.Sink;
using HoneyHive.OtelBridge.LoadRun.Targets;

namespace HoneyHive.OtelBridge.LoadRun;

/// <summary>
/// One run of one target, phase by phase, each bounded in time: saturation (closed loop; throughput, CPU per span,
/// peak RSS), half the sustained rate (open loop; acknowledgement and end-to-end latency), and for the bridge an
/// offered load <see cref="LoadRunOptions.Overload"/> times the sustained rate (RSS over time, UNAVAILABLE answers).
/// </summary>
internal sealed partial class LoadRunner
{
    private const double MiB = 1024 * 1024;
    private readonly LoadRunOptions options;

    public LoadRunner(LoadRunOptions options)
    {
        this.options = options;
    }

    private TimeSpan Phase => TimeSpan.FromSeconds(this.options.Seconds);

    public async Task<TargetResult> RunNullAsync()
    {
        using var target = await StartNullReceiverAsync().ConfigureAwait(false);
        var result = new TargetResult { Target = "null" };
        await this.SaturateAsync(target, result, sink: null).ConfigureAwait(false);
        await this.HalfRateAsync(target, result, sink: null).ConfigureAwait(false);
        return result;
    }

    /// <summary>The floor receiver (<see cref="ContractFloorSender"/>): saturation only, its requests to a sink of its own.</summary>
    public async Task<TargetResult> RunFloorAsync()
    {
        var sink = await AcceptAllSink.StartAsync(TimeSpan.FromMilliseconds(this.options.SinkLatencyMs)).ConfigureAwait(false);
        await using var sinkScope = sink.ConfigureAwait(false);
        using var target = await StartNullReceiverAsync(sink.Address).ConfigureAwait(false);
        var result = new TargetResult { Target = "floor" };
        await this.SaturateAsync(target, result, sink).ConfigureAwait(false);
        return result;
    }

    public async Task<TargetResult> RunBridgeAsync(string receiverDll)
    {
        var sink = await AcceptAllSink.StartAsync(TimeSpan.FromMilliseconds(this.options.SinkLatencyMs)).ConfigureAwait(false);
        await using var sinkScope = sink.ConfigureAwait(false);
        var dataDir = Directory.CreateTempSubdirectory("honeyhive-loadrun-");
        try
        {
            using var target = await TargetProcess.StartAsync(
                receiverDll,
                [
                    "serve", "--grpc-port", "0", "--http-port", "0", "--listen", "127.0.0.1",
                    "--root-wait", this.options.RootWait.ToString(CultureInfo.InvariantCulture),
                    "--data-dir", dataDir.FullName,
                    .. this.options.ServeArguments,
                ],

                // The sink's URL goes in HH_DATA_PLANE_URL/HH_API_URL: `serve --api-url` cannot parse a URL with System.CommandLine 2.0.0
                // (Option<Uri?> has no converter; reported to the lead).
                new Dictionary<string, string> { ["HH_API_KEY"] = "hh_loadrun_placeholder_key", ["HH_API_URL"] = sink.Address.ToString(), ["HH_DATA_PLANE_URL"] = sink.Address.ToString() },
                BridgeListeningRegex(),
                TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            var result = new TargetResult { Target = "bridge" };
            await this.SaturateAsync(target, result, sink).ConfigureAwait(false);
            await DrainAsync(sink, this.options.RootWait).ConfigureAwait(false);
            await this.HalfRateAsync(target, result, sink).ConfigureAwait(false);
            await DrainAsync(sink, this.options.RootWait).ConfigureAwait(false);
            await this.OverloadAsync(target, result).ConfigureAwait(false);
            return result;
        }
        finally
        {
            dataDir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The exporters phase: the app (<c>--exporter-app</c>, its own process) once with no exporter, once with
    /// <c>AddOtlpExporter</c> (gRPC) to the null receiver (its own process) and once with <c>AddHoneyHiveExporter</c> to
    /// the accept-all sink (in this process), each at <see cref="LoadRunOptions.Rate"/> for the warm-up and the window.
    /// </summary>
    public async Task<List<ExporterResult>> RunExportersAsync()
    {
        var dll = typeof(LoadRunner).Assembly.Location;
        using var nullReceiver = await StartNullReceiverAsync().ConfigureAwait(false);
        var sink = await AcceptAllSink.StartAsync(TimeSpan.FromMilliseconds(this.options.SinkLatencyMs)).ConfigureAwait(false);
        await using var sinkScope = sink.ConfigureAwait(false);
        using var http = new HttpClient();
        async Task<long> NullSpans()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(nullReceiver.Address, NullReceiver.SpansPath))
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            using var response = await http.SendAsync(request).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            return long.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        // A trace is one session (its root) and nine events at the sink.
        Task<long> SinkSpans() => Task.FromResult(sink.Events + sink.Sessions);

        var results = new List<ExporterResult>();
        foreach (var (exporter, endpoint, spans) in (IEnumerable<(string, Uri?, Func<Task<long>>?)>)[("none", null, null), ("otlp", nullReceiver.Address, NullSpans), ("honeyhive", sink.Address, SinkSpans), ("http-floor", sink.Address, SinkSpans)])
        {
            var sinkRequests = sink.Requests;
            var result = await ExporterAppProcess.RunAsync(dll, exporter, endpoint, this.options, spans).ConfigureAwait(false);
            if (endpoint == sink.Address && result.SpansExported is > 0 and var reached)
            {
                result.EndpointRequestsPer100Spans = (sink.Requests - sinkRequests) * 100.0 / reached;
            }

            results.Add(result);
            Log($"exporters: {exporter}: {result.SpansPerSecond:N0} spans/s made over {result.WindowSeconds:F1} s ({this.options.Rate:N0} offered), " +
                $"app CPU {result.CpuSecondsPer100kSpans:F3} s/100k spans, {result.AllocatedMiBPer100kSpans:F1} MiB allocated/100k spans, " +
                $"{result.CollectionsPer100kSpans:F1} GCs/100k spans ({result.Gen2Per100kSpans:F1} gen2); " +
                (result.SpansExported is { } exported ? $"{exported:N0} of {result.SpansMade:N0} spans made reached the endpoint" + (exported == result.SpansMade ? string.Empty : " (NOT ALL)") +
                    (result.DroppedInWindow is { } window ? $", dropped by the SDK's queue: {result.DroppedInWarmup:N0} in the warm-up, {window:N0} in the window" : string.Empty) : $"{result.SpansMade:N0} spans made, none exported") +
                (result.EndpointRequestsPer100Spans is { } requests ? $", {requests:F1} API requests per 100 spans" : string.Empty) +
                (result.Warnings.Length == 0 ? "; no SDK or exporter warnings" : $"; warnings: {result.Warnings}"));
        }

        return results;
    }

    /// <summary>Starts the null receiver (the floor receiver with a sink): this binary in <c>--null-receiver</c> mode, its
    /// own process.</summary>
    private static Task<TargetProcess> StartNullReceiverAsync(Uri? floorSink = null) => TargetProcess.StartAsync(
        typeof(LoadRunner).Assembly.Location,
        floorSink is null ? ["--null-receiver"] : ["--null-receiver", "--endpoint", floorSink.ToString()],
        new Dictionary<string, string>(),
        NullListeningRegex(),
        TimeSpan.FromSeconds(30));

    /// <summary>Waits until the sink has seen nothing new for a second (at most root wait + 15 s).</summary>
    private static async Task DrainAsync(AcceptAllSink sink, double rootWait)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)((rootWait + 15) * Stopwatch.Frequency);
        var last = -1L;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var now = sink.Events + sink.Sessions;
            if (now == last)
            {
                return;
            }

            last = now;
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(1, rootWait))).ConfigureAwait(false);
        }
    }

    private async Task SaturateAsync(TargetProcess target, TargetResult result, AcceptAllSink? sink)
    {
        using var generator = new LoadGenerator(target.Address, this.options.Clients);
        TimeSpan cpuStart = default, cpuEnd = default, harnessStart = default, harnessEnd = default;
        MachineCpu machineStart = default, machineEnd = default;
        long deliveredStart = 0, deliveredEnd = 0, requestsStart = 0, requestsEnd = 0;
        var workers = 0;
        var counts = await generator.SaturateAsync(
            TimeSpan.FromSeconds(this.options.Warmup),
            this.Phase,
            () =>
            {
                cpuStart = target.CpuTime();
                harnessStart = Process.GetCurrentProcess().TotalProcessorTime;
                machineStart = MachineCpu.Read();
                deliveredStart = sink is null ? 0 : sink.Events + sink.Sessions;
                requestsStart = sink?.Requests ?? 0;
            },
            () =>
            {
                cpuEnd = target.CpuTime();
                harnessEnd = Process.GetCurrentProcess().TotalProcessorTime;
                machineEnd = MachineCpu.Read();
                deliveredEnd = sink is null ? 0 : sink.Events + sink.Sessions;
                requestsEnd = sink?.Requests ?? 0;
                workers = target.ThreadPoolWorkers();
            }).ConfigureAwait(false);
        result.SustainedSpansPerSecond = counts.OkSpansPerSecond;
        result.SaturationUnavailable = counts.Unavailable;
        result.CpuSecondsPer100kSpans = counts.OkSpans == 0 ? double.NaN : (cpuEnd - cpuStart).TotalSeconds / counts.OkSpans * 100_000;
        result.HarnessCpuSecondsPer100kSpans = counts.OkSpans == 0 ? double.NaN : (harnessEnd - harnessStart).TotalSeconds / counts.OkSpans * 100_000;
        result.MachineIdlePercent = machineEnd.IdlePercentSince(machineStart);
        result.DeliveredSpansPerSecond = sink is null ? null : (deliveredEnd - deliveredStart) / counts.Elapsed.TotalSeconds;
        result.ApiRequestsPer100Spans = sink is null || deliveredEnd == deliveredStart ? null : (requestsEnd - requestsStart) * 100.0 / (deliveredEnd - deliveredStart);
        result.PeakRssMiB = target.PeakRss() / MiB;
        result.ThreadPoolWorkers = workers;
        Log($"{result.Target}: saturation {counts.OkSpansPerSecond:N0} spans/s acknowledged ({counts.Unavailable} UNAVAILABLE, {counts.OtherErrors} other errors), " +
            $"CPU {result.CpuSecondsPer100kSpans:F2} s/100k spans (load-run process: {result.HarnessCpuSecondsPer100kSpans:F2}; machine idle {result.MachineIdlePercent:F0} %), peak RSS {result.PeakRssMiB:F0} MiB, {workers} thread-pool workers" +
            (sink is null ? string.Empty : $", sink {result.DeliveredSpansPerSecond:N0} spans/s in {result.ApiRequestsPer100Spans:F1} API requests per 100 spans"));
    }

    private async Task HalfRateAsync(TargetProcess target, TargetResult result, AcceptAllSink? sink)
    {
        using var generator = new LoadGenerator(target.Address, this.options.Clients);
        var rate = this.options.HalfRate ?? Math.Max(100, result.SustainedSpansPerSecond / 2);
        var acknowledged = new ConcurrentQueue<LoadRequest>();
        if (sink is not null)
        {
            sink.EventAcceptedAt.Clear();
            sink.Recording = true;
        }

        var cpuStart = target.CpuTime();
        var counts = await generator.OfferAsync(rate, this.Phase, maxInFlightPerClient: 8, acknowledged).ConfigureAwait(false);
        var cpuEnd = target.CpuTime();
        result.HalfRateSpansPerSecond = counts.OkSpansPerSecond;
        result.HalfRateCpuSecondsPer100kSpans = counts.OkSpans == 0 ? double.NaN : (cpuEnd - cpuStart).TotalSeconds / counts.OkSpans * 100_000;
        var acks = counts.AckMilliseconds;
        result.AckP50Ms = TargetResult.Percentile(acks, 50);
        result.AckP99Ms = TargetResult.Percentile(acks, 99);
        var line = $"{result.Target}: half rate {rate:N0} spans/s offered, {counts.OkSpansPerSecond:N0} acknowledged ({counts.Unavailable} UNAVAILABLE, {counts.NotSentSpans} spans not sent: client in-flight limit), CPU {result.HalfRateCpuSecondsPer100kSpans:F2} s/100k spans; ack p50 {result.AckP50Ms:F1} ms, p99 {result.AckP99Ms:F1} ms";
        if (sink is not null)
        {
            await DrainAsync(sink, this.options.RootWait).ConfigureAwait(false);
            sink.Recording = false;
            var latencies = new List<double>();
            long missing = 0;
            foreach (var request in acknowledged)
            {
                foreach (var (trace, span) in request.EventSpans())
                {
                    if (sink.EventAcceptedAt.TryGetValue(HoneyHiveIds.EventIdForSpan(trace, LoadTraces.ActivitySpanIdOf(span)), out var acceptedAt))
                    {
                        latencies.Add(Stopwatch.GetElapsedTime(request.AckedAt, acceptedAt).TotalMilliseconds);
                    }
                    else
                    {
                        missing++;
                    }
                }
            }

            result.EndToEndP50Ms = TargetResult.Percentile(latencies, 50);
            result.EndToEndP99Ms = TargetResult.Percentile(latencies, 99);
            result.EndToEndMissing = missing;
            line += $"; end-to-end p50 {result.EndToEndP50Ms:F0} ms, p99 {result.EndToEndP99Ms:F0} ms over {latencies.Count:N0} events ({missing} not seen)";
        }

        Log(line);
    }

    private async Task OverloadAsync(TargetProcess target, TargetResult result)
    {
        using var generator = new LoadGenerator(target.Address, this.options.Clients);
        var rate = result.SustainedSpansPerSecond * this.options.Overload;
        var samples = new List<(TimeSpan At, long Rss)>();
        using var stop = new CancellationTokenSource();
        var begin = Stopwatch.GetTimestamp();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                samples.Add((Stopwatch.GetElapsedTime(begin), target.Rss()));
                try
                {
                    await Task.Delay(200, stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
        var counts = await generator.OfferAsync(rate, this.Phase, maxInFlightPerClient: 64, acknowledged: null).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
        var half = this.Phase / 2;
        result.OverloadOfferedSpansPerSecond = (counts.OfferedSpans + counts.NotSentSpans) / counts.Elapsed.TotalSeconds;
        result.OverloadAckedSpansPerSecond = counts.OkSpansPerSecond;
        result.OverloadUnavailable = counts.Unavailable;
        result.OverloadOtherErrors = counts.OtherErrors;
        result.OverloadRssFirstHalfMiB = samples.Where(s => s.At < half).Select(s => s.Rss).DefaultIfEmpty().Max() / MiB;
        result.OverloadRssSecondHalfMiB = samples.Where(s => s.At >= half).Select(s => s.Rss).DefaultIfEmpty().Max() / MiB;
        result.OverloadPeakRssMiB = target.PeakRss() / MiB;
        Log($"{result.Target}: overload {result.OverloadOfferedSpansPerSecond:N0} spans/s offered ({counts.OfferedSpansPerSecond:N0} sent, the rest held back by the client in-flight limit), " +
            $"{counts.OkSpansPerSecond:N0} acknowledged, {counts.Unavailable} UNAVAILABLE, {counts.OtherErrors} other errors ({counts.OtherErrorCodes}); " +
            $"max RSS {result.OverloadRssFirstHalfMiB:F0} MiB (first half) / {result.OverloadRssSecondHalfMiB:F0} MiB (second half)");
    }

    private static void Log(string line) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");

    [GeneratedRegex(@"NULL-RECEIVER listening on (\S+)")]
    private static partial Regex NullListeningRegex();

    [GeneratedRegex(@"OTLP/gRPC listening on (http://[^\s;]+)")]
    private static partial Regex BridgeListeningRegex();
}
