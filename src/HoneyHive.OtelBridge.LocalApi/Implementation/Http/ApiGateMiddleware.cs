// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HoneyHive.OtelBridge.LocalApi.Implementation.Http;

/// <summary>
/// The outer middleware: the Bearer key check on every <c>/v1/</c> route (a missing or wrong key is answered
/// <c>404</c>, as the hosted API does) and the JSON error body of every failure, including unknown routes.
/// With anonymous reads on (embedded default, loopback only), a <c>GET</c> without an Authorization header passes.
/// </summary>
internal sealed class ApiGateMiddleware
{
    private readonly byte[]? apiKey;
    private readonly bool anonymousReads;
    private readonly ILogger logger;

    public ApiGateMiddleware(string? apiKey, bool anonymousReads, ILogger logger)
    {
        this.apiKey = apiKey is null ? null : Encoding.UTF8.GetBytes(apiKey);
        this.anonymousReads = anonymousReads;
        this.logger = logger;
    }

    public static bool IsApiRoute(HttpContext context) => context.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            if (IsApiRoute(context) && !this.IsAuthorized(context.Request))
            {
                throw new ApiException(
                    StatusCodes.Status404NotFound,
                    ErrorCodes.Unauthorized,
                    "Not found. The API key may be missing or wrong: send 'Authorization: Bearer <key>' with a valid key.");
            }

            await next(context).ConfigureAwait(false);
            if (!context.Response.HasStarted && context.Response.StatusCode >= 400)
            {
                var (code, message) = context.Response.StatusCode == StatusCodes.Status405MethodNotAllowed
                    ? (ErrorCodes.MethodNotAllowed, $"Method {context.Request.Method} is not allowed on {context.Request.Path}.")
                    : (ErrorCodes.RouteNotFound, $"No route {context.Request.Method} {context.Request.Path}.");
                await JsonHttp.WriteErrorAsync(context, context.Response.StatusCode, code, message).ConfigureAwait(false);
            }
        }
        catch (ApiException ex)
        {
            LocalApiLog.Rejected(this.logger, context.Request.Method, context.Request.Path, ex.StatusCode, ex.ErrorCode, ex.Message);
            await WriteIfPossibleAsync(context, ex.StatusCode, ex.ErrorCode, ex.Message).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex)
        {
            LocalApiLog.Rejected(this.logger, context.Request.Method, context.Request.Path, ex.StatusCode, ErrorCodes.BadRequest, ex.Message);
            await WriteIfPossibleAsync(context, ex.StatusCode, ErrorCodes.BadRequest, ex.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nothing to answer.
        }
        catch (Exception ex)
        {
            LocalApiLog.Failed(this.logger, ex, context.Request.Method, context.Request.Path);
            await WriteIfPossibleAsync(context, StatusCodes.Status500InternalServerError, ErrorCodes.Internal, "Internal error of the local API.")
                .ConfigureAwait(false);
            throw;
        }
    }

    private static Task WriteIfPossibleAsync(HttpContext context, int statusCode, string errorCode, string message) =>
        context.Response.HasStarted ? Task.CompletedTask : JsonHttp.WriteErrorAsync(context, statusCode, errorCode, message);

    private bool IsAuthorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (this.anonymousReads && header.Length == 0 && HttpMethods.IsGet(request.Method))
        {
            return true;
        }

        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var key = header.AsSpan(Scheme.Length).Trim();
        if (key.IsEmpty)
        {
            return false;
        }

        if (this.apiKey is null)
        {
            return true;
        }

        var presented = Encoding.UTF8.GetBytes(key.ToString());
        return CryptographicOperations.FixedTimeEquals(presented, this.apiKey);
    }
}
