// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text;
using Google.Protobuf;
using HoneyHive.OtelBridge.Implementation;
using HoneyHive.OtelBridge.Implementation.Otlp;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Receiver.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace HoneyHive.OtelBridge.Receiver.Otlp;

/// <summary>
/// OTLP/HTTP <c>POST /v1/traces</c>: <c>application/x-protobuf</c> or <c>application/json</c>, optionally
/// <c>Content-Encoding: gzip</c>, answered in the request's content type. 400 with a <c>google.rpc.Status</c> for a body
/// that cannot be decoded, 413 past the size limit, 415 for another content type or encoding, 503 with
/// <c>Retry-After</c> when the bridge cannot take more.
/// </summary>
internal sealed class OtlpHttpTraceHandler
{
    internal const string ProtobufContentType = "application/x-protobuf";
    internal const string JsonContentType = "application/json";

    private readonly OtlpTraceExport export;
    private readonly OtlpReceiverOptions options;
    private readonly ILogger logger;

    public OtlpHttpTraceHandler(OtlpTraceExport export, OtlpReceiverOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(export);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        this.export = export;
        this.options = options;
        this.logger = loggerFactory.CreateLogger(ReceiverLog.Category);
    }

    private enum BodyFormat
    {
        Protobuf,
        Json,
    }

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (!TryGetFormat(request.ContentType, out var format))
        {
            await WritePlainAsync(context, StatusCodes.Status415UnsupportedMediaType, $"Unsupported content type '{request.ContentType}': send {ProtobufContentType} or {JsonContentType}.").ConfigureAwait(false);
            return;
        }

        var encoding = request.Headers.ContentEncoding.ToString().Trim();
        var gzip = string.Equals(encoding, "gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && encoding.Length > 0 && !string.Equals(encoding, "identity", StringComparison.OrdinalIgnoreCase))
        {
            await WritePlainAsync(context, StatusCodes.Status415UnsupportedMediaType, $"Unsupported content encoding '{encoding}': send gzip or none.").ConfigureAwait(false);
            return;
        }

        // Refused before the body is read: decoding requests only to refuse them would take the CPU the bridge needs
        // to catch up.
        if (!this.export.TryBegin(OtlpFrontDoor.Http))
        {
            await this.WriteUnavailableAsync(context, format).ConfigureAwait(false);
            return;
        }

        try
        {
            await this.ExportAsync(context, format, gzip).ConfigureAwait(false);
        }
        finally
        {
            this.export.End();
        }
    }

