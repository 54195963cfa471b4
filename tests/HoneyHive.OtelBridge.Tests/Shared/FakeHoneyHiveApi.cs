// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HoneyHive.OtelBridge.Tests.Shared;

/// <summary>One request the fake received.</summary>
internal sealed record RecordedRequest(
    int Index,
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    long Timestamp);

/// <summary>What the fake answers.</summary>
internal sealed record FakeResponse(int StatusCode, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null)
{
    public static FakeResponse Ok(string body = "{\"success\":true}") => new(200, body);
}

/// <summary>
/// A loopback HTTP server (Kestrel on 127.0.0.1, ephemeral port) standing in for the HoneyHive API: it records
/// every request and answers what <see cref="Respond"/> says (default 200 <c>{"success":true}</c>).
/// </summary>
internal sealed class FakeHoneyHiveApi : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<RecordedRequest> requests = new();
    private int count;

    private FakeHoneyHiveApi(WebApplication app)
    {
        this.app = app;
    }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Gets or sets the answer for a request (may await, e.g. a gate).</summary>
    public Func<RecordedRequest, Task<FakeResponse>> Respond { get; set; } = _ => Task.FromResult(FakeResponse.Ok());

    public IReadOnlyList<RecordedRequest> Requests => [.. this.requests.OrderBy(r => r.Index)];

    public static async Task<FakeHoneyHiveApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeHoneyHiveApi(app);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        fake.BaseUrl = new Uri(address);
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await this.app.StopAsync(stop.Token);
        await this.app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var recorded = new RecordedRequest(
            Interlocked.Increment(ref this.count),
            context.Request.Method,
            context.Request.Path.Value + context.Request.QueryString.Value,
            headers,
            body,
            Stopwatch.GetTimestamp());
        this.requests.Enqueue(recorded);

        var response = await this.Respond(recorded);
        context.Response.StatusCode = response.StatusCode;
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (response.Body is not null)
        {
            context.Response.ContentType = response.Body.StartsWith('{') ? "application/json" : "text/html";
            await context.Response.WriteAsync(response.Body, context.RequestAborted);
        }
    }
}
