// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using HoneyHive.OtelBridge.Tests.Shared;
using OpenTelemetry;

namespace HoneyHive.OtelBridge.Tests;

/// <summary>
/// <see cref="HoneyHiveExporterOptions.MaxConcurrentRequests"/> is what the exporter's delivery keeps in flight against
/// an API that is slow to answer (a hosted API's round trip): as many as it says, never more.
/// </summary>
public sealed class HoneyHiveExporterConcurrencyTests : IAsyncLifetime
{
    private const string SessionAnswer =
        "{\"event_id\":\"e\",\"session_id\":\"s\",\"org_id\":\"o\",\"workspace_id\":\"w\",\"project_id\":\"p\"}";

    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(30);
    private FakeHoneyHiveApi server = null!;

    public async Task InitializeAsync() => this.server = await FakeHoneyHiveApi.StartAsync();

    public async Task DisposeAsync() => await this.server.DisposeAsync();

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Export_SlowApi_KeepsMaxConcurrentRequestsInFlightAndNoMore(int limit)
    {
        // Arrange: every session create waits until the test lets them all go.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlight = 0;
        var peak = 0;
        var reachedLimit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        this.server.Respond = async request =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref peak, now);
            if (now >= limit)
            {
                reachedLimit.TrySetResult();
            }

            try
            {
                await release.Task.WaitAsync(Bounded);
                return FakeResponse.Ok(request.Path == "/v1/sessions" ? SessionAnswer : "{\"success\":true}");
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        };
        using var exporter = new HoneyHiveExporter(new HoneyHiveExporterOptions
        {
            ApiKey = "test-key",
            Endpoint = this.server.BaseUrl,
            MaxConcurrentRequests = limit,
        });
        using var source = new ActivitySource("concurrency-test");
        using var listener = RecordAll(source);
        var roots = new List<Activity>();
        for (var i = 0; i < limit + 4; i++)
        {
            // One root span a trace: one session create each, independent of each other.
            var root = source.StartActivity("trace-" + i, ActivityKind.Server, parentContext: default)!;
            root.Stop();
            roots.Add(root);
        }

        // Act
        Assert.Equal(ExportResult.Success, exporter.Export(new Batch<Activity>([.. roots], roots.Count)));
        await reachedLimit.Task.WaitAsync(Bounded);
        await Task.Delay(300); // room for a request over the limit to show up, were delivery to send one
        var peakWhileHeld = Volatile.Read(ref peak);
        release.SetResult();
        var flushed = exporter.ForceFlush((int)Bounded.TotalMilliseconds);

        // Assert
        Assert.Equal(limit, peakWhileHeld);
        Assert.True(flushed);
        Assert.Equal(limit, Volatile.Read(ref peak));
        Assert.Equal(roots.Count, this.server.Requests.Count(r => r.Path == "/v1/sessions"));
    }

    [Fact]
    public async Task Export_SlowApiWithMaxQueuedBytesHeld_TheNextTraceWaitsUntilTheHeldOneIsDelivered()
    {
        // Arrange: every answer waits until the test lets them go; one byte of events is the bound, so the first
        // trace's event (taken while nothing is pending) holds the exporter's delivery at its bound.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        this.server.Respond = async request =>
        {
            await release.Task.WaitAsync(Bounded);
            return FakeResponse.Ok(request.Path == "/v1/sessions" ? SessionAnswer : "{\"success\":true}");
        };
        using var exporter = new HoneyHiveExporter(new HoneyHiveExporterOptions
        {
            ApiKey = "test-key",
            Endpoint = this.server.BaseUrl,
            MaxQueuedBytes = 1,
        });
        using var source = new ActivitySource("queued-bytes-test");
        using var listener = RecordAll(source);
        Activity[] Trace(string name)
        {
            var root = source.StartActivity(name, ActivityKind.Server, parentContext: default)!;
            var child = source.StartActivity("tool " + name)!;
            child.SetTag("gen_ai.operation.name", "execute_tool");
            child.Stop();
            root.Stop();
            return [child, root];
        }

        var first = Trace("first-trace");
        var second = Trace("second-trace");

        // Act
        Assert.Equal(ExportResult.Success, exporter.Export(new Batch<Activity>(first, first.Length)));
        await Poll.UntilOrFailAsync(() => this.server.Requests.Any(r => r.Path == "/v1/sessions" && r.Body.Contains("first-trace", StringComparison.Ordinal)), Bounded);
        Assert.Equal(ExportResult.Success, exporter.Export(new Batch<Activity>(second, second.Length)));
        // A second for the second trace's session create to show up, were it taken (it does within a few ms then).
        await Poll.UntilAsync(() => this.server.Requests.Any(r => r.Body.Contains("second-trace", StringComparison.Ordinal)), TimeSpan.FromSeconds(1));

        var whileHeld = this.server.Requests.Select(r => r.Path + " " + r.Body).ToList();
        release.SetResult();
        var flushed = exporter.ForceFlush((int)Bounded.TotalMilliseconds);

        // Assert: nothing of the second trace went out while the first held the bound; then both were delivered.
        Assert.DoesNotContain(whileHeld, r => r.Contains("second-trace", StringComparison.Ordinal));
        Assert.True(flushed);
        Assert.Equal(2, this.server.Requests.Count(r => r.Path == "/v1/sessions"));
        Assert.Equal(2, this.server.Requests.Count(r => r.Path.EndsWith("/events/batch", StringComparison.Ordinal)));
    }

    /// <summary>Records every activity of <paramref name="source"/> until the returned listener is disposed.</summary>
    private static ActivityListener RecordAll(ActivitySource source)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
