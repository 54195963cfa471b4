// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Receiver.Otlp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HoneyHive.OtelBridge.Receiver.Hosting;

/// <summary>Registers the OTLP trace receiver (gRPC service, HTTP handler, health checks).</summary>
internal static class OtlpReceiverServiceCollectionExtensions
{
    /// <summary>
    /// Adds the OTLP trace receiver: <c>AddGrpc()</c> with the receive limit raised to
    /// <see cref="OtlpReceiverOptions.MaxRequestBytes"/> and gzip read by <see cref="OtlpGzipCompressionProvider"/>
    /// (the same limit after decompression), the gRPC health service, and the shared export logic over
    /// <paramref name="ingress"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="options">The receiver options.</param>
    /// <param name="ingress">Where accepted spans go (the bridge pipeline).</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddOtlpTraceReceiver(this IServiceCollection services, OtlpReceiverOptions options, ISpanIngress ingress)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(ingress);
        options.Validate();
        services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxRequestBytes;
            grpc.EnableDetailedErrors = false;
            grpc.CompressionProviders.Add(new OtlpGzipCompressionProvider(options.MaxRequestBytes));
        });
        services.AddGrpcHealthChecks().AddCheck("otlp", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy());
        services.TryAddSingleton(options);
        services.TryAddSingleton(ingress);
        services.TryAddSingleton<OtlpTraceExport>();
        services.TryAddSingleton<OtlpHttpTraceHandler>();
        return services;
    }
}
