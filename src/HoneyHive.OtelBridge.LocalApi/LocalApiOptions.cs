// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using Microsoft.Extensions.Logging;

namespace HoneyHive.OtelBridge.LocalApi;

/// <summary>Options of the local HoneyHive-compatible API (<see cref="LocalHoneyHiveApi"/>).</summary>
public sealed class LocalApiOptions
{
    /// <summary>The port the local API listens on when none is given.</summary>
    public const int DefaultPort = 4319;

    /// <summary>Gets or sets the TCP port. Default: 4319. <c>0</c> binds an ephemeral port (see <see cref="LocalHoneyHiveApi.BaseAddress"/>).</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>Gets or sets the IP address to listen on. Default: <c>"127.0.0.1"</c> (<c>"localhost"</c> means the same).</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// Gets or sets the SQLite database file. Default: <see langword="null"/>, an in-memory database
    /// that lives as long as the server.
    /// </summary>
    public string? DatabasePath { get; set; }

    /// <summary>
    /// Gets or sets the API key requests must carry as <c>Authorization: Bearer &lt;key&gt;</c>.
    /// Default: <see langword="null"/>, any non-empty Bearer key is accepted. A missing or wrong key
    /// is answered <c>404</c>, as the hosted API does.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether <c>GET</c> requests on <c>/v1/</c> routes are served without a key
    /// when the API listens on a loopback address (so a user can <c>curl</c> the sessions the embedded bridge
    /// stored). Writes always need the key; on a non-loopback address reads do too. Default: <see langword="false"/>.
    /// </summary>
    public bool AllowAnonymousLoopbackReads { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether faults can be injected (<see cref="LocalHoneyHiveApi.Faults"/>
    /// and <c>POST /_local/faults</c>). Default: <see langword="false"/>.
    /// </summary>
    public bool EnableFaultInjection { get; set; }

    /// <summary>
    /// Gets or sets the logger factory for the <c>HoneyHive.OtelBridge.LocalApi</c> category.
    /// Default: <see langword="null"/>, no logging.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
