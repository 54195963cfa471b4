// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using HoneyHive.OtelBridge.Receiver.Metrics;
using HoneyHive.OtelBridge.Receiver.Otlp;
using HoneyHive.OtelBridge.Receiver.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HoneyHive.OtelBridge.Receiver.Hosting;

/// <summary>
/// The OTLP receiver on Kestrel, both ports on <see cref="OtlpReceiverOptions.ListenAddress"/>:
/// <see cref="OtlpReceiverOptions.GrpcPort"/> speaks HTTP/2 cleartext (h2c, prior knowledge) and
/// <see cref="OtlpReceiverOptions.HttpPort"/> HTTP/1.1. Kestrel cannot offer both on one cleartext port (HTTP/2
/// there needs TLS negotiation), so an OTLP/HTTP client that wants h2c posts <c>/v1/traces</c> to the gRPC port,
/// which serves every route too.
/// </summary>
internal sealed class OtlpReceiverHost : IAsyncDisposable
{
    private readonly WebApplication app;
    private int stopped;
    private int disposed;

    private OtlpReceiverHost(WebApplication app, Uri grpcAddress, Uri httpAddress)
    {
        this.app = app;
        this.GrpcAddress = grpcAddress;
        this.HttpAddress = httpAddress;
    }

    /// <summary>Gets the bound gRPC address, e.g. <c>http://127.0.0.1:4317/</c> (the real port when 0 was asked).</summary>
    public Uri GrpcAddress { get; }

    /// <summary>Gets the bound HTTP address, e.g. <c>http://127.0.0.1:4318/</c>.</summary>
    public Uri HttpAddress { get; }

    /// <summary>Builds the receiver's application without starting it (tests swap the server, e.g. for a TestServer).</summary>
    /// <param name="options">The receiver options.</param>
    /// <param name="ingress">Where accepted spans go.</param>
    /// <param name="loggerFactory">The logger factory (default: none).</param>
    /// <param name="configure">Called on the builder last (tests).</param>
    /// <returns>The application and the Kestrel endpoints, whose ports are known once it has started.</returns>
    internal static (WebApplication App, ListenOptions? Grpc, ListenOptions? Http) Build(
        OtlpReceiverOptions options,
        ISpanIngress ingress,
        ILoggerFactory? loggerFactory,
        Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var address = string.Equals(options.ListenAddress, "localhost", StringComparison.OrdinalIgnoreCase)
            ? IPAddress.Loopback
            : IPAddress.Parse(options.ListenAddress);
        ListenOptions? grpcListen = null;
        ListenOptions? httpListen = null;
        var certificate = options.Security.UsesTls
            ? ReceiverCertificate.Load(options.Security.TlsCertificatePath!, options.Security.TlsKeyPath!)
            : null;

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(OtlpReceiverHost).Assembly.GetName().Name,
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;

            // The handlers enforce MaxRequestBytes (after decompression) themselves: 413 on HTTP, RESOURCE_EXHAUSTED on gRPC.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(address, options.GrpcPort, listen =>
            {
                // With TLS, ALPN negotiates h2 (gRPC) or HTTP/1.1 (OTLP/HTTP) on the gRPC port as well.
                listen.Protocols = certificate is null ? HttpProtocols.Http2 : HttpProtocols.Http1AndHttp2;
                UseTls(listen, certificate);
                grpcListen = listen;
            });
            kestrel.Listen(address, options.HttpPort, listen =>
            {
                listen.Protocols = certificate is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2;
                UseTls(listen, certificate);
                httpListen = listen;
            });
        });
        // After UseKestrelCore, so that its transport reads into 64 KiB blocks instead of 4 KiB ones (the factory's remarks).
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();
        builder.Services.AddSingleton(loggerFactory ?? NullLoggerFactory.Instance);
        builder.Services.AddLogging();
        builder.Services.AddRouting();
        builder.Services.AddSingleton<IHostLifetime, CommandHostLifetime>();
        builder.Services.AddOtlpTraceReceiver(options, ingress);
        builder.Services.AddSingleton<PrometheusMetricsCollector>();
        configure?.Invoke(builder);

        var app = builder.Build();
        if (options.Security.RequiresToken)
        {
            // Before routing: every endpoint, including ones mapped later (e.g. /metrics), is behind it.
            app.UseMiddleware<BearerAuthenticationMiddleware>(options.Security.AuthTokens!);
        }

        app.UseMiddleware<OtlpExportGateMiddleware>();
        app.UseRouting();
        app.MapOtlpTraceReceiver();
        app.MapBridgeMetrics();
        return (app, grpcListen, httpListen);
    }

    /// <summary>Starts the receiver.</summary>
    /// <param name="options">The receiver options.</param>
    /// <param name="ingress">Where accepted spans go.</param>
    /// <param name="loggerFactory">The logger factory (default: none).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running receiver.</returns>
    public static async Task<OtlpReceiverHost> StartAsync(
        OtlpReceiverOptions options,
        ISpanIngress ingress,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        var (app, grpc, http) = Build(options, ingress, loggerFactory);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var scheme = options.Security.UsesTls ? Uri.UriSchemeHttps : Uri.UriSchemeHttp;
            return new OtlpReceiverHost(app, ToUri(grpc!, scheme), ToUri(http!, scheme));
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops accepting requests and lets the ones in flight finish.</summary>
    /// <param name="cancellationToken">Cancels the graceful wait.</param>
    /// <returns>A task.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref this.stopped, 1) == 0)
        {
            await this.app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref this.disposed, 1) != 0)
        {
            return;
        }

        await this.StopAsync().ConfigureAwait(false);
        await this.app.DisposeAsync().ConfigureAwait(false);
    }

    private static void UseTls(ListenOptions listen, X509Certificate2? certificate)
    {
        if (certificate is not null)
        {
            listen.UseHttps(certificate);
        }
    }

    private static Uri ToUri(ListenOptions listen, string scheme)
    {
        var endPoint = listen.IPEndPoint!;
        var host = endPoint.Address.Equals(IPAddress.Any) || endPoint.Address.Equals(IPAddress.IPv6Any)
            ? "127.0.0.1"
            : endPoint.Address.ToString();
        if (endPoint.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !endPoint.Address.Equals(IPAddress.IPv6Any))
        {
            host = "[" + host + "]";
        }

        return new Uri(string.Create(CultureInfo.InvariantCulture, $"{scheme}://{host}:{endPoint.Port}/"));
    }
}
