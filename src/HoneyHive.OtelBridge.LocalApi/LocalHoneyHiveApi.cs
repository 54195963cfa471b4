// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Net;
using HoneyHive.OtelBridge.LocalApi.Implementation;
using HoneyHive.OtelBridge.LocalApi.Implementation.Http;
using HoneyHive.OtelBridge.LocalApi.Implementation.Routing;
using HoneyHive.OtelBridge.LocalApi.Implementation.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HoneyHive.OtelBridge.LocalApi;

/// <summary>
/// A HoneyHive-compatible API that runs locally (Kestrel, HTTP/1.1, SQLite): the bridge's embedded default and
/// the backend of its tests. It validates requests as the hosted API documents them: a request the hosted API
/// would reject fails here too.
/// </summary>
public sealed class LocalHoneyHiveApi : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly LocalStore store;
    private readonly ILogger logger;
    private int stopped;
    private int disposed;

    private LocalHoneyHiveApi(WebApplication app, LocalStore store, FaultInjector faults, Uri baseAddress, ILogger logger)
    {
        this.app = app;
        this.store = store;
        this.Faults = faults;
        this.BaseAddress = baseAddress;
        this.logger = logger;
    }

    /// <summary>Gets the bound address, e.g. <c>http://127.0.0.1:54321</c> (the real port when <see cref="LocalApiOptions.Port"/> is 0).</summary>
    public Uri BaseAddress { get; }

    /// <summary>Gets the in-process control of injected faults (usable when <see cref="LocalApiOptions.EnableFaultInjection"/> is set).</summary>
    public FaultInjector Faults { get; }

    /// <summary>Starts the local API.</summary>
    /// <param name="options">The options.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The running API.</returns>
    /// <exception cref="ArgumentException">The listen address is not an IP address or <c>localhost</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The port is outside 0..65535.</exception>
    public static async Task<LocalHoneyHiveApi> StartAsync(LocalApiOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Port, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Port, IPEndPoint.MaxPort, nameof(options));
        var address = ParseAddress(options.ListenAddress);
        var logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger(LocalApiLog.Category);
        var time = TimeProvider.System;
        var faults = new FaultInjector(options.EnableFaultInjection);

        var store = await LocalStore.OpenAsync(options.DatabasePath, cancellationToken).ConfigureAwait(false);
        WebApplication? app = null;
        try
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
            {
                ApplicationName = typeof(LocalHoneyHiveApi).Assembly.GetName().Name,
            });
            builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Listen(address, options.Port, listen => listen.Protocols = HttpProtocols.Http1);
            });
            builder.Services.AddRoutingCore();
            builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
            app = builder.Build();

            var gate = new ApiGateMiddleware(options.ApiKey, options.AllowAnonymousLoopbackReads && IPAddress.IsLoopback(address), logger);
            var faultMiddleware = new FaultMiddleware(faults, time, logger);
            app.Use(gate.InvokeAsync);
            app.Use(faultMiddleware.InvokeAsync);
            app.UseRouting();
            new SessionRoutes(store, time, logger).Map(app);
            new EventRoutes(store, time, logger).Map(app);
            new LocalRoutes(store, faults).Map(app);

            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var baseAddress = new Uri(app.Urls.First());
            LocalApiLog.Started(logger, baseAddress, options.DatabasePath ?? "in-memory");
            return new LocalHoneyHiveApi(app, store, faults, baseAddress, logger);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }

            await store.DisposeAsync().ConfigureAwait(false);
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
            LocalApiLog.Stopped(this.logger);
        }
    }

    /// <summary>Stops the API (if running) and closes its database.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref this.disposed, 1) != 0)
        {
            return;
        }

        await this.StopAsync().ConfigureAwait(false);
        await this.app.DisposeAsync().ConfigureAwait(false);
        await this.store.DisposeAsync().ConfigureAwait(false);
    }

    private static IPAddress ParseAddress(string listenAddress)
    {
        if (string.Equals(listenAddress, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        return IPAddress.TryParse(listenAddress, out var address)
            ? address
            : throw new ArgumentException($"'{listenAddress}' is not an IP address.", nameof(listenAddress));
    }
}
