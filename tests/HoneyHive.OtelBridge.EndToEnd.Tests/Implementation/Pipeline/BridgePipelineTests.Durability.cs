// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using Google.Protobuf;
using HoneyHive.OtelBridge.EndToEnd.Tests.Shared;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Delivery;
using HoneyHive.OtelBridge.Implementation.Durability;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Implementation.Otlp;
using HoneyHive.OtelBridge.Implementation.Pipeline;
using HoneyHive.OtelBridge.Implementation.Spans;
using HoneyHive.OtelBridge.LocalApi;
using Xunit.Abstractions;

namespace HoneyHive.OtelBridge.EndToEnd.Tests.Implementation.Pipeline;

/// <summary>
/// Faults against the real local API over HTTP: every span sent arrives exactly once (counted from the store),
/// nothing else arrives, and no diagnostic carries the API key.
/// </summary>
[Collection("NonParallel")]
public sealed partial class BridgePipelineTests : IDisposable
{
    private const string FaultKey = "hh_ingst_E2EPIPELINESECRET0000000_0123456789";
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(120);

    private readonly TestEventListener listener = new("OpenTelemetry-HoneyHive-Exporter");
    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "hh-pipeline-tests-" + Guid.NewGuid().ToString("N"));
    private readonly ITestOutputHelper output;

    public BridgePipelineTests(ITestOutputHelper output)
    {
        this.output = output;
    }

    public void Dispose()
    {
        var lines = this.listener.Lines;
        this.listener.Dispose();
        if (Directory.Exists(this.dataDirectory))
        {
            Directory.Delete(this.dataDirectory, recursive: true);
        }

        // Invariant 6, for every test of the class.
        Assert.All(lines, line => Assert.DoesNotContain(FaultKey, line, StringComparison.Ordinal));
        Assert.All(lines, line => Assert.DoesNotContain(Key, line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TryAccept_20000SpansWith503ForThreeSecondsInTheMiddle_EverySpanArrivesExactlyOnce()
    {
        // Arrange: 2,000 traces of 10 spans (a root and 9 children), sent in exports of 5 traces.
        const int Traces = 2_000;
        const int Children = 9;
        var outage = TimeSpan.FromSeconds(3);
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = FaultKey, EnableFaultInjection = true });
        using var http = HoneyHiveApiClient.CreateDefaultHttpClient();
        using var pipeline = new BridgePipeline(LocalApiClient.Client(http, api.BaseAddress, FaultKey), new BridgePipelineOptions { Delivery = PatientRetries() });
        var traces = Enumerable.Range(0, Traces).Select(_ => LocalApiClient.Trace(Children)).ToList();
        var exports = traces.Chunk(5).Select(chunk => chunk.SelectMany(t => t).ToList()).ToList();
        Task? outageTask = null;
        var refused = 0;
        var started = Stopwatch.GetTimestamp();

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

            // A front door answers "retry" when refused; the client sends the same export again.
            while (!pipeline.TryAccept(exports[i]))
            {
                refused++;
                Assert.True(Stopwatch.GetElapsedTime(started) < Long, "the pipeline never took export " + i);
                await Task.Delay(20);
            }
        }

        await outageTask!;
        var flushed = await pipeline.FlushAsync(Long);
        var elapsed = Stopwatch.GetElapsedTime(started);

        // Assert
        Assert.True(flushed);
        Assert.Equal((Traces, (long)Traces * Children), await LocalApiClient.StatsAsync(api));
        foreach (var trace in traces.Take(5).Concat(traces.TakeLast(5)))
        {
            var stored = await LocalApiClient.GetSessionAsync(api, FaultKey, HoneyHiveIds.SessionIdForTrace(trace[0].TraceId));
            var ids = stored["events"]!.AsArray().Select(e => (string)e!["event_id"]!).ToList();
            Assert.Equal(trace.Where(s => !s.IsRoot).Select(s => HoneyHiveIds.EventIdForSpan(s.TraceId, s.SpanId)).Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        }

        Assert.Empty(pipeline.Delivery.GetLosses());
        Assert.Equal(0, pipeline.LostCalls);
        var unavailable = this.listener.Events.Count(e => e.EventName == "CallRetrying" && (int)TestEventListener.PayloadOf(e)["statusCode"]! == 503);
        Assert.True(unavailable > 0, "the outage should have been met");
        this.output.WriteLine(
            $"20,000 spans ({Traces} traces x {Children + 1}), 503 for {outage.TotalSeconds} s after a quarter: {elapsed.TotalSeconds:0.0} s in all, "
            + $"{unavailable} retries on 503, {refused} refusals (backpressure), {pipeline.Delivery.DeliveredCalls} requests "
            + $"({pipeline.Delivery.CrossSessionBatches} cross-session batches), stored {Traces} sessions and {Traces * Children} events.");
    }

    [Fact]
    public async Task TryAccept_KeyRejected_OneErrorNothingLostBackpressureThenEverythingArrivesOnceTheKeyIsFixed()
    {
        // Arrange
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = FaultKey });
        using var http = HoneyHiveApiClient.CreateDefaultHttpClient();
        var settings = new HoneyHiveConnectionSettings { ApiKey = "hh_ingst_REVOKEDKEY000000000000000_0123456789", BaseUrl = api.BaseAddress };
        var delivery = PatientRetries();
        delivery.MaxQueuedCalls = 40;
        delivery.KeyRejectedProbeInterval = TimeSpan.FromMilliseconds(300);
        using var pipeline = new BridgePipeline(new HoneyHiveApiClient(http, settings), new BridgePipelineOptions { Delivery = delivery });
        var accepted = new List<List<SpanRecord>>();
        var started = Stopwatch.GetTimestamp();

        // Act: send traces until the pipeline answers with backpressure.
        while (true)
        {
            var trace = LocalApiClient.Trace(2);
            if (!pipeline.TryAccept(trace))
            {
                break;
            }

            accepted.Add(trace);
            Assert.True(accepted.Count < 1_000, "backpressure never came");
            await Task.Delay(accepted.Count < 3 ? 200 : 5);
        }

        var pausedFor = Stopwatch.GetElapsedTime(started);
        await Task.Delay(1_000);
        var storedWhileRejected = await LocalApiClient.StatsAsync(api);
        var errorsWhileRejected = this.listener.Events.Count(e => e.Level <= EventLevel.Error);
        settings.ApiKey = FaultKey;
        var flushed = await pipeline.FlushAsync(Long);

        // Assert
        Assert.True(pipeline.Delivery.KeyRejectedPauses >= 1);
        Assert.Equal((0L, 0L), storedWhileRejected);
        Assert.Equal(1, errorsWhileRejected);
        Assert.Single(this.listener.Events, e => e.EventName == "DeliveryPaused");
        Assert.True(flushed);
        Assert.Equal((accepted.Count, accepted.Count * 2L), await LocalApiClient.StatsAsync(api));
        Assert.Empty(pipeline.Delivery.GetLosses());
        Assert.Equal(0, pipeline.LostCalls);
        Assert.DoesNotContain(this.listener.Events, e => e.EventName == "CallDropped");
        Assert.Contains(this.listener.Events, e => e.EventName == "DeliveryResumed");
        Assert.All(this.listener.Lines, line => Assert.DoesNotContain(settings.ApiKey, line, StringComparison.Ordinal));
        Assert.All(this.listener.Lines, line => Assert.DoesNotContain("REVOKEDKEY", line, StringComparison.Ordinal));
        this.output.WriteLine(
            $"rejected key: {accepted.Count} traces accepted before backpressure ({pausedFor.TotalSeconds:0.0} s), {errorsWhileRejected} error event, "
            + $"{this.listener.Events.Count(e => e.EventName == "ProbeFailed")} probes; after the fix {accepted.Count} sessions, {accepted.Count * 2} events stored.");
    }

    [Fact]
    public async Task DurableLog_PipelineAbandonedWithoutFlush_NewPipelineOnTheDirectoryDeliversEverything()
    {
        // Arrange: the first pipeline cannot reach any API, then is abandoned as a crash leaves it (no Dispose).
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = FaultKey });
        using var http = HoneyHiveApiClient.CreateDefaultHttpClient();
        var crashed = new BridgePipeline(LocalApiClient.Client(http, LocalApiClient.DeadEndpoint(), FaultKey), this.DurableOptions());
        var traces = Enumerable.Range(0, 30).Select(_ => LocalApiClient.Trace(3)).ToList();
        foreach (var export in traces.Chunk(5))
        {
            Assert.True(crashed.TryAccept([.. export.SelectMany(t => t)]));
        }

        try
        {
            // Act
            using var restarted = new BridgePipeline(LocalApiClient.Client(http, api.BaseAddress, FaultKey), this.DurableOptions());
            var flushed = await restarted.FlushAsync(Long);

            // Assert
            Assert.True(flushed);
            Assert.Equal(6, restarted.ReplayedRecords);
            Assert.Equal(120, restarted.ReplayedSpans);
            Assert.Equal((30L, 90L), await LocalApiClient.StatsAsync(api));
            Assert.Empty(restarted.Delivery.GetLosses());
            Assert.Equal(0, restarted.LogBytes);
            Assert.Empty(Directory.GetFiles(this.dataDirectory, "*" + DurableLog.SegmentExtension));
            this.output.WriteLine($"crash: 120 spans in 6 records accepted by the first pipeline; the second replayed {restarted.ReplayedRecords} records / {restarted.ReplayedSpans} spans, stored 30 sessions and 90 events; log 0 bytes after.");
        }
        finally
        {
            crashed.Dispose();
        }
    }

    [Fact]
    public async Task DurableLog_EncodedRequestGiven_RecordsThoseBytesAndARestartDeliversTheirSpans()
    {
        // Arrange: a front door that has the request's protobuf bytes hands them over with its spans.
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = FaultKey });
        using var http = HoneyHiveApiClient.CreateDefaultHttpClient();
        var trace = LocalApiClient.Trace(3);
        var encoded = trace.ToExportTraceServiceRequest().ToByteArray();
        using (var first = new BridgePipeline(LocalApiClient.Client(http, LocalApiClient.DeadEndpoint(), FaultKey), this.DurableOptions()))
        {
            // Act
            Assert.True(first.TryAccept(trace, encoded));
        }

        // Assert: the record is the request's bytes as given, and replaying it delivers the trace.
        using (var log = new DurableLog(new DurableLogOptions { Directory = this.dataDirectory, MaxBytes = 1024 * 1024, SegmentBytes = 64 * 1024 }))
        {
            var (_, payload) = Assert.Single(log.ReadExisting());
            Assert.Equal(encoded, payload);
        }

        using var restarted = new BridgePipeline(LocalApiClient.Client(http, api.BaseAddress, FaultKey), this.DurableOptions());
        Assert.True(await restarted.FlushAsync(Long));
        Assert.Equal(trace.Count, restarted.ReplayedSpans);
        Assert.Equal((1L, 3L), await LocalApiClient.StatsAsync(api));
    }

    [Fact]
    public async Task DurableLog_TailTruncatedMidRecordBeforeRestart_StartsDeliversTheIntactRecordsAndReportsTheDamage()
    {
        // Arrange
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = FaultKey });
        using var http = HoneyHiveApiClient.CreateDefaultHttpClient();
        var traces = Enumerable.Range(0, 3).Select(_ => LocalApiClient.Trace(2)).ToList();
        using (var first = new BridgePipeline(LocalApiClient.Client(http, LocalApiClient.DeadEndpoint(), FaultKey), this.DurableOptions()))
        {
            foreach (var trace in traces)
            {
                Assert.True(first.TryAccept(trace));
            }
        }

        var segment = Directory.GetFiles(this.dataDirectory, "*" + DurableLog.SegmentExtension).Single();
        var lastFrame = LastFrameLength(File.ReadAllBytes(segment));
        using (var file = new FileStream(segment, FileMode.Open))
        {
            file.SetLength(file.Length - 10);
        }

        // Act
        using var restarted = new BridgePipeline(LocalApiClient.Client(http, api.BaseAddress, FaultKey), this.DurableOptions());
        var flushed = await restarted.FlushAsync(Long);

        // Assert
        Assert.True(flushed);
        Assert.Equal(2, restarted.ReplayedRecords);
        Assert.Equal((2L, 4L), await LocalApiClient.StatsAsync(api));
        foreach (var trace in traces.Take(2))
        {
            await LocalApiClient.GetSessionAsync(api, FaultKey, HoneyHiveIds.SessionIdForTrace(trace[0].TraceId));
        }

        Assert.Equal(lastFrame - 10, restarted.LogBytesSkipped);
        Assert.Equal(1, restarted.LogDamagedSegments);
        var damage = TestEventListener.PayloadOf(Assert.Single(this.listener.Events, e => e.EventName == "LogDamaged"));
        Assert.Equal(lastFrame - 10, (long)damage["bytesSkipped"]!);
        Assert.Contains("torn", (string)damage["reason"]!, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(this.dataDirectory, "*" + DurableLog.SegmentExtension));
        this.output.WriteLine($"torn tail: 3 records written, last one ({lastFrame} bytes) cut by 10; replayed 2 records, stored 2 sessions and 4 events, skipped {restarted.LogBytesSkipped} bytes.");
    }

    [Fact]
    public async Task DurableLog_AtItsCapDuringAnOutage_TryAcceptFalseThenEverythingAcceptedIsDeliveredAndTheLogShrinks()
    {
        // Arrange
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = FaultKey, EnableFaultInjection = true });
        api.Faults.Enqueue(new InjectedFault { StatusCode = 503, Count = 1_000_000 });
        using var http = HoneyHiveApiClient.CreateDefaultHttpClient();
        var options = this.DurableOptions(maxLogBytes: 32 * 1024, segmentBytes: 4 * 1024);
        using var pipeline = new BridgePipeline(LocalApiClient.Client(http, api.BaseAddress, FaultKey), options);
        var accepted = 0;
        var payload = new string('p', 200);

        // Act
        while (pipeline.TryAccept(LocalApiClient.Trace(3, payload)))
        {
            accepted++;
            Assert.True(accepted < 1_000, "the log cap never refused");
        }

        var fullBytes = pipeline.LogBytes;
        var saturated = pipeline.IsSaturated;
        api.Faults.Clear();
        var flushed = await pipeline.FlushAsync(Long);
        var bytesAfter = pipeline.LogBytes;
        var storedAfterRecovery = await LocalApiClient.StatsAsync(api);
        var acceptsAgain = pipeline.TryAccept(LocalApiClient.Trace(3, payload));
        var flushedAgain = await pipeline.FlushAsync(Long);

        // Assert
        Assert.False(saturated);
        Assert.InRange(fullBytes, 16 * 1024, (32 * 1024) + 64);
        Assert.Single(this.listener.Events, e => e.EventName == "LogFull");
        Assert.True(flushed);
        Assert.Equal((accepted, accepted * 3L), storedAfterRecovery);
        Assert.Equal(0, bytesAfter);
        Assert.True(acceptsAgain);
        Assert.True(flushedAgain);
        Assert.Equal((accepted + 1, (accepted + 1) * 3L), await LocalApiClient.StatsAsync(api));
        Assert.Empty(pipeline.Delivery.GetLosses());
        this.output.WriteLine($"log cap 32 KiB: {accepted} traces ({accepted * 4} spans) accepted, then refused at {fullBytes} bytes; after recovery all stored, log {bytesAfter} bytes.");
    }

    private static HoneyHiveDeliveryOptions PatientRetries() => new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(100),
        MaxBackoff = TimeSpan.FromSeconds(1),
        MaxAttempts = 1_000,
        MaxRetryDuration = TimeSpan.FromMinutes(5),
        ShutdownTimeout = TimeSpan.FromMilliseconds(300),
    };

    /// <summary>The length of the last framed record of a segment (header included).</summary>
    private static int LastFrameLength(byte[] segment)
    {
        var offset = 8;
        var last = 0;
        while (offset < segment.Length)
        {
            last = DurableLog.RecordHeaderBytes + (int)BinaryPrimitives.ReadUInt32LittleEndian(segment.AsSpan(offset));
            offset += last;
        }

        return last;
    }

    private BridgePipelineOptions DurableOptions(long maxLogBytes = 1024 * 1024, long segmentBytes = 64 * 1024) => new()
    {
        DataDirectory = this.dataDirectory,
        MaxLogBytes = maxLogBytes,
        LogSegmentBytes = segmentBytes,
        Delivery = PatientRetries(),
        ExpiryInterval = TimeSpan.FromMilliseconds(200),
    };
}
