// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace HoneyHive.OtelBridge.LocalApi.Tests;

/// <summary>
/// A local API on an ephemeral loopback port (127.0.0.1, port 0) and a client that sends the test key.
/// Other test projects can copy this fixture: <c>await using var server = await LocalApiTestServer.StartAsync();</c>.
/// </summary>
internal sealed class LocalApiTestServer : IAsyncDisposable
{
    public const string ApiKey = "test-key";
    public const string Bearer = "Bearer " + ApiKey;

    private LocalApiTestServer(LocalHoneyHiveApi api)
    {
        this.Api = api;
        this.Client = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public LocalHoneyHiveApi Api { get; }

    public HttpClient Client { get; }

    public static async Task<LocalApiTestServer> StartAsync(Action<LocalApiOptions>? configure = null)
    {
        var options = new LocalApiOptions { Port = 0, ApiKey = ApiKey };
        configure?.Invoke(options);
        return new LocalApiTestServer(await LocalHoneyHiveApi.StartAsync(options));
    }

    public Task<ApiResponse> PostAsync(string path, string json) => this.SendAsync(HttpMethod.Post, path, json);

    public Task<ApiResponse> PutAsync(string path, string json) => this.SendAsync(HttpMethod.Put, path, json);

    public Task<ApiResponse> GetAsync(string path) => this.SendAsync(HttpMethod.Get, path, null);

    public Task<ApiResponse> DeleteAsync(string path) => this.SendAsync(HttpMethod.Delete, path, null);

    /// <summary>Sends a request; <paramref name="authorization"/> is the raw Authorization header (null: none).</summary>
    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, string? json, string? authorization = Bearer)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await this.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new ApiResponse(response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response.Headers, response.Content.Headers);
    }

    /// <summary>Creates a session and returns its id.</summary>
    public async Task<string> CreateSessionAsync(string? sessionId = null)
    {
        sessionId ??= Guid.NewGuid().ToString();
        var response = await this.PostAsync("/v1/sessions", $$"""{"session_id": "{{sessionId}}", "session_name": "s"}""");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return sessionId;
    }

    public async Task<(long Sessions, long Events)> StatsAsync()
    {
        var stats = await this.GetAsync("/_local/stats");
        Assert.Equal(HttpStatusCode.OK, stats.Status);
        return (stats.Body!["sessions"]!.GetValue<long>(), stats.Body!["events"]!.GetValue<long>());
    }

    public async ValueTask DisposeAsync()
    {
        this.Client.Dispose();
        await this.Api.DisposeAsync();
    }
}
