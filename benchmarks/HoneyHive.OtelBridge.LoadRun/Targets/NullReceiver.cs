// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Net;
using Grpc.Core;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HoneyHive.OtelBridge.LoadRun.Targets;

/// <summary>
/// The baseline target (<c>--null-receiver</c>, run as its own process): an OTLP/gRPC server on the same stack as the
/// bridge's receiver (Kestrel h2c, Grpc.AspNetCore, the generated <c>TraceService</c> and protobuf decoding of the whole
/// request) that acknowledges every export and does nothing else.
/// </summary>
internal static class NullReceiver
{
    /// <summary>The line printed once listening; the address follows it.</summary>
    public const string ListeningLine = "NULL-RECEIVER listening on ";

    public static async Task<int> RunAsync(int port)
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
        builder.Services.AddRouting();
        builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = null);
        var app = builder.Build();
        app.UseRouting();
        app.MapGrpcService<NullTraceService>();
        await app.StartAsync().ConfigureAwait(false);
        Console.WriteLine(ListeningLine + $"http://127.0.0.1:{listen!.IPEndPoint!.Port}/");

        // Runs until the parent closes standard input (or kills the process).
        await Console.In.ReadToEndAsync().ConfigureAwait(false);
        await app.StopAsync().ConfigureAwait(false);
        return 0;
    }

    private sealed class NullTraceService : TraceService.TraceServiceBase
    {
        private static readonly Task<ExportTraceServiceResponse> Empty = Task.FromResult(new ExportTraceServiceResponse());

        public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context) => Empty;
    }
}
