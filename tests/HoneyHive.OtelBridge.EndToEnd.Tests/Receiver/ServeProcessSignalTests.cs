// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.RegularExpressions;
using HoneyHive.OtelBridge.LocalApi;

namespace HoneyHive.OtelBridge.EndToEnd.Tests.Receiver;

/// <summary>
/// SIGTERM to the built <c>honeyhive-bridge serve</c> process while it is still starting: it stops the way it does
/// once listening (stop listening, deliver what is held, exit 0), not by the signal's default action (the process
/// killed, exit 143, nothing flushed).
/// </summary>
[Collection("NonParallel")]
public sealed class ServeProcessSignalTests : IDisposable
{
    private const string Key = "hh_ingst_SERVESIGNALS00000000000000_0123456789";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "hh-serve-signals-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(this.dataDirectory))
        {
            Directory.Delete(this.dataDirectory, recursive: true);
        }
    }

    [Theory]
    [InlineData("Sending to HoneyHive at")]
    [InlineData("listening on")]
    public async Task Serve_SigtermAtAStartLine_StopsGracefullyWithExitZero(string line)
    {
        // Arrange
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = Key });
        using var serve = ServeProcess.Launch(Key, api.BaseAddress, this.dataDirectory, new Dictionary<string, string>());
        await serve.WaitForLineAsync(new Regex(Regex.Escape(line)), Bound);

        // Act
        var exit = await serve.StopAsync();

        // Assert
        Assert.Equal(0, exit);
        Assert.Contains(serve.Lines, l => l.Contains("Stopped: 0 request(s) delivered", StringComparison.Ordinal));
    }
}
