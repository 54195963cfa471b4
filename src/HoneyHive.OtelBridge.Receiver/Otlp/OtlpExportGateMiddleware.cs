// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.IO.Pipelines;
using Google.Protobuf;
using HoneyHive.OtelBridge.Receiver.Hosting;
using Microsoft.AspNetCore.Http;

namespace HoneyHive.OtelBridge.Receiver.Otlp;

/// <summary>
/// Admits an OTLP/gRPC export, or refuses it with <c>UNAVAILABLE</c> (and <c>RetryInfo</c>) without decoding its body
/// while the bridge cannot take more or <see cref="OtlpReceiverOptions.MaxConcurrentExports"/> requests are in
/// progress (<see cref="OtlpTraceExport.TryBegin"/>; the OTLP/HTTP handler does the same before reading its body).
/// Without it, an overloaded receiver decodes every request only to refuse it, and the decoding of refused requests
/// takes the CPU the accepted ones need: under ten times the sustainable load the acknowledged rate fell to a sixth of
/// the sustained one, and memory rose with the requests decoded at once.
/// </summary>
internal sealed class OtlpExportGateMiddleware
{
    /// <summary>The gRPC path of <c>opentelemetry.proto.collector.trace.v1.TraceService/Export</c>.</summary>
    internal static readonly PathString ExportPath = "/" + OtlpTraceReceiverService.ExportMethod.FullName.TrimStart('/');

    private readonly RequestDelegate next;
    private readonly OtlpTraceExport export;
    private readonly string unavailableCode;
    private readonly string unavailableMessage;
    private readonly string unavailableDetails;
    private readonly long maxRequestBytes;

    public OtlpExportGateMiddleware(RequestDelegate next, OtlpTraceExport export, OtlpReceiverOptions options)
    {
        ArgumentNullException.ThrowIfNull(export);
        ArgumentNullException.ThrowIfNull(options);
        this.next = next;
        this.export = export;
        // The same status the service answers after decoding, built once: code, percent-encoded message, details.
        var unavailable = OtlpErrorStatus.Unavailable(options.RetryDelay);
        this.unavailableCode = unavailable.Code.ToString(CultureInfo.InvariantCulture);
        this.unavailableMessage = Uri.EscapeDataString(unavailable.Message);
        this.unavailableDetails = Convert.ToBase64String(unavailable.ToByteArray());
        this.maxRequestBytes = options.MaxRequestBytes;
    }

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Request.Path.Equals(ExportPath, StringComparison.Ordinal))
        {
            return this.next(context);
        }

        return this.export.TryBegin(OtlpFrontDoor.Grpc) ? this.ExportAsync(context) : this.RefuseAsync(context);
    }

    private async Task ExportAsync(HttpContext context)
    {
        try
        {
            await this.next(context).ConfigureAwait(false);
        }
        finally
        {
            this.export.End();
        }
    }

    private async Task RefuseAsync(HttpContext context)
    {
        // The body is read and dropped, not decoded: answering while the client is still sending makes the server
        // reset the stream, and a client that sees many resets gets RESOURCE_EXHAUSTED (not retryable) instead.
        await DrainAsync(context.Request.BodyReader, this.maxRequestBytes, context.RequestAborted).ConfigureAwait(false);

        // Trailers-only response: HTTP 200 with the gRPC status (and its details) in the headers, no body.
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = this.unavailableCode;
        response.Headers["grpc-message"] = this.unavailableMessage;
        response.Headers["grpc-status-details-bin"] = this.unavailableDetails;
    }

    private static async Task DrainAsync(PipeReader body, long limit, CancellationToken cancellationToken)
    {
        long read = 0;
        try
        {
            while (read <= limit)
            {
                var result = await body.ReadAsync(cancellationToken).ConfigureAwait(false);
                read += result.Buffer.Length;
                body.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The client went away, or the body is past the size limit: the answer below is all there is to do.
        }
    }
}
