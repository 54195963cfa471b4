// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using HoneyHive.OtelBridge.Benchmarks.Baselines;
using HoneyHive.OtelBridge.Benchmarks.Workloads;
using HoneyHive.OtelBridge.Implementation.Activities;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Assembly;
using HoneyHive.OtelBridge.Implementation.Delivery;
using HoneyHive.OtelBridge.Implementation.Spans;
using Microsoft.Extensions.Configuration;

namespace HoneyHive.OtelBridge.Benchmarks.Implementation.Exporter;

/// <summary>
/// The stages of <see cref="HoneyHiveExporterBenchmarks"/> one at a time, each over the same 100 finished activities
/// (ten 10-span traces, chat or plain): what the exporter costs per span outside mapping. <c>ToSpanRecords</c>: the
/// activities to span records. <c>AssembleAndMap</c>: the records through a new <see cref="TraceAssembler"/> (mapping
/// included) into a sink that drops each trace's calls, releasing their events (see <see cref="AssembleAndDrop"/>). <c>EncodeEventBatches</c>: delivery taking those calls (each event
/// encoded once into an exact-size array, its session spliced in when written, as delivery does with a
/// <c>CallDelivered</c> handler);
/// <c>EncodeEventBatchesRented</c>: into rented arrays given back afterwards (delivery without a handler, the exporter),
/// each event once with where its session is spliced; <c>_Before</c>: with a second array per event holding its JSON with
/// the session (<see cref="EncodedEventsBefore"/>). <c>AssembleAndDeliver</c>: the records assembled and mapped again
/// (delivery releases the events it encodes, so a call is delivered once), then the calls through a
/// <see cref="HoneyHiveDelivery"/> to the accept-all endpoint (encoding, batching, HTTP) and a flush: delivery's cost is
/// this minus <c>AssembleAndMap</c>. <c>SendSessionStart</c>: one <c>POST /v1/sessions</c> through the client
/// (the per-request cost; a batch of 100 spans makes 11 to 14 requests, see <see cref="HoneyHiveExporterBenchmarks"/>).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ExporterStageBenchmarks
{
    private readonly TraceAssemblerOptions assemblerOptions = new() { RootWait = Timeout.InfiniteTimeSpan };
    private BenchmarkActivities activities = null!;
    private AcceptAllServer server = null!;
    private HttpClient httpClient = null!;
    private HoneyHiveApiClient client = null!;
    private HoneyHiveDelivery delivery = null!;
    private Activity[] chatActivities = null!;
    private Activity[] plainActivities = null!;
    private SpanRecord[] chatSpans = null!;
    private SpanRecord[] plainSpans = null!;
    private List<ApiCall>[] chatCalls = null!;
    private List<ApiCall>[] plainCalls = null!;
    private StartSessionCall sessionStart = null!;

    [GlobalSetup]
    public void Setup()
    {
        this.activities = new BenchmarkActivities();
        this.server = AcceptAllServer.StartAsync().GetAwaiter().GetResult();
        this.httpClient = HoneyHiveApiClient.CreateDefaultHttpClient();
        this.client = new HoneyHiveApiClient(
            this.httpClient,
            new HoneyHiveConnectionSettings(new ConfigurationBuilder().Build()) { ApiKey = "hh_benchmark_key", BaseUrl = this.server.HttpAddress });
        this.delivery = new HoneyHiveDelivery(this.client, new HoneyHiveDeliveryOptions());
        this.chatActivities = this.activities.Traces(HoneyHiveExporterBenchmarks.BatchSize / BenchmarkActivities.SpansPerTrace, chat: true);
        this.plainActivities = this.activities.Traces(HoneyHiveExporterBenchmarks.BatchSize / BenchmarkActivities.SpansPerTrace, chat: false);
        this.chatSpans = ToRecords(this.chatActivities);
        this.plainSpans = ToRecords(this.plainActivities);
        this.chatCalls = this.Assemble(this.chatSpans);
        this.plainCalls = this.Assemble(this.plainSpans);
        this.sessionStart = this.plainCalls[0].OfType<StartSessionCall>().First();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        this.delivery.Dispose();
        this.httpClient.Dispose();
        this.server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        this.activities.Dispose();
    }

    [BenchmarkCategory("chat")]
    [Benchmark]
    public int Chat_ToSpanRecords() => ToRecords(this.chatActivities).Length;

    [BenchmarkCategory("chat")]
    [Benchmark]
    public int Chat_AssembleAndMap() => this.AssembleAndDrop(this.chatSpans);

    [BenchmarkCategory("chat")]
    [Benchmark]
    public int Chat_EncodeEventBatches() => Encode(this.chatCalls);

    [BenchmarkCategory("chat")]
    [Benchmark]
    public int Chat_EncodeEventBatchesRented() => EncodeRented(this.chatCalls);

    [BenchmarkCategory("chat")]
    [Benchmark]
    public int Chat_EncodeEventBatchesRented_Before() => EncodeRentedBefore(this.chatCalls);

    [BenchmarkCategory("chat")]
    [Benchmark]
    public bool Chat_AssembleAndDeliver() => this.Deliver(this.Assemble(this.chatSpans));

    [BenchmarkCategory("plain")]
    [Benchmark]
    public int Plain_ToSpanRecords() => ToRecords(this.plainActivities).Length;

    [BenchmarkCategory("plain")]
    [Benchmark]
    public int Plain_AssembleAndMap() => this.AssembleAndDrop(this.plainSpans);

    [BenchmarkCategory("plain")]
    [Benchmark]
    public int Plain_EncodeEventBatches() => Encode(this.plainCalls);

    [BenchmarkCategory("plain")]
    [Benchmark]
    public int Plain_EncodeEventBatchesRented() => EncodeRented(this.plainCalls);

    [BenchmarkCategory("plain")]
    [Benchmark]
    public int Plain_EncodeEventBatchesRented_Before() => EncodeRentedBefore(this.plainCalls);

    [BenchmarkCategory("plain")]
    [Benchmark]
    public bool Plain_AssembleAndDeliver() => this.Deliver(this.Assemble(this.plainSpans));

    [BenchmarkCategory("request")]
    [Benchmark]
    public object? SendSessionStart() => this.client.SendAsync(this.sessionStart, CancellationToken.None).GetAwaiter().GetResult();

    private static SpanRecord[] ToRecords(Activity[] batch)
    {
        var spans = new SpanRecord[batch.Length];
        for (var i = 0; i < batch.Length; i++)
        {
            spans[i] = batch[i].ToSpanRecord(SpanRecord.NoAttributes);
        }

        return spans;
    }

    private static int Encode(List<ApiCall>[] traces)
    {
        var events = 0;
        foreach (var calls in traces)
        {
            foreach (var call in calls)
            {
                if (call is SessionEventBatchCall batch)
                {
                    events += EncodedEvents.EncodeSpliceable(batch, rent: false).Events.Length;
                }
            }
        }

        return events;
    }

    /// <summary>Encoded into rented arrays and given back, as delivery does once a request is done: each event's JSON
    /// once, and where the batch's <c>session_id</c> goes into it (spliced in when a cross-session body is written).</summary>
    private static int EncodeRented(List<ApiCall>[] traces)
    {
        var events = 0;
        foreach (var calls in traces)
        {
            foreach (var call in calls)
            {
                if (call is SessionEventBatchCall batch)
                {
                    var (_, encoded, _, _) = EncodedEvents.EncodeSpliceable(batch, rent: true);
                    events += encoded.Length;
                    foreach (var json in encoded)
                    {
                        EventEncoder.RentedArrays.Return(json);
                    }
                }
            }
        }

        return events;
    }

    /// <summary>As delivery did before (<see cref="EncodedEventsBefore"/>): both JSONs of each event, given back.</summary>
    private static int EncodeRentedBefore(List<ApiCall>[] traces)
    {
        var events = 0;
        foreach (var calls in traces)
        {
            foreach (var call in calls)
            {
                if (call is SessionEventBatchCall batch)
                {
                    var (_, encoded, _, withSession, _) = EncodedEventsBefore.EncodeRented(batch);
                    events += encoded.Length;
                    foreach (var json in encoded)
                    {
                        EventEncoder.RentedArrays.Return(json);
                    }

                    foreach (var json in withSession ?? [])
                    {
                        if (json is not null)
                        {
                            EventEncoder.RentedArrays.Return(json);
                        }
                    }
                }
            }
        }

        return events;
    }

    /// <summary>
    /// The records through a new assembler into a sink that drops each trace's calls as it gets them, their events
    /// released as a sink that wrote them does: a trace's pooled documents go back before the next trace is mapped, as
    /// in delivery (which releases them once it has encoded the trace's events).
    /// </summary>
    private int AssembleAndDrop(SpanRecord[] spans)
    {
        var sink = new DiscardingSink();
        var assembler = new TraceAssembler(sink, this.assemblerOptions);
        assembler.Add(spans);
        return sink.Calls;
    }

    private List<ApiCall>[] Assemble(SpanRecord[] spans)
    {
        // A new assembler each time: one that has seen a trace treats it as re-delivery.
        var sink = new CollectingSink();
        var assembler = new TraceAssembler(sink, this.assemblerOptions);
        assembler.Add(spans);
        return [.. sink.Traces];
    }

    private bool Deliver(List<ApiCall>[] traces)
    {
        foreach (var calls in traces)
        {
            this.delivery.Submit(calls);
        }

        return this.delivery.FlushAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
    }

    private sealed class CollectingSink : IApiCallSink
    {
        public List<List<ApiCall>> Traces { get; } = [];

        public void Submit(IReadOnlyList<ApiCall> calls) => this.Traces.Add([.. calls]);
    }
}
