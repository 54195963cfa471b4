// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Net;

namespace HoneyHive.OtelBridge.LocalApi.Tests;

public sealed class LocalHoneyHiveApiTests
{
    [Fact]
    public async Task StartAsync_PortZero_BaseAddressIsBoundLoopbackPort()
    {
        // Arrange
        var options = new LocalApiOptions { Port = 0, ApiKey = "test-key" };

        // Act
        await using var api = await LocalHoneyHiveApi.StartAsync(options);

        // Assert
        Assert.Equal("http", api.BaseAddress.Scheme);
        Assert.Equal("127.0.0.1", api.BaseAddress.Host);
        Assert.NotEqual(0, api.BaseAddress.Port);
        using var client = new HttpClient { BaseAddress = api.BaseAddress };
        using var response = await client.GetAsync("/_local/stats");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void Options_Defaults_AreDocumentedValues()
    {
        // Arrange
        // Act
        var options = new LocalApiOptions();

        // Assert
        Assert.Equal(4319, options.Port);
        Assert.Equal("127.0.0.1", options.ListenAddress);
        Assert.Null(options.DatabasePath);
        Assert.Null(options.ApiKey);
        Assert.False(options.EnableFaultInjection);
    }

    [Theory]
    [InlineData("not-an-address", 0)]
    [InlineData("127.0.0.1", -1)]
    [InlineData("127.0.0.1", 65536)]
    public async Task StartAsync_InvalidAddressOrPort_Throws(string address, int port)
    {
        // Arrange
        var options = new LocalApiOptions { ListenAddress = address, Port = port };

        // Act
        var exception = await Record.ExceptionAsync(() => LocalHoneyHiveApi.StartAsync(options));

        // Assert
        Assert.IsAssignableFrom<ArgumentException>(exception);
    }

    [Fact]
    public async Task StartAsync_SameDatabaseFileAfterRestart_ReadsBackSessionsAndEvents()
    {
        // Arrange
        var path = Path.Combine(Path.GetTempPath(), $"localapi-{Guid.NewGuid():N}.db");
        const string SessionId = "caf77ace-3417-4da4-944d-f4a0688f3c23";
        try
        {
            await using (var first = await LocalApiTestServer.StartAsync(o => o.DatabasePath = path))
            {
                await first.CreateSessionAsync(SessionId);
                var batch = await first.PostAsync(
                    $"/v1/sessions/{SessionId}/events/batch",
                    """{"events": [{"event_id": "7f22137a-6911-4ed3-bc36-110f1dde6b66", "event_type": "model", "inputs": {"q": "hi"}}]}""");
                Assert.Equal(HttpStatusCode.OK, batch.Status);
            }

            // Act
            await using var second = await LocalApiTestServer.StartAsync(o => o.DatabasePath = path);
            var response = await second.GetAsync($"/v1/sessions/{SessionId}");

            // Assert
            Assert.Equal(HttpStatusCode.OK, response.Status);
            Assert.Equal("s", response.Body!["session"]!["event_name"]!.GetValue<string>());
            var stored = Assert.Single(response.Body!["events"]!.AsArray());
            Assert.Equal("hi", stored!["inputs"]!["q"]!.GetValue<string>());
            Assert.Equal((1L, 1L), await second.StatsAsync());
        }
        finally
        {
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    [Fact]
    public async Task StartAsync_InMemoryDatabase_StartsEmptyEachTime()
    {
        // Arrange
        await using (var first = await LocalApiTestServer.StartAsync())
        {
            await first.CreateSessionAsync();
        }

        // Act
        await using var second = await LocalApiTestServer.StartAsync();

        // Assert
        Assert.Equal((0L, 0L), await second.StatsAsync());
    }

    [Fact]
    public async Task StopAsync_Stopped_RefusesConnections()
    {
        // Arrange
        await using var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0 });
        using var client = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

        // Act
        await api.StopAsync();
        var exception = await Record.ExceptionAsync(() => client.GetAsync("/_local/stats"));

        // Assert
        Assert.IsType<HttpRequestException>(exception);
    }
}
