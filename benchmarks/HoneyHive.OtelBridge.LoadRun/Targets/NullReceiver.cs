// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Net;
using Grpc.Core;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Receiver.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HoneyHive.OtelBridge.LoadRun.Targets;

/// <summary>
/// The baseline target (<c>--null-receiver</c>, run as its own process): an OTLP/gRPC server on the same stack as the
/// bridge's receiver (Kestrel h2c reading into the same 64 KiB blocks, Grpc.AspNetCore, the generated
/// <c>TraceService</c> and protobuf decoding of the whole request) that acknowledges every export and counts its
/// spans, nothing else. <c>GET /spans</c> (HTTP/2, on the same port) answers the count so far, for the exporters phase
/// (spans exported against spans made). With a sink
/// (<c>--endpoint URL</c>) it is the floor receiver: it also sends the requests the mapping contract needs for those
/// spans to the sink (<see cref="ContractFloorSender"/>), and nothing else: no mapping, no encoding, no assembly, no
/// durable log. What it sustains bounds what any bridge that keeps the contract can sustain on the same machine.
/// </summary>
internal static class NullReceiver
{
    /// <summary>The line printed once listening; the address follows it.</summary>
    public const string ListeningLine = "NULL-RECEIVER listening on ";

    /// <summary>The path that answers the number of spans received so far.</summary>
    public const string SpansPath = "/spans";

    private static long spans;

    public static async Task<int> RunAsync(int port, Uri? floorSink)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        ListenOptions? listen = null;
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(IPAddress.Loopback, port, l =>
            {
                l.Protocols = HttpProtocols.Http2;
                listen = l;
            });
        });
        // The receive buffers of serve's Kestrel (64 KiB blocks, not 4 KiB): a transport setting, not bridge work.
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();
        builder.Services.AddRouting();
        builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = null);
        using var floor = floorSink is null ? null : new ContractFloorSender(floorSink);
        builder.Services.AddSingleton(new Floor(floor));
        var app = builder.Build();
        app.UseRouting();
        app.MapGrpcService<NullTraceService>();
        app.MapGet(SpansPath, () => Interlocked.Read(ref spans).ToString(CultureInfo.InvariantCulture));
        await app.StartAsync().ConfigureAwait(false);
        Console.WriteLine(ListeningLine + $"http://127.0.0.1:{listen!.IPEndPoint!.Port}/");

        // Runs until the parent closes standard input (or kills the process).
        await Console.In.ReadToEndAsync().ConfigureAwait(false);
        await app.StopAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>The floor receiver's sender, or none (the null receiver).</summary>
    private sealed record Floor(ContractFloorSender? Sender);

    private sealed class NullTraceService(Floor floor) : TraceService.TraceServiceBase
    {
        private static readonly Task<ExportTraceServiceResponse> Empty = Task.FromResult(new ExportTraceServiceResponse());

        public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
        {
            var count = 0;
            var roots = 0;
            foreach (var resource in request.ResourceSpans)
            {
                foreach (var scope in resource.ScopeSpans)
                {
                    count += scope.Spans.Count;
                    if (floor.Sender is not null)
                    {
                        foreach (var span in scope.Spans)
                        {
                            roots += span.ParentSpanId.IsEmpty ? 1 : 0;
                        }
                    }
                }
            }

            Interlocked.Add(ref spans, count);
            return floor.Sender is null ? Empty : QueueAsync(floor.Sender, roots, count - roots);
        }

        private static async Task<ExportTraceServiceResponse> QueueAsync(ContractFloorSender sender, int roots, int others)
        {
            await sender.QueueAsync(roots, others).ConfigureAwait(false);
            return await Empty.ConfigureAwait(false);
        }
    }
}
