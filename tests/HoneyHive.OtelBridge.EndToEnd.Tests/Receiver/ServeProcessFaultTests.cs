// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using HoneyHive.OtelBridge.EndToEnd.Tests.Shared;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Implementation.Otlp;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Implementation.Spans;
using HoneyHive.OtelBridge.LocalApi;
using Xunit.Abstractions;

namespace HoneyHive.OtelBridge.EndToEnd.Tests.Receiver;

/// <summary>
/// Process-level faults: <c>honeyhive-bridge serve</c> runs as its own process (the built Receiver dll via
/// <c>dotnet</c>), in front of a local API on 127.0.0.1:0 with fault injection, and OTLP/gRPC clients (the generated
/// client) send to it over loopback sockets. Every test counts from the local API's store that every span whose export
/// was acknowledged arrived exactly once, and that no line the receiver wrote holds the API key.
/// </summary>
[Collection("NonParallel")]
public sealed class ServeProcessFaultTests : IDisposable
{
    private const string Key = "hh_ingst_SERVEPROCESSSECRET00000000_0123456789";
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(180);

    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "hh-serve-faults-" + Guid.NewGuid().ToString("N"));
    private readonly List<string> receiverLines = [];
    private readonly ITestOutputHelper output;

    public ServeProcessFaultTests(ITestOutputHelper output)
    {
        this.output = output;
    }

    public void Dispose()
    {
        if (Directory.Exists(this.dataDirectory))
        {
            Directory.Delete(this.dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Serve_KilledMidLoadAndRestartedOnTheSameDataDirectory_EveryAcknowledgedSpanDeliveredExactlyOnce()
    {
        // Arrange: 400 traces of 5 spans, one trace per export, 4 concurrent clients; the API answers slowly, so
        // delivery lags behind the acknowledgements when the receiver is killed.
        const int Traces = 400;
        const int Children = 4;
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = Key, EnableFaultInjection = true });
        api.Faults.Enqueue(new InjectedFault { Delay = TimeSpan.FromMilliseconds(250), Count = 1_000_000 });
        var traces = Enumerable.Range(0, Traces).Select(_ => LocalApiClient.Trace(Children)).ToList();
        var acknowledged = new ConcurrentDictionary<int, bool>();
        int killedAfter;
        (long Sessions, long Events) beforeRestart;

        // Act 1: load, and SIGKILL once half the exports are acknowledged.
        using (var first = await ServeProcess.StartAsync(Key, api.BaseAddress, this.dataDirectory))
        {
            using var channel = GrpcChannel.ForAddress(first.GrpcAddress);
            var client = new TraceService.TraceServiceClient(channel);
            var next = -1;
            var senders = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                for (var i = Interlocked.Increment(ref next); i < Traces; i = Interlocked.Increment(ref next))
                {
                    try
                    {
                        await client.ExportAsync(traces[i].ToExportTraceServiceRequest(), deadline: DateTime.UtcNow.AddSeconds(30));
                        acknowledged[i] = true;
                    }
                    catch (RpcException)
                    {
                        // Refused, or the receiver died under the call: not acknowledged.
                    }
                }
            })).ToList();
            var started = Stopwatch.GetTimestamp();
            while (acknowledged.Count < Traces / 2 || (await LocalApiClient.StatsAsync(api)).Sessions == 0)
            {
                Assert.True(Stopwatch.GetElapsedTime(started) < Long, "the load did not get going");
                await Task.Delay(20);
            }

            // Some traces are delivered (their records may be removed), many acknowledged ones are not yet.
            await first.KillAsync();
            killedAfter = acknowledged.Count;
            await Task.WhenAll(senders).WaitAsync(Long);
            this.receiverLines.AddRange(first.Lines);
        }

        beforeRestart = await LocalApiClient.StatsAsync(api);
        api.Faults.Clear();

        // Act 2: restart on the same data directory; the log is replayed.
        int exitCode;
        string replayed;
        using (var second = await ServeProcess.StartAsync(Key, api.BaseAddress, this.dataDirectory))
        {
            replayed = (await second.WaitForLineAsync(new Regex(@"Replayed \d+ record\(s\), \d+ span\(s\)"), Long)).Value;
            await this.WaitForTracesAsync(api, acknowledged.Keys.Select(i => traces[i]), Children);
            var afterRestart = await LocalApiClient.StatsAsync(api);

            // The clients retry what was never acknowledged (as an OTLP exporter does); re-delivery is idempotent.
            using var channel = GrpcChannel.ForAddress(second.GrpcAddress);
            var client = new TraceService.TraceServiceClient(channel);
            var resent = 0;
            for (var i = 0; i < Traces; i++)
            {
                if (!acknowledged.ContainsKey(i))
                {
                    await SendUntilAcceptedAsync(client, traces[i]);
                    resent++;
                }
            }

            await this.WaitForTracesAsync(api, traces, Children);
            exitCode = await second.StopAsync();
            this.receiverLines.AddRange(second.Lines);
            this.output.WriteLine(
                $"{Traces} traces x {Children + 1} spans: SIGKILL after {killedAfter} acknowledged exports ({acknowledged.Count} in all before the process was gone, "
                + $"{acknowledged.Count * (Children + 1)} spans); stored before the restart: {beforeRestart.Sessions} sessions, {beforeRestart.Events} events; "
                + $"after the restart (before any resend): {afterRestart.Sessions} sessions, {afterRestart.Events} events; {replayed}; {resent} unacknowledged exports resent.");
        }

        // Assert
        Assert.Equal(0, exitCode);
        Assert.InRange(beforeRestart.Sessions, 1, acknowledged.Count - 1);
        Assert.Equal(((long)Traces, (long)Traces * Children), await LocalApiClient.StatsAsync(api));
        this.AssertNoKeyInReceiverOutput();
    }

    [Fact]
    public async Task Serve_LogTailTruncatedMidRecordBeforeARestart_StartsDeliversTheIntactRecordsAndReportsTheDamage()
    {
        // Arrange: the API answers 503, so every acknowledged trace stays in the log; then the receiver is killed and
        // the last record of the log is cut short, as a write torn by a crash leaves it.
        const int Traces = 20;
        const int Children = 4;
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = Key, EnableFaultInjection = true });
        api.Faults.Enqueue(new InjectedFault { StatusCode = 503, Count = 1_000_000 });
        var traces = Enumerable.Range(0, Traces).Select(_ => LocalApiClient.Trace(Children)).ToList();
        using (var first = await ServeProcess.StartAsync(Key, api.BaseAddress, this.dataDirectory))
        {
            using var channel = GrpcChannel.ForAddress(first.GrpcAddress);
            var client = new TraceService.TraceServiceClient(channel);
            foreach (var trace in traces)
            {
                await client.ExportAsync(trace.ToExportTraceServiceRequest());
            }

            await first.KillAsync();
            this.receiverLines.AddRange(first.Lines);
        }

        var segment = Directory.GetFiles(Path.Combine(this.dataDirectory, "log"), "*.hhlog").Order(StringComparer.Ordinal).Last();
        var length = new FileInfo(segment).Length;
        using (var file = new FileStream(segment, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(length - 10);
        }

        api.Faults.Clear();

        // Act
        Match damage;
        Match replayed;
        string metrics;
        int exitCode;
        using (var second = await ServeProcess.StartAsync(Key, api.BaseAddress, this.dataDirectory))
        {
            damage = await second.WaitForLineAsync(new Regex(@"Durable log damaged: (\d+) segment\(s\) with a torn or corrupt tail, (\d+) byte\(s\) skipped"), Long);
            replayed = await second.WaitForLineAsync(new Regex(@"Replayed (\d+) record\(s\), (\d+) span\(s\)"), Long);
            await this.WaitForTracesAsync(api, traces.Take(Traces - 1), Children);
            using var http = new HttpClient { BaseAddress = second.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };
            metrics = await http.GetStringAsync("/metrics");
            exitCode = await second.StopAsync();
            this.receiverLines.AddRange(second.Lines);
        }

        // Assert
        Assert.Equal(0, exitCode);
        Assert.Equal("1", damage.Groups[1].Value);
        var skipped = long.Parse(damage.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.InRange(skipped, 1, length);
        Assert.Contains($"honeyhive_bridge_log_skipped_bytes_total {skipped}\n", metrics, StringComparison.Ordinal);
        Assert.Equal((Traces - 1).ToString(CultureInfo.InvariantCulture), replayed.Groups[1].Value);
        Assert.Equal(((Traces - 1) * (Children + 1)).ToString(CultureInfo.InvariantCulture), replayed.Groups[2].Value);
        Assert.Equal(((long)Traces - 1, (long)(Traces - 1) * Children), await LocalApiClient.StatsAsync(api));
        this.AssertNoKeyInReceiverOutput();
        this.output.WriteLine(
            $"{Traces} traces acknowledged with the API at 503, SIGKILL, segment cut from {length} to {length - 10} bytes: "
            + $"damage reported ({damage.Value}), {replayed.Value}; stored {Traces - 1} sessions, {(Traces - 1) * Children} events (the torn record's trace absent).");
    }

    [Fact]
    public async Task Serve_LogFullWhileTheApiAnswers503_ClientsGetBackpressureThenEverythingAcceptedIsDelivered()
    {
        // Arrange: a 64 KiB log, the API down.
        const int Children = 4;
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = Key, EnableFaultInjection = true });
        api.Faults.Enqueue(new InjectedFault { StatusCode = 503, Count = 1_000_000 });
        var accepted = new List<List<SpanRecord>>();
        Status refusedGrpc;
        HttpStatusCode refusedHttp;
        string? retryAfter;
        int exitCode;
        var refusals = 0;
        using (var serve = await ServeProcess.StartAsync(Key, api.BaseAddress, this.dataDirectory, "--max-log-bytes", "65536"))
        {
            using var channel = GrpcChannel.ForAddress(serve.GrpcAddress);
            var client = new TraceService.TraceServiceClient(channel);
            using var http = new HttpClient { BaseAddress = serve.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };

            // Act 1: send until the receiver refuses (the log is full).
            (var refused, var refusedTrace) = await SendUntilRefusedAsync(client, () => LocalApiClient.Trace(Children), accepted, 2_000, "the 64 KiB log never filled");
            refusedGrpc = refused.Status;

            var body = new ByteArrayContent(refusedTrace.ToExportTraceServiceRequest().ToByteArray());
            body.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
            using (var response = await http.PostAsync("/v1/traces", body))
            {
                refusedHttp = response.StatusCode;
                retryAfter = response.Headers.RetryAfter?.ToString();
            }

            // Act 2: the API recovers; the client retries the refused export, then sends a few more.
            api.Faults.Clear();
            refusals += await SendUntilAcceptedAsync(client, refusedTrace);
            accepted.Add(refusedTrace);
            for (var i = 0; i < 20; i++)
            {
                var trace = LocalApiClient.Trace(Children);
                refusals += await SendUntilAcceptedAsync(client, trace);
                accepted.Add(trace);
            }

            await this.WaitForTracesAsync(api, accepted, Children);
            exitCode = await serve.StopAsync();
            this.receiverLines.AddRange(serve.Lines);
        }

        // Assert
        Assert.Equal(StatusCode.Unavailable, refusedGrpc.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refusedHttp);
        Assert.NotNull(retryAfter);
        Assert.Contains(this.receiverLines, l => l.Contains("refused with a retryable status", StringComparison.Ordinal));
        Assert.Equal(0, exitCode);
        Assert.Equal(((long)accepted.Count, (long)accepted.Count * Children), await LocalApiClient.StatsAsync(api));
        this.AssertNoKeyInReceiverOutput();
        this.output.WriteLine(
            $"64 KiB log, API at 503: {accepted.Count - 21} traces ({(accepted.Count - 21) * (Children + 1)} spans) acknowledged before the first refusal "
            + $"(gRPC {refusedGrpc.StatusCode}, HTTP {(int)refusedHttp} Retry-After {retryAfter}); after recovery {refusals} more refusals, "
            + $"then 21 more traces accepted; stored {accepted.Count} sessions and {accepted.Count * Children} events, exactly the accepted ones.");
    }

    [Fact]
    public async Task Serve_20000SpansWith503ForTwentySecondsInTheMiddle_EveryAcknowledgedSpanArrivesExactlyOnce()
    {
        // Arrange: 2,000 traces of 10 spans, in exports of 5 traces; the API answers 503 for 20 s after a quarter.
        const int Traces = 2_000;
        const int Children = 9;
        var outage = TimeSpan.FromSeconds(20);
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = Key, EnableFaultInjection = true });
        var traces = Enumerable.Range(0, Traces).Select(_ => LocalApiClient.Trace(Children)).ToList();
        var exports = traces.Chunk(5).Select(chunk => chunk.SelectMany(t => t).ToList()).ToList();
        Task? outageTask = null;
        var refusals = 0;
        int exitCode;
        var started = Stopwatch.GetTimestamp();
        using (var serve = await ServeProcess.StartAsync(Key, api.BaseAddress, this.dataDirectory))
        {
            using var channel = GrpcChannel.ForAddress(serve.GrpcAddress);
            var client = new TraceService.TraceServiceClient(channel);

            // Act
            for (var i = 0; i < exports.Count; i++)
            {
                if (i == exports.Count / 4)
                {
                    api.Faults.Enqueue(new InjectedFault { StatusCode = 503, Count = 1_000_000 });
                    outageTask = Task.Run(async () =>
                    {
                        await Task.Delay(outage);
                        api.Faults.Clear();
                    });
                }

                refusals += await SendUntilAcceptedAsync(client, exports[i]);
            }

            await outageTask!;
            await WaitForStatsAsync(api, (Traces, (long)Traces * Children));
            exitCode = await serve.StopAsync();
            this.receiverLines.AddRange(serve.Lines);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);

        // Assert
        Assert.Equal(0, exitCode);
        Assert.Equal(((long)Traces, (long)Traces * Children), await LocalApiClient.StatsAsync(api));
        foreach (var trace in traces.Take(5).Concat(traces.Skip(Traces / 2).Take(5)).Concat(traces.TakeLast(5)))
        {
            var stored = await LocalApiClient.GetSessionAsync(api, Key, HoneyHiveIds.SessionIdForTrace(trace[0].TraceId));
            var ids = stored["events"]!.AsArray().Select(e => (string)e!["event_id"]!).ToList();
            Assert.Equal(trace.Where(s => !s.IsRoot).Select(s => HoneyHiveIds.EventIdForSpan(s.TraceId, s.SpanId)).Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        }

        this.AssertNoKeyInReceiverOutput();
        this.output.WriteLine(
            $"20,000 spans through serve ({Traces} traces x {Children + 1}, {exports.Count} exports), 503 for {outage.TotalSeconds} s after a quarter: "
            + $"{elapsed.TotalSeconds:0.0} s in all, {refusals} refusals (backpressure); stored {Traces} sessions and {Traces * Children} events.");
    }

    [Fact]
    public async Task Serve_MetricsAfterASmallLoad_PrometheusTextWithSpansAcceptedEqualToWhatWasSent()
    {
        // Arrange
        const int Traces = 10;
        const int Children = 4;
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = Key });
        var traces = Enumerable.Range(0, Traces).Select(_ => LocalApiClient.Trace(Children)).ToList();
        string text;
        string contentType;
        using (var serve = await ServeProcess.StartAsync(Key, api.BaseAddress, this.dataDirectory))
        {
            using var channel = GrpcChannel.ForAddress(serve.GrpcAddress);
            var client = new TraceService.TraceServiceClient(channel);
            foreach (var trace in traces)
            {
                await client.ExportAsync(trace.ToExportTraceServiceRequest());
            }

            await this.WaitForTracesAsync(api, traces, Children);
            using var http = new HttpClient { BaseAddress = serve.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };

            // Act
            using var response = await http.GetAsync("/metrics");
            text = await response.Content.ReadAsStringAsync();
            contentType = response.Content.Headers.ContentType!.ToString();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(0, await serve.StopAsync());
            this.receiverLines.AddRange(serve.Lines);
        }

        // Assert: the text parses as the exposition format, every sample under a TYPE declared before it.
        Assert.StartsWith("text/plain; version=0.0.4", contentType, StringComparison.Ordinal);
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var help = Regex.Match(line, @"^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*$");
            var type = Regex.Match(line, @"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$");
            var sample = Regex.Match(line, @"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*=""(?:[^""\\]|\\.)*""(?:,[a-zA-Z_][a-zA-Z0-9_]*=""(?:[^""\\]|\\.)*"")*\})? (\S+)$");
            if (type.Success)
            {
                types[type.Groups[1].Value] = type.Groups[2].Value;
            }
            else if (sample.Success)
            {
                var family = types.Keys.SingleOrDefault(name => sample.Groups[1].Value == name
                    || (types[name] == "histogram" && sample.Groups[1].Value is var n && (n == name + "_bucket" || n == name + "_sum" || n == name + "_count")));
                Assert.True(family is not null, "sample without a TYPE: " + line);
                samples[sample.Groups[1].Value + sample.Groups[2].Value] = double.Parse(sample.Groups[3].Value.Replace("+Inf", "Infinity", StringComparison.Ordinal), CultureInfo.InvariantCulture);
            }
            else
            {
                Assert.True(help.Success, "not exposition format: " + line);
            }
        }

        Assert.All(types.Keys, name => Assert.StartsWith("honeyhive_bridge_", name, StringComparison.Ordinal));
        Assert.All(types.Where(t => t.Value == "counter"), t => Assert.EndsWith("_total", t.Key, StringComparison.Ordinal));
        Assert.Equal(Traces * (Children + 1), samples["honeyhive_bridge_spans_accepted_total{front_door=\"otlp_grpc\"}"]);
        Assert.Equal(Traces * (Children + 1), samples["honeyhive_bridge_spans_received_total{front_door=\"otlp_grpc\"}"]);
        Assert.Equal(Traces, samples["honeyhive_bridge_sessions_delivered_total"]);
        Assert.Equal(Traces * Children, samples["honeyhive_bridge_events_delivered_total"]);
        Assert.Equal("histogram", types["honeyhive_bridge_delivery_latency_milliseconds"]);
        Assert.True(samples["honeyhive_bridge_delivery_latency_milliseconds_count"] >= 2, "the latency of the delivered calls is measured");
        Assert.Equal(samples["honeyhive_bridge_delivery_latency_milliseconds_count"], samples["honeyhive_bridge_delivery_latency_milliseconds_bucket{le=\"+Inf\"}"]);
        Assert.Equal("gauge", types["honeyhive_bridge_log_size_bytes"]);
        Assert.Equal("gauge", types["honeyhive_bridge_delivery_queue_depth"]);
        Assert.Equal("gauge", types["honeyhive_bridge_delivery_queue_size_bytes"]);
        Assert.True(samples.ContainsKey("honeyhive_bridge_log_size_bytes"));
        Assert.DoesNotContain(Key, text, StringComparison.Ordinal);
        this.AssertNoKeyInReceiverOutput();
        this.output.WriteLine(text);
    }

    [Fact]
    public async Task Serve_MaxConcurrentExportsInProgress_MoreAreRefusedUnreadWithRetryInfoThenTakenOnceItIsAnswered()
    {
        // Arrange: one export at a time; an OTLP/HTTP client holds it by sending half of its body.
        const int Children = 4;
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = Key });
        var heldTrace = LocalApiClient.Trace(Children);
        var nextTrace = LocalApiClient.Trace(Children);
        var rest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        RpcException grpcRefused;
        HttpStatusCode httpRefused;
        string? retryAfter;
        string metrics;
        HttpStatusCode heldAnswer;
        int exitCode;
        using (var serve = await ServeProcess.StartAsync(Key, api.BaseAddress, this.dataDirectory, "--max-concurrent-exports", "1"))
        {
            using var channel = GrpcChannel.ForAddress(serve.GrpcAddress);
            var client = new TraceService.TraceServiceClient(channel);
            using var http = new HttpClient { BaseAddress = serve.HttpAddress, Timeout = TimeSpan.FromSeconds(60) };
            using var heldBody = new HalfThenRestContent(heldTrace.ToExportTraceServiceRequest().ToByteArray(), rest.Task);
            var held = http.PostAsync("/v1/traces", heldBody);
            await WaitForMetricAsync(http, "honeyhive_bridge_exports_in_progress 1");

            // Act
            grpcRefused = await Assert.ThrowsAsync<RpcException>(async () => await client.ExportAsync(nextTrace.ToExportTraceServiceRequest()));
            using (var body = new ByteArrayContent(nextTrace.ToExportTraceServiceRequest().ToByteArray()))
            {
                body.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                using var response = await http.PostAsync("/v1/traces", body);
                httpRefused = response.StatusCode;
                retryAfter = response.Headers.RetryAfter?.ToString();
            }

            metrics = await http.GetStringAsync("/metrics");
            rest.SetResult();
            using (var response = await held)
            {
                heldAnswer = response.StatusCode;
            }

            await client.ExportAsync(nextTrace.ToExportTraceServiceRequest());
            await this.WaitForTracesAsync(api, [heldTrace, nextTrace], Children);
            exitCode = await serve.StopAsync();
            this.receiverLines.AddRange(serve.Lines);
        }

        // Assert: refused unread at both front doors while one was in progress, with a retry delay; then both taken.
        Assert.Equal(StatusCode.Unavailable, grpcRefused.StatusCode);
        Assert.NotNull(grpcRefused.GetRpcStatus()?.Details.SingleOrDefault(d => d.Is(Google.Rpc.RetryInfo.Descriptor)));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, httpRefused);
        Assert.NotNull(retryAfter);
        Assert.Equal(HttpStatusCode.OK, heldAnswer);
        Assert.Contains("honeyhive_bridge_requests_refused_total{front_door=\"otlp_grpc\",reason=\"max_concurrent_exports\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("honeyhive_bridge_requests_refused_total{front_door=\"otlp_http\",reason=\"max_concurrent_exports\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains(this.receiverLines, l => l.Contains("1 export request(s) already in progress", StringComparison.Ordinal));
        Assert.Equal(0, exitCode);
        Assert.Equal((2L, 2L * Children), await LocalApiClient.StatsAsync(api));
        this.AssertNoKeyInReceiverOutput();
    }

    [Fact]
    public async Task Serve_MaxQueuedMibOfEventsWaitingForASlowApi_ClientsGetBackpressureThenEverythingAcceptedIsDelivered()
    {
        // Arrange: at most 1 MiB of encoded events queued or in flight, refused from 80 % (838,861 bytes); each trace's
        // five tool spans carry 100 KB of input (about 502 KB of events a trace: two are 96 %); the API holds every
        // answer 2 s. By calls (4,096 by default) the queue would take hundreds of such traces.
        const int Children = 5;
        var payload = new string('p', 100_000);
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = Key, EnableFaultInjection = true });
        api.Faults.Enqueue(new InjectedFault { Delay = TimeSpan.FromSeconds(2), Count = 1_000_000 });
        var accepted = new List<List<SpanRecord>>();
        RpcException refused;
        string metrics;
        int exitCode;
        var refusals = 0;
        using (var serve = await ServeProcess.StartAsync(Key, api.BaseAddress, this.dataDirectory, "--max-queued-mib", "1"))
        {
            using var channel = GrpcChannel.ForAddress(serve.GrpcAddress);
            var client = new TraceService.TraceServiceClient(channel);
            using var http = new HttpClient { BaseAddress = serve.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };

            // Act 1: send until the receiver refuses.
            (refused, var refusedTrace) = await SendUntilRefusedAsync(client, () => LocalApiClient.Trace(Children, payload), accepted, 100, "100 traces of 500 KB taken: the byte bound was not applied");

            metrics = await http.GetStringAsync("/metrics");

            // Act 2: the API answers at once again; the client retries the refused export.
            api.Faults.Clear();
            refusals += await SendUntilAcceptedAsync(client, refusedTrace);
            accepted.Add(refusedTrace);
            await this.WaitForTracesAsync(api, accepted, Children);
            await WaitForMetricAsync(http, "honeyhive_bridge_delivery_queue_size_bytes 0");
            exitCode = await serve.StopAsync();
            this.receiverLines.AddRange(serve.Lines);
        }

        // Assert: refused as saturated once 80 % of the MiB was held, after two traces; then all delivered.
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Equal(2, accepted.Count - 1);
        Assert.Contains("honeyhive_bridge_requests_refused_total{front_door=\"otlp_grpc\",reason=\"saturated\"} 1\n", metrics, StringComparison.Ordinal);
        var held = double.Parse(Regex.Match(metrics, @"\nhoneyhive_bridge_delivery_queue_size_bytes (\S+)\n").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(held, 0.8 * 1024 * 1024, 1024 * 1024);
        Assert.Equal(0, exitCode);
        Assert.Equal(((long)accepted.Count, (long)accepted.Count * Children), await LocalApiClient.StatsAsync(api));
        this.AssertNoKeyInReceiverOutput();
        this.output.WriteLine(
            $"--max-queued-mib 1, API answering after 2 s, traces of 5 x 100 KB inputs: {accepted.Count - 1} acknowledged, then {refused.StatusCode} "
            + $"with {held:N0} bytes of events held; {refusals} more refusals after the API recovered; stored {accepted.Count} sessions, {accepted.Count * Children} events.");
    }

    /// <summary>Sends new traces, one export each, until the receiver refuses one; the acknowledged ones go to
    /// <paramref name="accepted"/>. Fails when <paramref name="most"/> were acknowledged first.</summary>
    /// <returns>The refusal and the refused trace.</returns>
    private static async Task<(RpcException Refused, List<SpanRecord> Trace)> SendUntilRefusedAsync(
        TraceService.TraceServiceClient client, Func<List<SpanRecord>> newTrace, List<List<SpanRecord>> accepted, int most, string neverRefused)
    {
        while (true)
        {
            Assert.True(accepted.Count < most, neverRefused);
            var trace = newTrace();
            try
            {
                await client.ExportAsync(trace.ToExportTraceServiceRequest());
                accepted.Add(trace);
            }
            catch (RpcException ex)
            {
                return (ex, trace);
            }
        }
    }

    /// <summary>Sends one export until the receiver acknowledges it (retrying UNAVAILABLE, as OTLP exporters do).</summary>
    /// <returns>The number of refusals.</returns>
    private static async Task<int> SendUntilAcceptedAsync(TraceService.TraceServiceClient client, IReadOnlyList<SpanRecord> spans)
    {
        var request = spans.ToExportTraceServiceRequest();
        var started = Stopwatch.GetTimestamp();
        for (var refusals = 0; ; refusals++)
        {
            try
            {
                await client.ExportAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
                return refusals;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
            {
                Assert.True(Stopwatch.GetElapsedTime(started) < Long, "the receiver never took the export");
                await Task.Delay(200);
            }
        }
    }

    private static async Task WaitForMetricAsync(HttpClient http, string sample)
    {
        var started = Stopwatch.GetTimestamp();
        while (!(await http.GetStringAsync("/metrics")).Contains(sample + "\n", StringComparison.Ordinal))
        {
            Assert.True(Stopwatch.GetElapsedTime(started) < Long, $"/metrics never showed '{sample}'");
            await Task.Delay(50);
        }
    }

    private static async Task WaitForStatsAsync(LocalHoneyHiveApi api, (long Sessions, long Events) expected)
    {
        var started = Stopwatch.GetTimestamp();
        while (await LocalApiClient.StatsAsync(api) != expected)
        {
            Assert.True(Stopwatch.GetElapsedTime(started) < Long, $"the store did not reach {expected} within {Long}: {await LocalApiClient.StatsAsync(api)}");
            await Task.Delay(250);
        }
    }

    /// <summary>Waits (bounded) until each trace's session holds all its events.</summary>
    private async Task WaitForTracesAsync(LocalHoneyHiveApi api, IEnumerable<IReadOnlyList<SpanRecord>> traces, int children)
    {
        using var http = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        var waiting = traces.Select(t => HoneyHiveIds.SessionIdForTrace(t[0].TraceId)).ToHashSet(StringComparer.Ordinal);
        var started = Stopwatch.GetTimestamp();
        while (waiting.Count > 0)
        {
            foreach (var sessionId in waiting.ToList())
            {
                using var response = await http.GetAsync($"/v1/sessions/{sessionId}");
                if (response.IsSuccessStatusCode
                    && JsonNode.Parse(await response.Content.ReadAsStringAsync())!["events"]!.AsArray().Count == children)
                {
                    waiting.Remove(sessionId);
                }
            }

            Assert.True(
                waiting.Count == 0 || Stopwatch.GetElapsedTime(started) < Long,
                $"{waiting.Count} acknowledged trace(s) not delivered within {Long}:\n" + string.Join("\n", this.receiverLines.TakeLast(20)));
            if (waiting.Count > 0)
            {
                await Task.Delay(250);
            }
        }
    }

    /// <summary>Invariant 6: nothing the receiver wrote (stdout, stderr) holds the key.</summary>
    private void AssertNoKeyInReceiverOutput()
    {
        Assert.NotEmpty(this.receiverLines);
        Assert.All(this.receiverLines, line => Assert.DoesNotContain(Key, line, StringComparison.Ordinal));
        Assert.All(this.receiverLines, line => Assert.DoesNotContain(Key[9..], line, StringComparison.Ordinal));
    }

    /// <summary>A request body that sends the first half of its bytes, then the rest once <c>rest</c> completes (its
    /// length is known, so the server has the whole header block while it waits).</summary>
    private sealed class HalfThenRestContent : HttpContent
    {
        private readonly byte[] bytes;
        private readonly Task rest;

        public HalfThenRestContent(byte[] bytes, Task rest)
        {
            this.bytes = bytes;
            this.rest = rest;
            this.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var half = this.bytes.Length / 2;
            await stream.WriteAsync(this.bytes.AsMemory(0, half));
            await stream.FlushAsync();
            await this.rest;
            await stream.WriteAsync(this.bytes.AsMemory(half));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = this.bytes.Length;
            return true;
        }
    }
}
