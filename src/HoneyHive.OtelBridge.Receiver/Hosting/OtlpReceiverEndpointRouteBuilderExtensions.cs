// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using Grpc.AspNetCore.Server;
using HoneyHive.OtelBridge.Receiver.Otlp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace HoneyHive.OtelBridge.Receiver.Hosting;

/// <summary>Maps the OTLP trace receiver's endpoints.</summary>
internal static class OtlpReceiverEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>opentelemetry.proto.collector.trace.v1.TraceService/Export</c> (gRPC), the gRPC health service,
    /// <c>POST /v1/traces</c> (OTLP/HTTP) and <c>GET /healthz</c>.
    /// </summary>
    /// <param name="endpoints">The route builder.</param>
    /// <returns>The route builder, for chaining.</returns>
    public static IEndpointRouteBuilder MapOtlpTraceReceiver(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGrpcService<OtlpTraceReceiverService>();
        endpoints.MapGrpcHealthChecksService();
        var handler = endpoints.ServiceProvider.GetRequiredService<OtlpHttpTraceHandler>();
        endpoints.MapPost(OtlpReceiverOptions.TracesPath, handler.HandleAsync);
        endpoints.MapGet(OtlpReceiverOptions.HealthPath, static context =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync("ok", context.RequestAborted);
        });
        return endpoints;
    }
}
