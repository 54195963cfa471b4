// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Receiver.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HoneyHive.OtelBridge.Receiver.Security;

/// <summary>
/// The one authentication check of the receiver, in front of every route on both ports (OTLP/gRPC, OTLP/HTTP, and any
/// route added later such as <c>/metrics</c>) except <c>GET /healthz</c> and the gRPC health service. A request without
/// <c>Authorization: Bearer &lt;token&gt;</c> naming one of the configured tokens is answered before anything reads its
/// body: gRPC with <c>UNAUTHENTICATED</c> (a trailers-only response), HTTP with 401 and
/// <c>WWW-Authenticate: Bearer</c>. The token is never logged.
/// </summary>
internal sealed class BearerAuthenticationMiddleware
{
    private const string BearerPrefix = "Bearer ";
    private const string GrpcHealthPathPrefix = "/grpc.health.v1.Health/";

    private readonly RequestDelegate next;
    private readonly BearerTokenSet tokens;
    private readonly ILogger logger;

    public BearerAuthenticationMiddleware(RequestDelegate next, BearerTokenSet tokens, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        this.next = next;
        this.tokens = tokens;
        this.logger = loggerFactory.CreateLogger(ReceiverLog.Category);
    }

    /// <summary>Tells whether a path is open without a token (health checks only).</summary>
    /// <param name="path">The request path.</param>
    /// <returns><see langword="true"/> for <c>/healthz</c> and the gRPC health service.</returns>
    internal static bool IsOpen(PathString path)
        => path.Equals(OtlpReceiverOptions.HealthPath, StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments(GrpcHealthPathPrefix.TrimEnd('/'), StringComparison.Ordinal);

    /// <summary>Takes the token out of an <c>Authorization</c> header value.</summary>
    /// <param name="header">The header value.</param>
    /// <param name="token">The token.</param>
    /// <returns><see langword="true"/> when the header is a bearer credential.</returns>
    internal static bool TryGetBearerToken(string? header, out ReadOnlySpan<char> token)
    {
        token = default;
        if (header is null || header.Length <= BearerPrefix.Length || !header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        token = header.AsSpan(BearerPrefix.Length).Trim();
        return token.Length > 0;
    }

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (IsOpen(context.Request.Path))
        {
            return this.next(context);
        }

        var headers = context.Request.Headers.Authorization;
        if (headers.Count == 1 && TryGetBearerToken(headers[0], out var token) && this.tokens.Contains(token))
        {
            return this.next(context);
        }

        var grpc = context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;
        ReceiverLog.Unauthenticated(this.logger, grpc ? "otlp_grpc" : "otlp_http", context.Request.Path.Value ?? string.Empty, headers.Count == 0 ? "no bearer token" : "token not accepted");
        var response = context.Response;
        response.Headers.WWWAuthenticate = "Bearer";
        if (grpc)
        {
            // Trailers-only response: HTTP 200 with the gRPC status in the headers and no body.
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/grpc";
            response.Headers["grpc-status"] = "16";
            response.Headers["grpc-message"] = "A valid bearer token is required (Authorization: Bearer <token>).";
            return Task.CompletedTask;
        }

        response.StatusCode = StatusCodes.Status401Unauthorized;
        response.ContentType = "text/plain; charset=utf-8";
        return response.WriteAsync("A valid bearer token is required (Authorization: Bearer <token>).", context.RequestAborted);
    }
}
