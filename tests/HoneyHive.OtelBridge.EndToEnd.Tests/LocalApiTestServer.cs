// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.LocalApi;

namespace HoneyHive.OtelBridge.EndToEnd.Tests;

/// <summary>A local HoneyHive API on 127.0.0.1, port 0, in memory, and a client that reads back what it stored.</summary>
internal sealed class LocalApiTestServer : IAsyncDisposable
{
    public const string ApiKey = "e2e-test-key";

    private LocalApiTestServer(LocalHoneyHiveApi api)
    {
        this.Api = api;
        this.Client = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        this.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
    }

    public LocalHoneyHiveApi Api { get; }

    public Uri BaseAddress => this.Api.BaseAddress;

    public HttpClient Client { get; }

    /// <param name="enableFaultInjection">Whether tests may inject faults (<see cref="LocalHoneyHiveApi.Faults"/>).</param>
    public static async Task<LocalApiTestServer> StartAsync(bool enableFaultInjection = false)
        => new(await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = ApiKey, EnableFaultInjection = enableFaultInjection }));

    /// <summary>Gets <c>{"session": {...}, "events": [...]}</c>, or null when the session is not stored.</summary>
    public async Task<JsonObject?> GetSessionAsync(string sessionId)
    {
        using var response = await this.Client.GetAsync($"/v1/sessions/{sessionId}");
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    /// <summary>Gets the stored events of a session by name (names are unique in the tests' traces).</summary>
    public async Task<Dictionary<string, JsonObject>> GetEventsByNameAsync(string sessionId)
    {
        var stored = await this.GetSessionAsync(sessionId) ?? throw new InvalidOperationException("Session " + sessionId + " is not stored.");
        return stored["events"]!.AsArray().Select(e => e!.AsObject()).ToDictionary(e => (string)e["event_name"]!);
    }

    public async Task<(long Sessions, long Events)> StatsAsync()
    {
        var stats = JsonNode.Parse(await this.Client.GetStringAsync("/_local/stats"))!;
        return (stats["sessions"]!.GetValue<long>(), stats["events"]!.GetValue<long>());
    }

    public async ValueTask DisposeAsync()
    {
        this.Client.Dispose();
        await this.Api.DisposeAsync();
    }
}
