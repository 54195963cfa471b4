// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Pipeline;
using HoneyHive.OtelBridge.LocalApi;
using HoneyHive.OtelBridge.Receiver.Hosting;
using HoneyHive.OtelBridge.Receiver.Otlp;

namespace HoneyHive.OtelBridge.EndToEnd.Tests.Receiver;

/// <summary>
/// The receiver on real loopback sockets (127.0.0.1, ephemeral ports) in front of the bridge pipeline, which delivers to
/// a local API on 127.0.0.1:0 (fault injection on).
/// </summary>
internal sealed class ReceiverEndToEndServer : IAsyncDisposable
{
    public const string ApiKey = "receiver-e2e-key";

    private readonly HttpClient apiHttp;
    private readonly HttpClient deliveryHttp;

    private ReceiverEndToEndServer(LocalHoneyHiveApi api, HttpClient deliveryHttp, BridgePipeline pipeline, OtlpReceiverHost host)
    {
        this.Api = api;
        this.deliveryHttp = deliveryHttp;
        this.Pipeline = pipeline;
        this.Host = host;
        this.apiHttp = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        this.apiHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
    }

    public LocalHoneyHiveApi Api { get; }

    public BridgePipeline Pipeline { get; }

    public OtlpReceiverHost Host { get; }

    public static async Task<ReceiverEndToEndServer> StartAsync(BridgePipelineOptions? pipelineOptions = null, OtlpReceiverOptions? receiverOptions = null)
    {
        var api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = ApiKey, EnableFaultInjection = true });
        var http = HoneyHiveApiClient.CreateDefaultHttpClient();
        var client = new HoneyHiveApiClient(http, new HoneyHiveConnectionSettings { ApiKey = ApiKey, BaseUrl = api.BaseAddress });
        var pipeline = new BridgePipeline(client, pipelineOptions);
        var host = await OtlpReceiverHost.StartAsync(
            receiverOptions ?? new OtlpReceiverOptions { GrpcPort = 0, HttpPort = 0 },
            new PipelineSpanIngress(pipeline));
        return new ReceiverEndToEndServer(api, http, pipeline, host);
    }

    public async Task FlushAsync()
    {
        Assert.True(await this.Pipeline.FlushAsync(TimeSpan.FromSeconds(60)), "The pipeline did not deliver everything within 60 s.");
    }

    public async Task<JsonObject> GetSessionAsync(string sessionId)
    {
        using var response = await this.apiHttp.GetAsync($"/v1/sessions/{sessionId}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET session {sessionId}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public async Task<bool> SessionExistsAsync(string sessionId)
    {
        using var response = await this.apiHttp.GetAsync($"/v1/sessions/{sessionId}");
        return response.IsSuccessStatusCode;
    }

    public async Task<(long Sessions, long Events)> StatsAsync()
    {
        var stats = JsonNode.Parse(await this.apiHttp.GetStringAsync("/_local/stats"))!;
        return (stats["sessions"]!.GetValue<long>(), stats["events"]!.GetValue<long>());
    }

    public async ValueTask DisposeAsync()
    {
        await this.Host.DisposeAsync();
        this.Pipeline.Dispose();
        this.deliveryHttp.Dispose();
        this.apiHttp.Dispose();
        await this.Api.DisposeAsync();
    }
}
