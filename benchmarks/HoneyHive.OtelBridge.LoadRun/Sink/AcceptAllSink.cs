// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace HoneyHive.OtelBridge.LoadRun.Sink;

/// <summary>
/// The HoneyHive API stand-in the bridge sends to: every route answers 200 <c>{"success":true,"event_ids":[]}</c> at
/// once, or after <see cref="Latency"/> (a hosted API's round trip, <c>--sink-latency</c>). It counts sessions and events; while <see cref="Recording"/> is on it also notes, per event id, when the
/// event was accepted (<see cref="Stopwatch"/> ticks), for end-to-end latency.
/// </summary>
internal sealed class AcceptAllSink : IAsyncDisposable
{
    private static readonly byte[] Answer = "{\"success\":true,\"event_ids\":[]}"u8.ToArray();
    private static readonly byte[] EventIdProperty = "\"event_id\":"u8.ToArray();

    private readonly WebApplication app;
    private readonly TimeSpan latency;
    private long sessions;
    private long events;
    private long requests;

    private AcceptAllSink(WebApplication app, TimeSpan latency)
    {
        this.app = app;
        this.latency = latency;
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>Gets the accepted-at time of every event id seen while <see cref="Recording"/> was on.</summary>
    public ConcurrentDictionary<string, long> EventAcceptedAt { get; } = new(StringComparer.Ordinal);

    public bool Recording { get; set; }

    public long Sessions => Interlocked.Read(ref this.sessions);

    public long Events => Interlocked.Read(ref this.events);

    public long Requests => Interlocked.Read(ref this.requests);

    /// <summary>Gets how long each answer waits after its request was read (zero: none).</summary>
    public TimeSpan Latency => this.latency;

    public static async Task<AcceptAllSink> StartAsync(TimeSpan latency = default)
    {
        ListenOptions? listen = null;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(IPAddress.Loopback, 0, l =>
            {
                l.Protocols = HttpProtocols.Http1;
                listen = l;
            });
        });
        var app = builder.Build();
        var sink = new AcceptAllSink(app, latency);
        app.Run(sink.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        sink.Address = new Uri($"http://127.0.0.1:{listen!.IPEndPoint!.Port}/");
        return sink;
    }

    public async ValueTask DisposeAsync()
    {
        await this.app.StopAsync().ConfigureAwait(false);
        await this.app.DisposeAsync().ConfigureAwait(false);
    }

    private static int Count(ReadOnlySpan<byte> body, ReadOnlySpan<byte> needle)
    {
        var count = 0;
        int index;
        while ((index = body.IndexOf(needle)) >= 0)
        {
            count++;
            body = body[(index + needle.Length)..];
        }

        return count;
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref this.requests);
        var (buffer, length) = await ReadBodyAsync(context.Request).ConfigureAwait(false);
        try
        {
            var now = Stopwatch.GetTimestamp();
            var path = context.Request.Path.Value ?? string.Empty;
            var body = buffer.AsSpan(0, length);
            if (context.Request.Method == "POST" && path == "/v1/sessions")
            {
                Interlocked.Increment(ref this.sessions);
            }
            else if (context.Request.Method == "POST" && path.EndsWith("/batch", StringComparison.Ordinal))
            {
                if (this.Recording)
                {
                    Interlocked.Add(ref this.events, this.Record(body, now));
                }
                else
                {
                    Interlocked.Add(ref this.events, Count(body, EventIdProperty));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (this.latency > TimeSpan.Zero)
        {
            await Task.Delay(this.latency, context.RequestAborted).ConfigureAwait(false);
        }

        context.Response.ContentType = "application/json";
        context.Response.ContentLength = Answer.Length;
        await context.Response.Body.WriteAsync(Answer).ConfigureAwait(false);
    }

    /// <summary>Reads the whole body into a pooled array (the caller returns it): batch bodies are hundreds of KB, and a
    /// new array each (a <see cref="MemoryStream"/>, as before) put the sink's own garbage collections on the machine
    /// the bridge is measured on.</summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpRequest request)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is > 0 and <= int.MaxValue ? (int)request.ContentLength.Value : 4096);
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                buffer.AsSpan(0, length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }

            var read = await request.Body.ReadAsync(buffer.AsMemory(length)).ConfigureAwait(false);
            if (read == 0)
            {
                return (buffer, length);
            }

            length += read;
        }
    }

    /// <summary>Notes the <c>event_id</c> of every object of the top-level <c>events</c> array.</summary>
    private int Record(ReadOnlySpan<byte> body, long now)
    {
        var reader = new Utf8JsonReader(body);
        var count = 0;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 3 && reader.ValueTextEquals("event_id"u8))
            {
                reader.Read();
                this.EventAcceptedAt.TryAdd(reader.GetString()!, now);
                count++;
            }
        }

        return count;
    }
}
