// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using Google.Protobuf;
using HoneyHive.OtelBridge.Implementation;
using HoneyHive.OtelBridge.Receiver.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HoneyHive.OtelBridge.Receiver.Otlp;

/// <summary>
/// Refuses an OTLP/gRPC export with <c>UNAVAILABLE</c> (and <c>RetryInfo</c>) before its body is read or decoded
/// while the bridge cannot take more. Without it, an overloaded receiver decodes every request only to refuse it,
/// and the decoding of refused requests takes the CPU the accepted ones need: under ten times the sustainable load
/// the acknowledged rate fell to a sixth of the sustained one, and memory rose with the requests decoded at once.
/// </summary>
internal sealed class OtlpSaturationGateMiddleware
{
    /// <summary>The gRPC path of <c>opentelemetry.proto.collector.trace.v1.TraceService/Export</c>.</summary>
    internal static readonly PathString ExportPath = "/" + OtlpTraceReceiverService.ExportMethod.FullName.TrimStart('/');

    private readonly RequestDelegate next;
    private readonly ISpanIngress ingress;
    private readonly string unavailableDetails;
    private readonly ILogger logger;

    public OtlpSaturationGateMiddleware(RequestDelegate next, ISpanIngress ingress, OtlpReceiverOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        this.next = next;
        this.ingress = ingress;
        this.unavailableDetails = Convert.ToBase64String(OtlpErrorStatus.Unavailable(options.RetryDelay).ToByteArray());
        this.logger = loggerFactory.CreateLogger(ReceiverLog.Category);
    }

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!this.ingress.IsSaturated || !context.Request.Path.Equals(ExportPath, StringComparison.Ordinal))
        {
            return this.next(context);
        }

        BridgeMetrics.RequestRefused(OtlpFrontDoor.Grpc);
        ReceiverLog.ExportRefusedUnread(this.logger, OtlpFrontDoor.Grpc);

        // Trailers-only response: HTTP 200 with the gRPC status (and its details) in the headers, no body.
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = "14";
        response.Headers["grpc-message"] = Uri.EscapeDataString("The bridge cannot take more spans right now (its delivery queue is full); retry after the delay given.");
        response.Headers["grpc-status-details-bin"] = this.unavailableDetails;
        return Task.CompletedTask;
    }
}
