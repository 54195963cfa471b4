// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HoneyHive.OtelBridge.LocalApi.Implementation.Http;

/// <summary>
/// Applies the next queued <see cref="InjectedFault"/> to a <c>/v1/</c> request: a delay, a status answer
/// (with <c>Retry-After</c> when given), or, for a partial 500 on a batch route, a mark the batch handler reads.
/// </summary>
internal sealed class FaultMiddleware
{
    private const string PartialKey = "HoneyHive.OtelBridge.LocalApi.PartialFault";

    private readonly FaultInjector faults;
    private readonly TimeProvider time;
    private readonly ILogger logger;

    public FaultMiddleware(FaultInjector faults, TimeProvider time, ILogger logger)
    {
        this.faults = faults;
        this.time = time;
        this.logger = logger;
    }

    /// <summary>Whether the request carries a partial fault (the batch handler then stores half and answers 500).</summary>
    /// <param name="context">The request.</param>
    /// <returns><see langword="true"/> once per partial fault.</returns>
    public static bool TakePartialFault(HttpContext context) => context.Items.Remove(PartialKey);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!ApiGateMiddleware.IsApiRoute(context) || !this.faults.TryTake(out var fault))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        LocalApiLog.FaultInjected(
            this.logger, context.Request.Method, context.Request.Path, fault.StatusCode ?? 0, fault.Delay.TotalMilliseconds, fault.Partial);
        if (fault.Delay > TimeSpan.Zero)
        {
            await Task.Delay(fault.Delay, this.time, context.RequestAborted).ConfigureAwait(false);
        }

        if (fault.StatusCode is not { } status)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        if (fault.Partial && status == StatusCodes.Status500InternalServerError && IsBatchRoute(context.Request))
        {
            context.Items[PartialKey] = true;
            await next(context).ConfigureAwait(false);
            return;
        }

        if (fault.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        throw new ApiException(status, ErrorCodes.InjectedFault, $"Injected fault: status {status}.");
    }

    private static bool IsBatchRoute(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.Path.Value is { } path && path.EndsWith("/events/batch", StringComparison.Ordinal);
}
