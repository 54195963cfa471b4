// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Grpc.Health.V1;
using Grpc.Net.Client;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.LocalApi;
using HoneyHive.OtelBridge.Receiver.Commands;
using HoneyHive.OtelBridge.Receiver.Hosting;
using HoneyHive.OtelBridge.Receiver.Tests.Otlp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace HoneyHive.OtelBridge.Receiver.Tests.Commands;

public sealed class ServeCommandTests
{
    [Fact]
    public void Create_NoOptions_DefaultsArePortsAndLoopback()
    {
        // Arrange
        var root = Program.BuildRootCommand();

        // Act
        var result = root.Parse(["serve"]);

        // Assert
        Assert.Empty(result.Errors);
        Assert.Equal("serve", result.CommandResult.Command.Name);
        Assert.Equal(4317, result.GetValue<int>("--grpc-port"));
        Assert.Equal(4318, result.GetValue<int>("--http-port"));
        Assert.Equal("127.0.0.1", result.GetValue<string>("--listen"));
        Assert.Equal(4319, result.GetValue<int>("--local-api-port"));
        Assert.Equal(30, result.GetValue<double>("--root-wait"));
        Assert.Equal(64, result.GetValue<int>("--max-request-mib"));
        Assert.EndsWith(".honeyhive-bridge", result.GetValue<string>("--data-dir"), StringComparison.Ordinal);
        Assert.Equal(1024L * 1024 * 1024, result.GetValue<long>("--max-log-bytes"));
        Assert.False(result.GetValue<bool>("--log-fsync"));
        Assert.Equal(64, result.GetValue<int>("--max-concurrent-requests"));
        Assert.Equal(32 * Environment.ProcessorCount, result.GetValue<int>("--max-concurrent-exports"));
        Assert.Equal(0.1, result.GetValue<double>("--event-batch-delay"));
        Assert.Equal(32, result.GetValue<int>("--max-queued-mib"));
    }

    [Theory]
    [InlineData(1024L * 1024 * 1024, 16L * 1024 * 1024)]
    [InlineData(64L * 1024, 8L * 1024)]
    [InlineData(1024L, 128L)]
    public void LogSegmentBytes_Cap_AnEighthAtMostSixteenMiB(long cap, long expected)
    {
        // Arrange
        var settings = new ServeSettings { DataDirectory = "/data", MaxLogBytes = cap };

        // Act
        var segment = settings.LogSegmentBytes;

        // Assert
        Assert.Equal(expected, segment);
        Assert.Equal(Path.Combine("/data", "log"), settings.LogDirectory);
    }