    private async Task ExportAsync(HttpContext context, BodyFormat format, bool gzip)
    {
        var request = context.Request;
        byte[]? body;
        try
        {
            body = await this.ReadBodyAsync(request, gzip, context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidDataException ex)
        {
            await this.WriteInvalidAsync(context, format, "The gzip body cannot be decompressed: " + ex.Message).ConfigureAwait(false);
            return;
        }

        if (body is null)
        {
            ReceiverLog.RequestTooLarge(this.logger, OtlpFrontDoor.Http, this.options.MaxRequestBytes);
            var message = string.Create(CultureInfo.InvariantCulture, $"The request is larger than {this.options.MaxRequestBytes} bytes (after decompression).");
            await WriteStatusAsync(context, StatusCodes.Status413PayloadTooLarge, format, OtlpErrorStatus.InvalidArgument(message)).ConfigureAwait(false);
            return;
        }

        ExportTraceServiceRequest? jsonRequest = null;
        OtlpConversionResult? decoded = null;
        try
        {
            // Protobuf is read straight into span records; JSON through the generated messages.
            if (format == BodyFormat.Protobuf)
            {
                decoded = this.export.Decode(body);
            }
            else
            {
                jsonRequest = OtlpJsonSerializer.ParseRequest(body.AsSpan());
            }
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or FormatException)
        {
            await this.WriteInvalidAsync(context, format, "The body is not a valid OTLP ExportTraceServiceRequest: " + ex.Message).ConfigureAwait(false);
            return;
        }

        var response = decoded is not null
            ? this.export.TryExport(decoded, OtlpFrontDoor.Http, body)
            : this.export.TryExport(jsonRequest!, OtlpFrontDoor.Http);
        if (response is null)
        {
            await this.WriteUnavailableAsync(context, format).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        if (format == BodyFormat.Protobuf)
        {
            context.Response.ContentType = ProtobufContentType;
            await context.Response.Body.WriteAsync(response.ToByteArray(), context.RequestAborted).ConfigureAwait(false);
        }
        else
        {
            context.Response.ContentType = JsonContentType;
            await context.Response.WriteAsync(OtlpJsonSerializer.FormatResponse(response), Encoding.UTF8, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static bool TryGetFormat(string? contentType, out BodyFormat format)
    {
        format = BodyFormat.Protobuf;
        if (!MediaTypeHeaderValue.TryParse(contentType, out var parsed))
        {
            return false;
        }

        if (parsed.MediaType.Equals(ProtobufContentType, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        format = BodyFormat.Json;
        return parsed.MediaType.Equals(JsonContentType, StringComparison.OrdinalIgnoreCase);
    }

    private static Task WritePlainAsync(HttpContext context, int statusCode, string message)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message, Encoding.UTF8, context.RequestAborted);
    }

    private static async Task WriteStatusAsync(HttpContext context, int statusCode, BodyFormat format, Google.Rpc.Status status)
    {
        context.Response.StatusCode = statusCode;
        if (format == BodyFormat.Protobuf)
        {
            context.Response.ContentType = ProtobufContentType;
            await context.Response.Body.WriteAsync(status.ToByteArray(), context.RequestAborted).ConfigureAwait(false);
        }
        else
        {
            context.Response.ContentType = JsonContentType;
            await context.Response.WriteAsync(OtlpErrorStatus.ToJson(status), Encoding.UTF8, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private Task WriteInvalidAsync(HttpContext context, BodyFormat format, string message)
    {
        ReceiverLog.RequestInvalid(this.logger, OtlpFrontDoor.Http, message);
        return WriteStatusAsync(context, StatusCodes.Status400BadRequest, format, OtlpErrorStatus.InvalidArgument(message));
    }

    /// <summary>503 with <c>Retry-After</c> and an OTLP <c>Status</c> (code 14, <c>RetryInfo</c>) in the request's format.</summary>
    private Task WriteUnavailableAsync(HttpContext context, BodyFormat format)
    {
        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(this.options.RetryDelay.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return WriteStatusAsync(context, StatusCodes.Status503ServiceUnavailable, format, OtlpErrorStatus.Unavailable(this.options.RetryDelay));
    }

    /// <summary>
    /// Reads the whole body; <see langword="null"/> when it is over the limit. A gzip body is read whole first, then
    /// decompressed by <see cref="GzipBodyStream"/> (which throws <see cref="InvalidDataException"/> for a body that is
    /// not whole gzip): it needs the compressed bytes again for a body of several members.
    /// </summary>
    private async Task<byte[]?> ReadBodyAsync(HttpRequest request, bool gzip, CancellationToken cancellationToken)
    {
        var limit = this.options.MaxRequestBytes;
        if (request.ContentLength is { } length && length > limit)
        {
            return null;
        }

        using var body = await ReadAllAsync(request.Body, limit, request.ContentLength, cancellationToken).ConfigureAwait(false);
        if (body is null || !gzip)
        {
            return body?.ToArray();
        }

        body.Position = 0;
        try
        {
            using var decompressed = new MemoryStream((int)Math.Min(limit, body.Length * 4));
            using (var gzipBody = new GzipBodyStream(body, limit))
            {
                gzipBody.CopyTo(decompressed);
            }

            return decompressed.ToArray();
        }
        catch (GzipBodyTooLargeException)
        {
            return null;
        }
    }

    /// <summary>Reads a stream to its end into memory; <see langword="null"/> past <paramref name="limit"/> bytes.</summary>
    private static async Task<MemoryStream?> ReadAllAsync(Stream source, int limit, long? length, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream(length is { } known ? (int)Math.Min(known, limit) : 4096);
        var chunk = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer;
    }
}
