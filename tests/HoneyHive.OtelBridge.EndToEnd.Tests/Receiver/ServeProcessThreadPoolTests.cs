// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text.RegularExpressions;
using HoneyHive.OtelBridge.LocalApi;

namespace HoneyHive.OtelBridge.EndToEnd.Tests.Receiver;

/// <summary>
/// The thread pool of the built <c>honeyhive-bridge serve</c> (its own process, its own runtimeconfig): hill climbing
/// off and one worker a core as shipped, four a core with <c>--log-fsync</c>, and hill climbing back on when its
/// environment says <c>DOTNET_HillClimbing_Disable=0</c>. Read from the line <c>serve</c> writes at start.
/// </summary>
[Collection("NonParallel")]
public sealed partial class ServeProcessThreadPoolTests : IDisposable
{
    private const string Key = "hh_ingst_SERVETHREADPOOL0000000000_0123456789";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "hh-serve-threads-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(this.dataDirectory))
        {
            Directory.Delete(this.dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Serve_AsBuilt_HillClimbingOffOneWorkerACore()
    {
        // Arrange
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = Key });

        // Act
        var (workers, hillClimbing) = await this.ReadThreadPoolLineAsync(api.BaseAddress, new Dictionary<string, string>());

        // Assert
        Assert.Equal("off", hillClimbing);
        Assert.Equal(Environment.ProcessorCount, workers);
    }

    [Fact]
    public async Task Serve_LogFsync_FourWorkersACore()
    {
        // Arrange
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = Key });

        // Act
        var (workers, hillClimbing) = await this.ReadThreadPoolLineAsync(api.BaseAddress, new Dictionary<string, string>(), "--log-fsync");

        // Assert
        Assert.Equal("off", hillClimbing);
        Assert.Equal(Environment.ProcessorCount * 4, workers);
    }

    [Fact]
    public async Task Serve_EnvironmentTurnsHillClimbingOn_SaysSo()
    {
        // Arrange
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = Key });

        // Act
        var (_, hillClimbing) = await this.ReadThreadPoolLineAsync(api.BaseAddress, new Dictionary<string, string> { ["DOTNET_HillClimbing_Disable"] = "0" });

        // Assert
        Assert.Equal("on", hillClimbing);
    }

    [GeneratedRegex(@"Thread pool: at least (\d+) worker\(s\), hill climbing (on|off)")]
    private static partial Regex ThreadPoolPattern();

    private async Task<(int Workers, string HillClimbing)> ReadThreadPoolLineAsync(Uri apiUrl, IReadOnlyDictionary<string, string> environment, params string[] extraArgs)
    {
        using var serve = await ServeProcess.StartAsync(Key, apiUrl, this.dataDirectory, environment, extraArgs);
        var line = await serve.WaitForLineAsync(ThreadPoolPattern(), Bound);
        Assert.Equal(0, await serve.StopAsync());
        return (int.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture), line.Groups[2].Value);
    }
}