    [Fact]
    public async Task RunAsync_DataDirectoryHeldByAnotherServe_RefusedWithAClearErrorAndTheFirstKeepsRunning()
    {
        // Arrange
        const string Key = "serve-lock-key";
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = Key });
        var dataDir = Directory.CreateTempSubdirectory("serve-lock-").FullName;
        using var logs = new ListLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(logs));
        using var cancellation = new CancellationTokenSource();
        var connection = NoEnvironment();
        connection.ApiKey = Key;
        var settings = new ServeSettings
        {
            Receiver = new OtlpReceiverOptions { GrpcPort = 0, HttpPort = 0 },
            ApiUrl = api.BaseAddress,
            DataDirectory = dataDir,
        };
        var first = ServeCommand.RunAsync(settings, connection, loggerFactory, cancellation.Token);
        try
        {
            await logs.WaitForAsync(@"OTLP/gRPC listening on");
            var second = NoEnvironment();
            second.ApiKey = Key;

            // Act
            var refused = await Assert.ThrowsAsync<DataDirectoryInUseException>(
                () => ServeCommand.RunAsync(settings, second, loggerFactory, CancellationToken.None));

            // Assert
            Assert.Contains(Path.GetFullPath(dataDir), refused.Message, StringComparison.Ordinal);
            Assert.Contains("--data-dir", refused.Message, StringComparison.Ordinal);
            Assert.False(first.IsCompleted);
            Assert.True(Directory.Exists(Path.Combine(dataDir, ServeSettings.LogDirectoryName)));
            Assert.Contains(logs.Lines, l => l.Message.StartsWith("Durable log in " + Path.Combine(dataDir, ServeSettings.LogDirectoryName), StringComparison.Ordinal));
        }
        finally
        {
            await cancellation.CancelAsync();
            Assert.Equal(0, await first.WaitAsync(TimeSpan.FromSeconds(60)));
        }

        // The lock goes with the process that held it: a new serve takes the directory.
        using var again = DataDirectoryLock.Acquire(dataDir, ServeSettings.LockFileName);
        Assert.True(File.Exists(again.Path));
        again.Dispose();
        Directory.Delete(dataDir, recursive: true);
    }

    [Theory]
    [InlineData("http://127.0.0.1:4319", true)]
    [InlineData("https://api.dp1.us.honeyhive.ai/", true)]
    [InlineData("ftp://example.test", false)]
    [InlineData("not a url", false)]
    public void Create_ApiUrl_ParsedAsAbsoluteHttpUrlOrClearError(string value, bool valid)
    {
        // Arrange
        var root = Program.BuildRootCommand();

        // Act
        var result = root.Parse(["serve", "--api-url", value]);

        // Assert
        if (valid)
        {
            Assert.Empty(result.Errors);
            Assert.Equal(new Uri(value), result.GetValue<Uri?>("--api-url"));
        }
        else
        {
            Assert.Contains(result.Errors, e => e.Message.Contains("--api-url must be an absolute http(s) URL", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Create_ApiKeyFlag_IsNotAnOption()
    {
        // Arrange
        var root = Program.BuildRootCommand();

        // Act
        var result = root.Parse(["serve", "--api-key", "secret"]);

        // Assert
        Assert.NotEmpty(result.Errors);
    }

    [Fact]
    public async Task RunAsync_ManySessionsAtOnce_TheFirstGetALineEachTheRestOneSummaryLine()
    {
        // Arrange
        const int Traces = 200;
        await using var serve = new EmbeddedServe();
        var logs = serve.Logs;
        var listening = await logs.WaitForAsync(@"OTLP/gRPC listening on (http://127\.0\.0\.1:\d+/)");
        using var channel = GrpcChannel.ForAddress(listening.Groups[1].Value);
        var request = new ExportTraceServiceRequest();
        for (var i = 0; i < Traces; i++)
        {
            request.ResourceSpans.Add(OtlpRequests.RootWithChild("agent-" + i).Request.ResourceSpans);
        }

        // Act
        await new TraceService.TraceServiceClient(channel).ExportAsync(request);
        long lines = 0, summarized = 0, summarizedEvents = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (lines + summarized < Traces && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            var messages = logs.Lines.Select(l => l.Message).ToList();
            lines = messages.Count(m => m.StartsWith("Delivered session 'agent-", StringComparison.Ordinal));
            var summaries = messages.Select(m => Regex.Match(m, @"^\.\.\. and (\d+) more session\(s\) delivered, (\d+) event\(s\)")).Where(m => m.Success).ToList();
            summarized = summaries.Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            summarizedEvents = summaries.Sum(m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        }

        // Assert: every session is accounted for, most of them in summary lines (a line each for 200 would be
        // the flood the limit exists for); each trace has one event under its session.
        Assert.Equal(Traces, lines + summarized);
        Assert.InRange(lines, SessionLineLimiter.MaxLinesPerSecond, Traces / 2);
        Assert.Equal(summarized, summarizedEvents);
    }

    [Fact]
    public async Task RunAsync_NoKey_EmbeddedLocalApiHealthAndSessionReadableWithoutKey()
    {
        // Arrange
        await using var serve = new EmbeddedServe();
        var logs = serve.Logs;
        var dataDir = serve.DataDirectory;
        var listening = await logs.WaitForAsync(@"OTLP/gRPC listening on (http://127\.0\.0\.1:\d+/); OTLP/HTTP listening on (http://127\.0\.0\.1:\d+)/v1/traces");
        var embedded = await logs.WaitForAsync(@"built-in local API at (http://127\.0\.0\.1:\d+/) \(data in ([^)]+)\)");
        using var http = new HttpClient { BaseAddress = new Uri(listening.Groups[2].Value), Timeout = TimeSpan.FromSeconds(10) };
        using var channel = GrpcChannel.ForAddress(listening.Groups[1].Value);
        var (request, traceId) = OtlpRequests.RootWithChild("embedded-agent");

        // Act
        using var healthz = await http.GetAsync("/healthz");
        var grpcHealth = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        await new TraceService.TraceServiceClient(channel).ExportAsync(request);
        var sessionId = HoneyHiveIds.SessionIdForTrace(ActivityTraceId.CreateFromBytes(traceId));
        await logs.WaitForAsync($"Delivered session 'embedded-agent' \\({sessionId}\\): 1 event");
        using var api = new HttpClient { BaseAddress = new Uri(embedded.Groups[1].Value), Timeout = TimeSpan.FromSeconds(10) };
        using var read = await api.GetAsync($"/v1/sessions/{sessionId}");
        using var write = await api.PostAsync("/v1/sessions", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        // Assert
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, grpcHealth.Status);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var stored = JsonNode.Parse(await read.Content.ReadAsStringAsync())!;
        Assert.Equal("embedded-agent", (string?)stored["session"]!["event_name"]);
        Assert.Single(stored["events"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, write.StatusCode);
        Assert.Equal(Path.Combine(dataDir, ServeSettings.LocalApiDatabaseFile), embedded.Groups[2].Value);
        Assert.True(File.Exists(embedded.Groups[2].Value));
        Assert.Single(logs.Lines, l => l.Message.StartsWith("No HoneyHive API key set", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_Cancelled_DeliversHeldTraceBeforeExiting()
    {
        // Arrange: a real key and URL (an external local API); the root never comes, and the root wait is long,
        // so only the shutdown flush can deliver the span.
        const string Key = "serve-flush-key";
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = Key });
        using var logs = new ListLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(logs));
        using var cancellation = new CancellationTokenSource();
        var connection = NoEnvironment();
        connection.ApiKey = Key;
        var settings = new ServeSettings
        {
            Receiver = new OtlpReceiverOptions { GrpcPort = 0, HttpPort = 0 },
            ApiUrl = api.BaseAddress,
            RootWait = TimeSpan.FromMinutes(10),
            DataDirectory = Path.Combine(Path.GetTempPath(), "serve-flush-" + Guid.NewGuid().ToString("N")),
        };
        var run = ServeCommand.RunAsync(settings, connection, loggerFactory, cancellation.Token);
        var listening = await logs.WaitForAsync(@"OTLP/gRPC listening on (http://127\.0\.0\.1:\d+/)");
        using var channel = GrpcChannel.ForAddress(listening.Groups[1].Value);
        var traceId = OtlpRequests.NewTraceId();
        var orphan = OtlpRequests.Span(traceId, OtlpRequests.NewSpanId(), "chat", 10, 20, ("gen_ai.operation.name", "chat"));
        await new TraceService.TraceServiceClient(channel).ExportAsync(OtlpRequests.Request(orphan));
        var sessionId = HoneyHiveIds.SessionIdForTrace(ActivityTraceId.CreateFromBytes(traceId));

        // Act
        await cancellation.CancelAsync();
        var exitCode = await run.WaitAsync(TimeSpan.FromSeconds(60));

        // Assert
        Assert.Equal(0, exitCode);
        using var http = new HttpClient { BaseAddress = api.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Key);
        var stored = JsonNode.Parse(await http.GetStringAsync($"/v1/sessions/{sessionId}"))!;
        Assert.Contains(stored["events"]!.AsArray(), e => (string?)e!["event_name"] == "chat");
        // Everything was delivered, so the durable log under the data directory holds no record any more.
        Assert.Equal(0L, Directory.EnumerateFiles(settings.LogDirectory).Sum(f => new FileInfo(f).Length - 8));
        Directory.Delete(settings.DataDirectory, recursive: true);
        Assert.DoesNotContain(logs.Lines, l => l.Message.Contains(Key, StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Message.StartsWith("Sending to HoneyHive at", StringComparison.Ordinal));
    }

    private static HoneyHiveConnectionSettings NoEnvironment() => new(new ConfigurationBuilder().Build());

    /// <summary>`serve` with no key (the embedded local API), ephemeral ports and its own data directory; disposing
    /// stops it, checks it exited with 0 and deletes the directory.</summary>
    private sealed class EmbeddedServe : IAsyncDisposable
    {
        private readonly ILoggerFactory loggerFactory;
        private readonly CancellationTokenSource cancellation = new();
        private readonly Task<int> run;

        public EmbeddedServe()
        {
            this.loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(this.Logs));
            var settings = new ServeSettings
            {
                Receiver = new OtlpReceiverOptions { GrpcPort = 0, HttpPort = 0 },
                DataDirectory = this.DataDirectory,
                LocalApiPort = 0,
            };
            this.run = ServeCommand.RunAsync(settings, NoEnvironment(), this.loggerFactory, this.cancellation.Token);
        }

        public string DataDirectory { get; } = Directory.CreateTempSubdirectory("serve-test-").FullName;

        public ListLoggerProvider Logs { get; } = new();

        public async ValueTask DisposeAsync()
        {
            await this.cancellation.CancelAsync();
            Assert.Equal(0, await this.run.WaitAsync(TimeSpan.FromSeconds(60)));
            Directory.Delete(this.DataDirectory, recursive: true);
            this.cancellation.Dispose();
            this.loggerFactory.Dispose();
            this.Logs.Dispose();
        }
    }
}
