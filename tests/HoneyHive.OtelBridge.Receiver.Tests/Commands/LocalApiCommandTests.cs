// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.CommandLine;
using System.Net;
using System.Text.RegularExpressions;
using HoneyHive.OtelBridge.LocalApi;
using HoneyHive.OtelBridge.Receiver.Commands;

namespace HoneyHive.OtelBridge.Receiver.Tests.Commands;

public sealed class LocalApiCommandTests
{
    [Fact]
    public void Create_RegisteredOnRoot_ParsesPortDbAndApiKey()
    {
        // Arrange
        var root = Program.BuildRootCommand();

        // Act
        var result = root.Parse(["local-api", "--port", "5000", "--db", "/tmp/x.db", "--api-key", "k"]);

        // Assert
        Assert.Empty(result.Errors);
        Assert.Equal("local-api", result.CommandResult.Command.Name);
        Assert.Equal(5000, result.GetValue<int>("--port"));
        Assert.Equal("/tmp/x.db", result.GetValue<string?>("--db"));
        Assert.Equal("k", result.GetValue<string?>("--api-key"));
    }

    [Fact]
    public void Create_NoOptions_DefaultsToPort4319()
    {
        // Arrange
        var root = Program.BuildRootCommand();

        // Act
        var result = root.Parse(["local-api"]);

        // Assert
        Assert.Empty(result.Errors);
        Assert.Equal(4319, result.GetValue<int>("--port"));
        Assert.Null(result.GetValue<string?>("--api-key"));
    }

    [Fact]
    public async Task RunAsync_PortZero_PrintsUrlServesUntilCancelled()
    {
        // Arrange
        using var output = new StringWriter();
        using var cancellation = new CancellationTokenSource();
        var run = LocalApiCommand.RunAsync(new LocalApiOptions { Port = 0, ApiKey = "k" }, output, cancellation.Token);
        Match match = Match.Empty;
        for (var i = 0; i < 200 && !match.Success; i++)
        {
            await Task.Delay(50);
            match = Regex.Match(output.ToString(), @"http://127\.0\.0\.1:\d+/");
        }

        Assert.True(match.Success, output.ToString());
        using var client = new HttpClient { BaseAddress = new Uri(match.Value), Timeout = TimeSpan.FromSeconds(10) };

        // Act
        using var response = await client.GetAsync("/_local/stats");
        await cancellation.CancelAsync();
        var exitCode = await run.WaitAsync(TimeSpan.FromSeconds(30));

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, exitCode);
        Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task RunAsync_StopAskedBeforeStarted_StartsThenStopsWithExitCodeZero()
    {
        // Arrange: Ctrl+C / SIGTERM reached the process while the command was still starting.
        using var output = new StringWriter();
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        // Act
        var exitCode = await LocalApiCommand.RunAsync(new LocalApiOptions { Port = 0, ApiKey = "k" }, output, cancellation.Token)
            .WaitAsync(TimeSpan.FromSeconds(30));

        // Assert: the usual way out, and the port it had taken is free again.
        Assert.Equal(0, exitCode);
        var match = Regex.Match(output.ToString(), @"http://127\.0\.0\.1:(\d+)/");
        Assert.True(match.Success, output.ToString());
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        listener.Start();
        listener.Stop();
    }
}
