// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Threading.Channels;
using HoneyHive.OtelBridge.LoadRun.Exporters;

namespace HoneyHive.OtelBridge.LoadRun.Targets;

/// <summary>
/// The floor receiver's delivery (<c>--null-receiver --endpoint URL</c>): the contract's requests for the spans the
/// null receiver decoded (<see cref="ContractFloorRequests"/>: a session a root span, a batch per 100 other spans), at
/// most <see cref="Concurrency"/> in flight, as <c>serve</c>'s <c>--max-concurrent-requests</c> default. An export is
/// answered once its requests are queued; a full queue holds the answer back, so in a closed loop the acknowledged
/// rate is the rate the sink receives.
/// </summary>
internal sealed class ContractFloorSender : IDisposable
{
    /// <summary>The requests in flight at once (<c>serve</c>'s default).</summary>
    public const int Concurrency = 64;

    private readonly ContractFloorRequests requests;
    private readonly Channel<int> queue = Channel.CreateBounded<int>(new BoundedChannelOptions(1024) { SingleReader = false, SingleWriter = false });
    private readonly Task[] workers;
    private long events;

    /// <summary>Initializes a new instance of the <see cref="ContractFloorSender"/> class and starts its workers.</summary>
    /// <param name="sink">The API's base address.</param>
    public ContractFloorSender(Uri sink)
    {
        this.requests = new ContractFloorRequests(sink);
        this.workers = [.. Enumerable.Range(0, Concurrency).Select(_ => Task.Run(this.RunAsync))];
    }

    /// <summary>Queues the requests for <paramref name="roots"/> root spans and <paramref name="others"/> other spans:
    /// a session each root, and a batch for every 100 other spans counted so far (the rest wait for more).</summary>
    /// <returns>A task that completes once they are queued.</returns>
    public async ValueTask QueueAsync(int roots, int others)
    {
        for (var i = 0; i < roots; i++)
        {
            await this.queue.Writer.WriteAsync(0).ConfigureAwait(false);
        }

        var total = Interlocked.Add(ref this.events, others);
        var batches = (total / ContractFloorRequests.BatchEvents) - ((total - others) / ContractFloorRequests.BatchEvents);
        for (var i = 0; i < batches; i++)
        {
            await this.queue.Writer.WriteAsync(ContractFloorRequests.BatchEvents).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        this.queue.Writer.TryComplete();
        Task.WaitAll(this.workers, TimeSpan.FromSeconds(10));
        this.requests.Dispose();
    }

    private async Task RunAsync()
    {
        var reader = this.queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var eventCount))
            {
                try
                {
                    await (eventCount == 0 ? this.requests.PostSessionAsync() : this.requests.PostEventsAsync(eventCount)).ConfigureAwait(false);
                }
                catch (HttpRequestException ex)
                {
                    Console.Error.WriteLine("Floor receiver: " + ex.Message);
                }
            }
        }
    }
}
