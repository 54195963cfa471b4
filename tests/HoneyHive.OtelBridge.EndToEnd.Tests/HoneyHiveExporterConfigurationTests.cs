// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using HoneyHive.OtelBridge.Implementation.Mapping;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace HoneyHive.OtelBridge.EndToEnd.Tests;

/// <summary>Exporter tests that set environment variables or listen to every HTTP span of the process.</summary>
[Collection("NonParallel")]
public sealed class HoneyHiveExporterConfigurationTests
{
    private const int FlushTimeoutMs = 20_000;

    [Fact]
    public async Task AddHoneyHiveExporter_CodeBeatsConfigurationBeatsEnvironment()
    {
        // Arrange: the key only in the environment, the endpoint in configuration and the environment, the source
        // in all three.
        await using var envApi = await LocalApiTestServer.StartAsync();
        await using var configApi = await LocalApiTestServer.StartAsync();
        using var env = new EnvironmentScope(
            ("HH_API_KEY", LocalApiTestServer.ApiKey),
            ("HH_DATA_PLANE_URL", envApi.BaseAddress.ToString()),
            ("HH_SOURCE", "env-source"));
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["HoneyHive:Endpoint"] = configApi.BaseAddress.ToString(),
                ["HoneyHive:Source"] = "config-source",
                ["HoneyHive:ExportProcessorType"] = "Simple",
            })
            .Build();
        using var source = HoneyHiveExporterTests.NewSource();
        using var provider = Sdk.CreateTracerProviderBuilder()
            .ConfigureServices(s => s.AddSingleton<IConfiguration>(configuration))
            .AddSource(source.Name)
            .AddHoneyHiveExporter(o => o.Source = "code-source")
            .Build();

        // Act
        var trace = new AgentTrace(source).Emit();
        var flushed = provider.ForceFlush(FlushTimeoutMs);

        // Assert
        Assert.True(flushed);
        var sessionId = HoneyHiveIds.SessionIdForTrace(trace.Root!.TraceId);
        Assert.Null(await envApi.GetSessionAsync(sessionId));
        var stored = await configApi.GetSessionAsync(sessionId);
        Assert.Equal("code-source", (string?)stored!["session"]!["source"]);
    }

    [Fact]
    public async Task AddHoneyHiveExporter_EnvironmentOnly_ConfiguresTheExporter()
    {
        // Arrange
        await using var api = await LocalApiTestServer.StartAsync();
        using var env = new EnvironmentScope(
            ("HH_INGESTION_API_KEY", LocalApiTestServer.ApiKey),
            ("HH_API_URL", api.BaseAddress.ToString()),
            ("HH_SOURCE", "env-source"));
        using var source = HoneyHiveExporterTests.NewSource();
        using var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(source.Name)
            .AddHoneyHiveExporter()
            .Build();

        // Act
        var trace = new AgentTrace(source).Emit();
        var flushed = provider.ForceFlush(FlushTimeoutMs);

        // Assert
        Assert.True(flushed);
        var stored = await api.GetSessionAsync(HoneyHiveIds.SessionIdForTrace(trace.Root!.TraceId));
        Assert.Equal("env-source", (string?)stored!["session"]!["source"]);
    }

    [Fact]
    public void Build_MissingApiKey_FailsFastNamingTheSetting()
    {
        // Arrange
        using var env = new EnvironmentScope();
        var builder = Sdk.CreateTracerProviderBuilder().AddHoneyHiveExporter();

        // Act
        var error = Assert.Throws<HoneyHiveExporterValidationException>(() => builder.Build());

        // Assert
        Assert.Contains("HoneyHiveExporterOptions.ApiKey", error.Message, StringComparison.Ordinal);
        Assert.Contains("HoneyHive:ApiKey", error.Message, StringComparison.Ordinal);
        Assert.Contains("HH_INGESTION_API_KEY", error.Message, StringComparison.Ordinal);
        Assert.Contains("HH_API_KEY", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetTracerProvider_HostingMissingApiKey_FailsFast()
    {
        // Arrange
        using var env = new EnvironmentScope();
        var services = new ServiceCollection();
        services.AddOpenTelemetry().WithTracing(tracing => tracing.AddHoneyHiveExporter("named", _ => { }));
        using var serviceProvider = services.BuildServiceProvider();

        // Act & Assert
        var error = Assert.Throws<HoneyHiveExporterValidationException>(() => serviceProvider.GetRequiredService<TracerProvider>());
        Assert.Contains("HoneyHiveExporterOptions.ApiKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_HttpClientInstrumentationOn_ExportersOwnRequestsAreNotTraced()
    {
        // Arrange: the app calls another server (a positive control) while the exporter sends to its API.
        await using var api = await LocalApiTestServer.StartAsync();
        await using var appTarget = await LocalApiTestServer.StartAsync();
        using var source = HoneyHiveExporterTests.NewSource();
        var exported = new List<Activity>();
        using var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(source.Name)
            .AddHttpClientInstrumentation()
            .AddInMemoryExporter(exported)
            .AddHoneyHiveExporter(o => HoneyHiveExporterTests.Configure(o, api, ExportProcessorType.Simple))
            .Build();
        using var appClient = new HttpClient();

        // Act
        var trace = new AgentTrace(source).Emit();
        (await appClient.GetAsync(new Uri(appTarget.BaseAddress, "/_local/health"))).Dispose();
        var flushed = provider.ForceFlush(FlushTimeoutMs);
        var spans = exported.ToList();
        provider.Dispose();
        var sessionStored = await api.GetSessionAsync(HoneyHiveIds.SessionIdForTrace(trace.Root!.TraceId)) is not null;

        // Assert
        Assert.True(flushed);
        Assert.True(sessionStored);
        var httpSpans = spans.Where(a => a.GetTagItem("url.full") is not null).ToList();
        Assert.Contains(httpSpans, a => ((string)a.GetTagItem("url.full")!).StartsWith(appTarget.BaseAddress.ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain(httpSpans, a => ((string)a.GetTagItem("url.full")!).StartsWith(api.BaseAddress.ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain(spans, a => a.GetTagItem("server.port") is int port && port == api.BaseAddress.Port);
    }
}
