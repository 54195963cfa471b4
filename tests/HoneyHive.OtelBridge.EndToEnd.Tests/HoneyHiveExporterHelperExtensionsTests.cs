// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using HoneyHive.OtelBridge.Implementation.Mapping;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace HoneyHive.OtelBridge.EndToEnd.Tests;

public sealed class HoneyHiveExporterHelperExtensionsTests
{
    private const int FlushTimeoutMs = 20_000;

    [Fact]
    public void AddHoneyHiveExporter_BadArgs_ThrowArgumentNullException()
    {
        // Arrange
        TracerProviderBuilder? builder = null;

        // Act & Assert
        Assert.Throws<ArgumentNullException>(() => builder!.AddHoneyHiveExporter());
        Assert.Throws<ArgumentNullException>(() => builder!.AddHoneyHiveExporter(_ => { }));
        Assert.Throws<ArgumentNullException>(() => builder!.AddHoneyHiveExporter("named", null));
    }

    [Fact]
    public async Task AddHoneyHiveExporter_NamedOptionsSupported()
    {
        // Arrange: one provider, two named exporters, each with its own API and source.
        await using var first = await LocalApiTestServer.StartAsync();
        await using var second = await LocalApiTestServer.StartAsync();
        using var source = HoneyHiveExporterTests.NewSource();
        var defaultConfigured = 0;
        using var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(source.Name)
            .ConfigureServices(s => s.Configure<HoneyHiveExporterOptions>(_ => defaultConfigured++))
            .AddHoneyHiveExporter("first", o => { HoneyHiveExporterTests.Configure(o, first, ExportProcessorType.Simple); o.Source = "first-source"; })
            .AddHoneyHiveExporter("second", o => { HoneyHiveExporterTests.Configure(o, second, ExportProcessorType.Simple); o.Source = "second-source"; })
            .Build();

        // Act
        var trace = new AgentTrace(source).Emit();
        var flushed = provider.ForceFlush(FlushTimeoutMs);

        // Assert
        Assert.True(flushed);
        Assert.Equal(0, defaultConfigured);
        var sessionId = HoneyHiveIds.SessionIdForTrace(trace.Root!.TraceId);
        Assert.Equal("first-source", (string?)(await first.GetSessionAsync(sessionId))!["session"]!["source"]);
        Assert.Equal("second-source", (string?)(await second.GetSessionAsync(sessionId))!["session"]!["source"]);
    }

    [Fact]
    public async Task AddHoneyHiveExporter_TwoProvidersWithNamedOptions_EachSendsToItsOwnApi()
    {
        // Arrange
        await using var first = await LocalApiTestServer.StartAsync();
        await using var second = await LocalApiTestServer.StartAsync();
        using var firstSource = HoneyHiveExporterTests.NewSource();
        using var secondSource = HoneyHiveExporterTests.NewSource();
        using var firstProvider = Sdk.CreateTracerProviderBuilder()
            .AddSource(firstSource.Name)
            .AddHoneyHiveExporter("a", o => HoneyHiveExporterTests.Configure(o, first, ExportProcessorType.Simple))
            .Build();
        using var secondProvider = Sdk.CreateTracerProviderBuilder()
            .AddSource(secondSource.Name)
            .AddHoneyHiveExporter("b", o => HoneyHiveExporterTests.Configure(o, second, ExportProcessorType.Batch))
            .Build();

        // Act
        var firstTrace = new AgentTrace(firstSource).Emit();
        var secondTrace = new AgentTrace(secondSource).Emit();
        var flushed = firstProvider.ForceFlush(FlushTimeoutMs) && secondProvider.ForceFlush(FlushTimeoutMs);

        // Assert
        Assert.True(flushed);
        var firstSession = HoneyHiveIds.SessionIdForTrace(firstTrace.Root!.TraceId);
        var secondSession = HoneyHiveIds.SessionIdForTrace(secondTrace.Root!.TraceId);
        Assert.NotNull(await first.GetSessionAsync(firstSession));
        Assert.Null(await first.GetSessionAsync(secondSession));
        Assert.NotNull(await second.GetSessionAsync(secondSession));
        Assert.Null(await second.GetSessionAsync(firstSession));
    }

    [Fact]
    public async Task AddHoneyHiveExporter_HostingWithTracingAndNamedOptions_SendsThroughTheNamedHttpClient()
    {
        // Arrange
        await using var api = await LocalApiTestServer.StartAsync();
        using var source = HoneyHiveExporterTests.NewSource();
        var handler = new CountingHandler();
        var services = new ServiceCollection();
        services.AddHttpClient("HoneyHiveExporter").AddHttpMessageHandler(() => handler);
        services.AddOpenTelemetry().WithTracing(tracing => tracing
            .AddSource(source.Name)
            .AddHoneyHiveExporter("hosted", o => HoneyHiveExporterTests.Configure(o, api, ExportProcessorType.Batch)));
        await using var serviceProvider = services.BuildServiceProvider();
        var provider = serviceProvider.GetRequiredService<TracerProvider>();

        // Act
        var trace = new AgentTrace(source).Emit();
        var flushed = provider.ForceFlush(FlushTimeoutMs);

        // Assert
        Assert.True(flushed);
        Assert.NotNull(await api.GetSessionAsync(HoneyHiveIds.SessionIdForTrace(trace.Root!.TraceId)));
        Assert.True(handler.Requests >= 2, "the named IHttpClientFactory client carried the session and batch calls");
    }

    private sealed class CountingHandler : DelegatingHandler
    {
        private int requests;

        public int Requests => Volatile.Read(ref this.requests);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref this.requests);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
