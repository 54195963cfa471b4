// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace HoneyHive.OtelBridge.LoadRun.Exporters;

/// <summary>
/// The HTTP requests the mapping contract needs, and nothing else: per trace one <c>POST /v1/sessions</c> (DESIGN.md:
/// a session per trace, created before its events) and per 100 other spans one cross-session
/// <c>POST /v1/events/batch</c> (the API's largest batch), through an <see cref="HttpClient"/> set up as the HoneyHive
/// exporter's own is (<c>HoneyHiveApiClient.CreateDefaultHttpClient</c>). The bodies are fixed bytes made once (an
/// <c>event_id</c> per event, so the sink counts the spans). The floors of the load run (<see cref="ContractFloorExporter"/>,
/// the floor receiver) send through it: what they cost is what keeping the contract over <see cref="HttpClient"/> costs
/// at the least.
/// </summary>
internal sealed class ContractFloorRequests : IDisposable
{
    /// <summary>The most events the API takes in one batch.</summary>
    public const int BatchEvents = 100;

    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly byte[] Session = Encoding.UTF8.GetBytes("{\"session_id\":\"00000000-0000-4000-8000-000000000000\",\"inputs\":{}}");

    private readonly HttpClient http;
    private readonly Uri sessions;
    private readonly Uri events;
    private readonly byte[]?[] batches = new byte[BatchEvents + 1][];

    /// <summary>Initializes a new instance of the <see cref="ContractFloorRequests"/> class.</summary>
    /// <param name="endpoint">The API's base address.</param>
    public ContractFloorRequests(Uri endpoint)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
        };
        this.http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        this.http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "hh_loadrun_placeholder_key");
        this.sessions = new Uri(endpoint, "v1/sessions");
        this.events = new Uri(endpoint, "v1/events/batch");
    }

    /// <summary>Sends one <c>POST /v1/sessions</c> and waits for its answer (the calling thread blocks).</summary>
    public void PostSession() => this.Send(this.sessions, Session);

    /// <summary>Sends one <c>POST /v1/events/batch</c> of <paramref name="count"/> events and waits for its answer.</summary>
    /// <param name="count">The events, 1 to <see cref="BatchEvents"/>.</param>
    public void PostEvents(int count) => this.Send(this.events, this.EventsBody(count));

    /// <summary>Sends one <c>POST /v1/sessions</c>.</summary>
    /// <returns>A task that completes with the answer.</returns>
    public Task PostSessionAsync() => this.SendAsync(this.sessions, Session);

    /// <summary>Sends one <c>POST /v1/events/batch</c> of <paramref name="count"/> events.</summary>
    /// <param name="count">The events, 1 to <see cref="BatchEvents"/>.</param>
    /// <returns>A task that completes with the answer.</returns>
    public Task PostEventsAsync(int count) => this.SendAsync(this.events, this.EventsBody(count));

    public void Dispose() => this.http.Dispose();

    private static HttpRequestMessage Request(Uri address, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, address) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = Json;
        return request;
    }

    private void Send(Uri address, byte[] body)
    {
        using var request = Request(address, body);
        using var response = this.http.Send(request);
        response.EnsureSuccessStatusCode();
    }

    private async Task SendAsync(Uri address, byte[] body)
    {
        using var request = Request(address, body);
        using var response = await this.http.SendAsync(request).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    private byte[] EventsBody(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, BatchEvents);
        return this.batches[count] ??= Make(count);

        static byte[] Make(int count)
        {
            var text = new StringBuilder("{\"events\":[");
            for (var i = 0; i < count; i++)
            {
                text.Append(i == 0 ? string.Empty : ",").Append("{\"event_id\":\"0\",\"session_id\":\"00000000-0000-4000-8000-000000000000\",\"event_type\":\"chain\",\"inputs\":{}}");
            }

            return Encoding.UTF8.GetBytes(text.Append("]}").ToString());
        }
    }
}
