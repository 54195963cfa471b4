// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace HoneyHive.OtelBridge.Benchmarks.Workloads;

/// <summary>
/// A loopback endpoint that accepts everything and does nothing else, so an exporter benchmark measures the exporter,
/// not a backend: on an HTTP/1.1 port every route answers 200 <c>{"success":true,"event_ids":[]}</c> (HoneyHive) and
/// <c>POST /v1/traces</c> an empty OTLP protobuf response; on an h2c port the OTLP gRPC <c>Export</c> method answers an
/// empty <c>ExportTraceServiceResponse</c> with <c>grpc-status: 0</c>. Bodies are read to the end and dropped.
/// </summary>
internal sealed class AcceptAllServer : IAsyncDisposable
{
    private const string GrpcExportPath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    private static readonly byte[] HoneyHiveAnswer = "{\"success\":true,\"event_ids\":[]}"u8.ToArray();
    private static readonly byte[] EmptyGrpcMessage = new byte[5];

    private readonly WebApplication app;
    private long requests;

    private AcceptAllServer(WebApplication app, Uri httpAddress, Uri grpcAddress)
    {
        this.app = app;
        this.HttpAddress = httpAddress;
        this.GrpcAddress = grpcAddress;
    }

    /// <summary>Gets the HTTP/1.1 address (HoneyHive routes and OTLP/HTTP <c>/v1/traces</c>).</summary>
    public Uri HttpAddress { get; }

    /// <summary>Gets the h2c address (OTLP/gRPC).</summary>
    public Uri GrpcAddress { get; }

    /// <summary>Gets the number of requests answered.</summary>
    public long Requests => Interlocked.Read(ref this.requests);

    public static async Task<AcceptAllServer> StartAsync()
    {
        ListenOptions? http = null;
        ListenOptions? grpc = null;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                http = listen;
            });
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                grpc = listen;
            });
        });
        var app = builder.Build();
        AcceptAllServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync().ConfigureAwait(false);
        server = new AcceptAllServer(app, new Uri($"http://127.0.0.1:{http!.IPEndPoint!.Port}/"), new Uri($"http://127.0.0.1:{grpc!.IPEndPoint!.Port}/"));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await this.app.StopAsync().ConfigureAwait(false);
        await this.app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref this.requests);
        await context.Request.Body.CopyToAsync(Stream.Null).ConfigureAwait(false);
        if (context.Request.Path == GrpcExportPath)
        {
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(EmptyGrpcMessage).ConfigureAwait(false);
            context.Response.AppendTrailer("grpc-status", "0");
            return;
        }

        if (context.Request.Path == "/v1/traces")
        {
            context.Response.ContentType = "application/x-protobuf";
            context.Response.ContentLength = 0;
            return;
        }

        context.Response.ContentType = "application/json";
        context.Response.ContentLength = HoneyHiveAnswer.Length;
        await context.Response.Body.WriteAsync(HoneyHiveAnswer).ConfigureAwait(false);
    }
}
