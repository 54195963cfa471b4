// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Grpc.Core;

namespace HoneyHive.OtelBridge.LoadRun.Generation;

/// <summary>
/// Drives several OTLP/gRPC clients against one receiver: closed loop (<see cref="SaturateAsync"/>: each client sends
/// its next request as soon as the last is acknowledged, and re-sends a request answered UNAVAILABLE after 5 ms, as an
/// exporter retries) or open loop at a fixed rate (<see cref="OfferAsync"/>: requests leave on schedule whatever the
/// answers, at most a bounded number in flight per client; nothing is re-sent).
/// </summary>
internal sealed class LoadGenerator : IDisposable
{
    private readonly OtlpLoadClient[] clients;
    private readonly TraceStream[] streams;

    public LoadGenerator(Uri address, int clients)
    {
        var prefix = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        this.clients = new OtlpLoadClient[clients];
        this.streams = new TraceStream[clients];
        for (var i = 0; i < clients; i++)
        {
            this.clients[i] = new OtlpLoadClient(address);
            this.streams[i] = new TraceStream(prefix, (ushort)i);
        }
    }

    /// <summary>Closed loop for <paramref name="warmup"/> then <paramref name="measured"/>; counts only the measured part.</summary>
    public async Task<LoadCounts> SaturateAsync(TimeSpan warmup, TimeSpan measured, Action onMeasureStart, Action onMeasureEnd)
    {
        var counts = new LoadCounts();
        using var stop = new CancellationTokenSource();
        var measuring = 0;
        var tasks = this.clients.Select((client, i) => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var request = this.streams[i].Next();
                while (!stop.IsCancellationRequested)
                {
                    var started = Stopwatch.GetTimestamp();
                    var status = await client.SendAsync(request.Body, CancellationToken.None).ConfigureAwait(false);
                    var counted = Volatile.Read(ref measuring) == 1;
                    if (status == StatusCode.OK)
                    {
                        if (counted)
                        {
                            counts.Ok(request.Spans, Stopwatch.GetElapsedTime(started));
                        }

                        break;
                    }

                    if (counted)
                    {
                        counts.Failed(status);
                    }

                    if (status != StatusCode.Unavailable)
                    {
                        break;
                    }

                    await Task.Delay(5).ConfigureAwait(false);
                }
            }
        })).ToArray();

        await Task.Delay(warmup).ConfigureAwait(false);
        onMeasureStart();
        var begin = Stopwatch.GetTimestamp();
        Volatile.Write(ref measuring, 1);
        await Task.Delay(measured).ConfigureAwait(false);
        Volatile.Write(ref measuring, 0);
        counts.Elapsed = Stopwatch.GetElapsedTime(begin);
        onMeasureEnd();
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(tasks).ConfigureAwait(false);
        await this.CloseAsync().ConfigureAwait(false);
        return counts;
    }

    /// <summary>Open loop: <paramref name="spansPerSecond"/> offered for <paramref name="duration"/>.</summary>
    public async Task<LoadCounts> OfferAsync(double spansPerSecond, TimeSpan duration, int maxInFlightPerClient, ConcurrentQueue<LoadRequest>? acknowledged)
    {
        var counts = new LoadCounts();
        var interval = TimeSpan.FromSeconds(this.clients.Length * TraceStream.SteadyRequestSpans / spansPerSecond);
        var begin = Stopwatch.GetTimestamp();
        var tasks = this.clients.Select((client, i) => Task.Run(async () =>
        {
            var inFlight = 0;
            var pending = new List<Task>();
            for (var k = 0L; ; k++)
            {
                var due = (interval * k) + TimeSpan.FromMilliseconds(i * interval.TotalMilliseconds / this.clients.Length);
                if (due >= duration)
                {
                    break;
                }

                var wait = due - Stopwatch.GetElapsedTime(begin);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait).ConfigureAwait(false);
                }

                if (Volatile.Read(ref inFlight) >= maxInFlightPerClient)
                {
                    counts.NotSent(TraceStream.SteadyRequestSpans);
                    continue;
                }

                var request = this.streams[i].Next();
                counts.Offered(request.Spans);
                Interlocked.Increment(ref inFlight);
                pending.Add(Send(client, request));
            }

            await Task.WhenAll(pending).ConfigureAwait(false);

            async Task Send(OtlpLoadClient client, LoadRequest request)
            {
                var started = Stopwatch.GetTimestamp();
                var status = await client.SendAsync(request.Body, CancellationToken.None).ConfigureAwait(false);
                Interlocked.Decrement(ref inFlight);
                if (status == StatusCode.OK)
                {
                    request.AckedAt = Stopwatch.GetTimestamp();
                    counts.Ok(request.Spans, Stopwatch.GetElapsedTime(started));
                    acknowledged?.Enqueue(request);
                }
                else
                {
                    counts.Failed(status);
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks).ConfigureAwait(false);
        counts.Elapsed = Stopwatch.GetElapsedTime(begin);
        await this.CloseAsync(acknowledged).ConfigureAwait(false);
        return counts;
    }

    public void Dispose()
    {
        foreach (var client in this.clients)
        {
            client.Dispose();
        }
    }

    /// <summary>Sends the second halves still pending, so no trace is left waiting for its root (not counted).</summary>
    private async Task CloseAsync(ConcurrentQueue<LoadRequest>? acknowledged = null)
    {
        await Task.WhenAll(this.clients.Select(async (client, i) =>
        {
            if (this.streams[i].Close() is { } request && await client.SendAsync(request.Body, CancellationToken.None).ConfigureAwait(false) == StatusCode.OK)
            {
                request.AckedAt = Stopwatch.GetTimestamp();
                acknowledged?.Enqueue(request);
            }
        })).ConfigureAwait(false);
    }
}
