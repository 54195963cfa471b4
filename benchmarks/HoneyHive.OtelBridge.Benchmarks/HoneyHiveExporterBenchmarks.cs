// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using HoneyHive.OtelBridge.Benchmarks.Workloads;
using OpenTelemetry;
using OpenTelemetry.Exporter;

namespace HoneyHive.OtelBridge.Benchmarks;

/// <summary>
/// The exporter's cost against <c>AddOtlpExporter</c>'s: one operation exports a batch of <see cref="BatchSize"/> new
/// finished activities (ten 10-span traces, children before roots) with <c>Export(batch)</c> and then
/// <c>ForceFlush()</c>, so the HoneyHive exporter's background work (trace assembly, mapping, JSON, HTTP) is inside the
/// operation as the OTLP exporter's synchronous send is. Every exporter sends to the same in-process loopback
/// endpoint that accepts everything (<see cref="AcceptAllServer"/>). The baseline of each category is the OTLP exporter
/// over gRPC (its default protocol); OTLP over HTTP/protobuf is shown too. Divide by <see cref="BatchSize"/> for a
/// span. Time includes the endpoint's own (trivial) handling on the same machine: 1 OTLP request per batch, 11 to 14
/// HoneyHive requests (a session per trace, then 1 to 4 event batches: the flush sends the events that would wait for
/// each other; the setup prints the count of each exporter's first batches in the log).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[InvocationCount(PoolSize, 1)]
public class HoneyHiveExporterBenchmarks
{
    public const int BatchSize = 100;

    // A finite timeout: BridgePipeline.FlushAsync turns Timeout.Infinite into a zero wait for delivery (reported).
    private const int FlushTimeoutMilliseconds = 30_000;

    // One new batch per invocation, made (outside the measurement) before each iteration: an exporter never sees a
    // trace twice, as in production.
    private const int PoolSize = 16;

    private BenchmarkActivities activities = null!;
    private AcceptAllServer server = null!;
    private HoneyHiveExporter honeyHive = null!;
    private OtlpTraceExporter otlpGrpc = null!;
    private OtlpTraceExporter otlpHttp = null!;
    private Activity[][] pool = null!;
    private int next;

    [GlobalSetup]
    public void Setup()
    {
        this.activities = new BenchmarkActivities();
        this.server = AcceptAllServer.StartAsync().GetAwaiter().GetResult();
        this.honeyHive = new HoneyHiveExporter(new HoneyHiveExporterOptions
        {
            ApiKey = "hh_benchmark_key",
            Endpoint = this.server.HttpAddress,
            Source = "benchmark",
        });
        this.otlpGrpc = new OtlpTraceExporter(new OtlpExporterOptions
        {
            Endpoint = this.server.GrpcAddress,
            Protocol = OtlpExportProtocol.Grpc,
        });
        this.otlpHttp = new OtlpTraceExporter(new OtlpExporterOptions
        {
            Endpoint = new Uri(this.server.HttpAddress, "/v1/traces"),
            Protocol = OtlpExportProtocol.HttpProtobuf,
        });

        // Each exporter must reach the endpoint and succeed, or the benchmark would time failures.
        foreach (var chat in new[] { true, false })
        {
            foreach (var exporter in new BaseExporter<Activity>[] { this.honeyHive, this.otlpGrpc, this.otlpHttp })
            {
                var before = this.server.Requests;
                var batch = this.activities.Traces(BatchSize / BenchmarkActivities.SpansPerTrace, chat);
                var exported = exporter.Export(new Batch<Activity>(batch, batch.Length));
                var flushed = exporter.ForceFlush(FlushTimeoutMilliseconds);
                if (exported != ExportResult.Success || !flushed || this.server.Requests == before)
                {
                    throw new InvalidOperationException(
                        $"{exporter.GetType().Name} did not deliver a batch to the accept-all endpoint (export {exported}, flushed {flushed}, {this.server.Requests - before} requests).");
                }

                // BenchmarkDotNet shows this in its log: the requests one batch took (quoted by the summary above).
                Console.WriteLine(
                    $"// {exporter.GetType().Name} ({(chat ? "chat" : "plain")}): a {BatchSize}-span batch reached the endpoint in {this.server.Requests - before} request(s)");
            }
        }
    }

    [IterationSetup(Targets = [nameof(Chat_OtlpGrpc), nameof(Chat_OtlpHttpProtobuf), nameof(Chat_HoneyHive)])]
    public void ChatBatches() => this.Fill(chat: true);

    [IterationSetup(Targets = [nameof(Plain_OtlpGrpc), nameof(Plain_OtlpHttpProtobuf), nameof(Plain_HoneyHive)])]
    public void PlainBatches() => this.Fill(chat: false);

    [BenchmarkCategory("chat")]
    [Benchmark(Baseline = true)]
    public bool Chat_OtlpGrpc() => ExportAndFlush(this.otlpGrpc, this.pool[this.next++]);

    [BenchmarkCategory("chat")]
    [Benchmark]
    public bool Chat_OtlpHttpProtobuf() => ExportAndFlush(this.otlpHttp, this.pool[this.next++]);

    [BenchmarkCategory("chat")]
    [Benchmark]
    public bool Chat_HoneyHive() => ExportAndFlush(this.honeyHive, this.pool[this.next++]);

    [BenchmarkCategory("plain")]
    [Benchmark(Baseline = true)]
    public bool Plain_OtlpGrpc() => ExportAndFlush(this.otlpGrpc, this.pool[this.next++]);

    [BenchmarkCategory("plain")]
    [Benchmark]
    public bool Plain_OtlpHttpProtobuf() => ExportAndFlush(this.otlpHttp, this.pool[this.next++]);

    [BenchmarkCategory("plain")]
    [Benchmark]
    public bool Plain_HoneyHive() => ExportAndFlush(this.honeyHive, this.pool[this.next++]);

    [GlobalCleanup]
    public void Cleanup()
    {
        this.honeyHive.Shutdown();
        this.otlpGrpc.Shutdown();
        this.otlpHttp.Shutdown();
        this.honeyHive.Dispose();
        this.otlpGrpc.Dispose();
        this.otlpHttp.Dispose();
        this.server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        this.activities.Dispose();
    }

    private void Fill(bool chat)
    {
        this.pool = new Activity[PoolSize][];
        for (var i = 0; i < PoolSize; i++)
        {
            this.pool[i] = this.activities.Traces(BatchSize / BenchmarkActivities.SpansPerTrace, chat);
        }

        this.next = 0;
    }

    private static bool ExportAndFlush(BaseExporter<Activity> exporter, Activity[] batch)
    {
        var result = exporter.Export(new Batch<Activity>(batch, batch.Length));
        return exporter.ForceFlush(FlushTimeoutMilliseconds) && result == ExportResult.Success;
    }
}
