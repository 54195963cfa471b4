// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Receiver.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps <c>GET /metrics</c>: the bridge's own metrics in the Prometheus text format.</summary>
internal static class MetricsEndpointRouteBuilderExtensions
{
    /// <summary>The path of the metrics route.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Maps <c>GET /metrics</c> over the registered <see cref="PrometheusMetricsCollector"/>, creating it now
    /// so that it counts from the start of the receiver.</summary>
    /// <param name="endpoints">The route builder.</param>
    /// <returns>The endpoint convention builder (a normal route: the receiver's auth rule covers it).</returns>
    public static IEndpointConventionBuilder MapBridgeMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var collector = endpoints.ServiceProvider.GetRequiredService<PrometheusMetricsCollector>();
        return endpoints.MapGet(MetricsPath, async context =>
        {
            context.Response.ContentType = PrometheusMetricsCollector.ContentType;
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.WriteAsync(collector.Scrape(), context.RequestAborted).ConfigureAwait(false);
        });
    }
}
