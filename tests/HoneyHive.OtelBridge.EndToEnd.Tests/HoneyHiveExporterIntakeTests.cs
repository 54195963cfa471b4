// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using HoneyHive.OtelBridge.EndToEnd.Tests.Shared;
using HoneyHive.OtelBridge.Implementation;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.LocalApi;
using OpenTelemetry;

using static HoneyHive.OtelBridge.EndToEnd.Tests.HoneyHiveExporterTests;

namespace HoneyHive.OtelBridge.EndToEnd.Tests;

/// <summary>
/// The exporter's intake (<c>Export</c> converts and queues; a worker assembles, maps and encodes) against the local API
/// over HTTP. The worker is held, never raced: what is in the intake at each step is known.
/// </summary>
[Collection("NonParallel")]
public sealed class HoneyHiveExporterIntakeTests : IDisposable
{
    private const int FlushTimeoutMs = 30_000;

    private readonly TestEventListener listener = new("OpenTelemetry-HoneyHive-Exporter");
    private readonly MeterListener meters = new();
    private readonly ConcurrentQueue<(string Name, long Value, Dictionary<string, object?> Tags)> measurements = new();

    public HoneyHiveExporterIntakeTests()
    {
        this.meters.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == BridgeMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        this.meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            this.measurements.Enqueue((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        this.meters.Start();
    }

    public void Dispose()
    {
        this.meters.Dispose();
        var lines = this.listener.Lines;
        this.listener.Dispose();

        // Invariant 6, for every test of the class.
        Assert.All(lines, line => Assert.DoesNotContain(LocalApiTestServer.ApiKey, line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Export_WorkerHeld_ReturnsBeforeTheBatchIsAssembledAndForceFlushDeliversIt()
    {
        // Arrange
        await using var api = await LocalApiTestServer.StartAsync();
        using var exporter = NewExporter(api);
        var trace = CompleteTrace("intake-held");

        // Act
        ExportResult result;
        int inIntake;
        long assembled;
        using (exporter.Intake.Hold())
        {
            result = exporter.Export(Batch(trace));
            inIntake = exporter.Intake.SpanCount;
            assembled = exporter.Pipeline!.SpansAssembled;
        }

        var flushed = exporter.ForceFlush(FlushTimeoutMs);

        // Assert: Export returned with the spans still in the intake, not yet given to trace assembly.
        Assert.Equal(ExportResult.Success, result);
        Assert.Equal(2, inIntake);
        Assert.Equal(0, assembled);
        Assert.True(flushed);
        Assert.Equal(0, exporter.Intake.SpanCount);
        Assert.Equal(2, exporter.Pipeline.SpansAssembled);
        Assert.Equal("intake-held", (string?)(await api.GetSessionAsync(SessionOf(trace)))!["session"]!["event_name"]);
        Assert.Equal((1, 1), await api.StatsAsync());
        Assert.Equal(2, this.Sum(BridgeMetrics.SpansAcceptedName));
    }

    [Fact]
    public async Task ForceFlush_WorkerHeld_FalseUntilTheIntakeIsHandedOver()
    {
        // Arrange
        await using var api = await LocalApiTestServer.StartAsync();
        using var exporter = NewExporter(api);
        var trace = CompleteTrace("flush-waits");
        var held = exporter.Intake.Hold();
        Assert.Equal(ExportResult.Success, exporter.Export(Batch(trace)));

        // Act
        var whileHeld = exporter.ForceFlush(50);
        held.Dispose();
        var released = exporter.ForceFlush(FlushTimeoutMs);

        // Assert
        Assert.False(whileHeld);
        Assert.Contains(this.Events("ExporterFlushTimedOut"), e => (string?)e["operation"] == "ForceFlush");
        Assert.True(released);
        Assert.NotNull(await api.GetSessionAsync(SessionOf(trace)));
    }

    [Fact]
    public async Task Export_IntakeFullWhileWorkerHeld_ExportThreadHandsTheBatchOverAndBothAreDelivered()
    {
        // Arrange: room for one 2-span trace.
        await using var api = await LocalApiTestServer.StartAsync();
        using var exporter = NewExporter(api);
        exporter.Intake.Capacity = 2;
        var queued = CompleteTrace("queued");
        var callerRun = CompleteTrace("caller-run");
        var held = exporter.Intake.Hold();

        // Act
        var first = exporter.Export(Batch(queued));
        var second = exporter.Export(Batch(callerRun));
        var assembledWhileHeld = exporter.Pipeline!.SpansAssembled;
        var inIntake = exporter.Intake.SpanCount;
        held.Dispose();
        var flushed = exporter.ForceFlush(FlushTimeoutMs);

        // Assert: the second batch was assembled on the export thread, past the held worker; both arrived.
        Assert.Equal(ExportResult.Success, first);
        Assert.Equal(ExportResult.Success, second);
        Assert.Equal(2, assembledWhileHeld);
        Assert.Equal(2, inIntake);
        Assert.True(flushed);
        Assert.NotNull(await api.GetSessionAsync(SessionOf(queued)));
        Assert.NotNull(await api.GetSessionAsync(SessionOf(callerRun)));
        Assert.Equal((2, 2), await api.StatsAsync());
        Assert.Equal(2, this.Sum(BridgeMetrics.CallerRunsName));
        var full = Assert.Single(this.Events("IntakeFull"));
        Assert.Equal(2, full["spanCount"]);
        Assert.Equal(2, full["intakeSpans"]);
        Assert.Equal(2, full["capacity"]);
    }

    [Fact]
    public async Task Export_PipelineSaturatedWhenTheWorkerIsReleased_WorkerWaitsAndItsBatchesAreDelivered()
    {
        // Arrange: the API answers 503 until the test clears it; two calls fill delivery; the intake holds two traces.
        await using var api = await LocalApiTestServer.StartAsync(enableFaultInjection: true);
        using var exporter = NewExporter(api);
        exporter.DeliveryOptions.MaxQueuedCalls = 2;
        exporter.DeliveryOptions.InitialBackoff = TimeSpan.FromMilliseconds(50);
        exporter.DeliveryOptions.MaxBackoff = TimeSpan.FromMilliseconds(100);
        exporter.DeliveryOptions.MaxAttempts = 10_000;
        exporter.DeliveryOptions.MaxRetryDuration = TimeSpan.FromMinutes(5);
        exporter.Intake.Capacity = 4;
        api.Api.Faults.Enqueue(new InjectedFault { StatusCode = 503, Count = 1_000_000 });
        var traces = new[] { "queued-1", "queued-2", "caller-run", "refused" }.Select(CompleteTrace).ToList();
        var held = exporter.Intake.Hold();

        // Act: two traces fill the intake; the export thread hands the third over itself (its 2 calls saturate
        // delivery while the API fails) and the fourth is refused. The worker is released into a saturated pipeline.
        var results = traces.Select(t => exporter.Export(Batch(t))).ToList();
        held.Dispose();
        api.Api.Faults.Clear();
        var flushed = exporter.ForceFlush(FlushTimeoutMs);

        // Assert: the queued traces waited for room instead of being dropped.
        Assert.Equal([ExportResult.Success, ExportResult.Success, ExportResult.Success, ExportResult.Failure], results);
        Assert.True(flushed);
        foreach (var trace in traces.Take(3))
        {
            Assert.NotNull(await api.GetSessionAsync(SessionOf(trace)));
        }

        Assert.Null(await api.GetSessionAsync(SessionOf(traces[3])));
        Assert.Equal((3, 3), await api.StatsAsync());
        Assert.Empty(this.Events("IntakeSpansLost"));
        var refused = Assert.Single(this.Events("ExportRefused"));
        Assert.Equal(2, refused["spanCount"]);
        Assert.Equal(BridgeMetrics.SaturatedReason, refused["reason"]);
    }

    [Fact]
    public async Task Shutdown_WorkerHeldAndShortTimeout_IntakeSpansCountedAndLoggedAsLost()
    {
        // Arrange
        await using var api = await LocalApiTestServer.StartAsync();
        var exporter = NewExporter(api);
        var held = exporter.Intake.Hold();
        Assert.Equal(ExportResult.Success, exporter.Export(Batch(CompleteTrace("lost-at-shutdown"))));

        // Act
        var shutdown = exporter.Shutdown(0);
        held.Dispose();
        exporter.Dispose();

        // Assert: the two acknowledged spans are reported lost, with reason shutdown, in a log line and a counter.
        Assert.False(shutdown);
        var lost = Assert.Single(this.Events("IntakeSpansLost"));
        Assert.Equal(2, lost["spanCount"]);
        Assert.Equal(BridgeMetrics.ShutdownReason, lost["reason"]);
        Assert.Equal(2, this.Sum(BridgeMetrics.SpansRejectedName, BridgeMetrics.ShutdownReason));
        Assert.Equal(0, this.Sum(BridgeMetrics.SpansAcceptedName));
        Assert.Equal((0, 0), await api.StatsAsync());
    }

    [Fact]
    public async Task Export_DataDirectoryWhileWorkerHeld_AcknowledgedSpansAreInTheLogAndTheNextExporterDeliversThem()
    {
        // Arrange
        var directory = Directory.CreateTempSubdirectory("hh-exporter-intake-").FullName;
        try
        {
            await using var api = await LocalApiTestServer.StartAsync();
            var inLog = CompleteTrace("in-the-log");
            ExportResult result;
            long logBytes;
            long assembled;
            bool shutdown;
            using (var first = NewExporter(api, directory))
            {
                var held = first.Intake.Hold();

                // Act 1: acknowledged while the worker is held, then the exporter stops before it hands them over.
                result = first.Export(Batch(inLog));
                logBytes = first.Pipeline!.LogBytes;
                assembled = first.Pipeline.SpansAssembled;
                shutdown = first.Shutdown(0);
                held.Dispose();
            }

            var statsBetween = await api.StatsAsync();

            // Act 2: the next exporter on the same directory replays the log.
            using var second = NewExporter(api, directory);
            var next = CompleteTrace("after-restart");
            Assert.Equal(ExportResult.Success, second.Export(Batch(next)));
            var flushed = second.ForceFlush(FlushTimeoutMs);

            // Assert
            Assert.Equal(ExportResult.Success, result);
            Assert.True(logBytes > 0);
            Assert.Equal(0, assembled);
            Assert.False(shutdown);
            Assert.Equal((0, 0), statsBetween);
            var kept = Assert.Single(this.Events("IntakeKeptForReplay"));
            Assert.Equal(2, kept["spanCount"]);
            Assert.Empty(this.Events("IntakeSpansLost"));
            Assert.True(flushed);
            Assert.Equal("in-the-log", (string?)(await api.GetSessionAsync(SessionOf(inLog)))!["session"]!["event_name"]);
            Assert.NotNull(await api.GetSessionAsync(SessionOf(next)));
            Assert.Equal((2, 2), await api.StatsAsync());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task ForceFlush_ManyExportsThroughASmallIntake_EverySpanDeliveredOnce()
    {
        // Arrange: room for two 2-span traces; the worker and the export thread both hand batches over.
        const int Traces = 300;
        await using var api = await LocalApiTestServer.StartAsync();
        using var exporter = NewExporter(api);
        exporter.Intake.Capacity = 4;
        var traces = Enumerable.Range(0, Traces).Select(i => CompleteTrace("many-" + i)).ToList();

        // Act
        var results = traces.Select(t => exporter.Export(Batch(t))).ToList();
        var flushed = exporter.ForceFlush(FlushTimeoutMs);

        // Assert
        Assert.All(results, r => Assert.Equal(ExportResult.Success, r));
        Assert.True(flushed);
        Assert.Equal((Traces, Traces), await api.StatsAsync());
        Assert.Equal(2 * Traces, this.Sum(BridgeMetrics.SpansAcceptedName));
        Assert.Equal(0, this.Sum(BridgeMetrics.SpansRejectedName));
    }

    private static HoneyHiveExporter NewExporter(LocalApiTestServer api, string? dataDirectory = null) =>
        new(new HoneyHiveExporterOptions { ApiKey = LocalApiTestServer.ApiKey, Endpoint = api.BaseAddress, DataDirectory = dataDirectory });

    private static string SessionOf(Activity[] trace) => HoneyHiveIds.SessionIdForTrace(trace[0].TraceId);

    private List<Dictionary<string, object?>> Events(string name) =>
        [.. this.listener.Events.Where(e => e.EventName == name).Select(TestEventListener.PayloadOf)];

    /// <summary>The sum of an instrument's measurements from the exporter front door (and of one reason, if given).</summary>
    private long Sum(string name, string? reason = null) => this.measurements
        .Where(m => m.Name == name
            && (!m.Tags.TryGetValue(BridgeMetrics.FrontDoorTag, out var door) || (string?)door == BridgeMetrics.ExporterFrontDoor)
            && (reason is null || (string?)m.Tags.GetValueOrDefault(BridgeMetrics.ReasonTag) == reason))
        .Sum(m => m.Value);
}
