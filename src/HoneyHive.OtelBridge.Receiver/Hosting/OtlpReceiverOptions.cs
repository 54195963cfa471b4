// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Receiver.Security;

namespace HoneyHive.OtelBridge.Receiver.Hosting;

/// <summary>Settings of the OTLP receiver: where it listens, how large a request may be, what it tells a client to
/// wait when the bridge cannot take more.</summary>
internal sealed class OtlpReceiverOptions
{
    /// <summary>The OTLP/gRPC port (the OTLP default).</summary>
    internal const int DefaultGrpcPort = 4317;

    /// <summary>The OTLP/HTTP port (the OTLP default).</summary>
    internal const int DefaultHttpPort = 4318;

    /// <summary>The address bound by default: this machine only. Containers pass <c>0.0.0.0</c>.</summary>
    internal const string DefaultListenAddress = "127.0.0.1";

    /// <summary>
    /// The largest request accepted, after decompression: 64 MiB, the .NET OTLP exporter's
    /// <c>MaxRequestSizeBytes</c>. grpc-dotnet's own default (4 MiB) is too small for LLM prompts and completions.
    /// </summary>
    internal const int DefaultMaxRequestBytes = 64 * 1024 * 1024;

    /// <summary>Gets the default of <see cref="MaxConcurrentExports"/>: 32 a processor (64 on 2 cores; the load run's
    /// clients keep 32 requests in flight at saturation, 256 under the overload, issue 7).</summary>
    internal static int DefaultMaxConcurrentExports => 32 * Environment.ProcessorCount;

    /// <summary>The OTLP/HTTP path of traces.</summary>
    internal const string TracesPath = "/v1/traces";

    /// <summary>The health path on the HTTP port.</summary>
    internal const string HealthPath = "/healthz";

    /// <summary>Gets the gRPC port (default 4317; 0 = an ephemeral port).</summary>
    public int GrpcPort { get; init; } = DefaultGrpcPort;

    /// <summary>Gets the HTTP port (default 4318; 0 = an ephemeral port).</summary>
    public int HttpPort { get; init; } = DefaultHttpPort;

    /// <summary>Gets the IP address both ports bind (default 127.0.0.1).</summary>
    public string ListenAddress { get; init; } = DefaultListenAddress;

    /// <summary>Gets the largest request accepted in bytes, after decompression (default 64 MiB).</summary>
    public int MaxRequestBytes { get; init; } = DefaultMaxRequestBytes;

    /// <summary>
    /// Gets the most export requests, of both front doors together, that the receiver works on at once (default
    /// <see cref="DefaultMaxConcurrentExports"/>: 32 a processor). One more is refused at once, unread, with
    /// <c>UNAVAILABLE</c> + <c>RetryInfo</c> / 503 + <c>Retry-After</c>, as when delivery is behind: past what the
    /// processors keep up with, requests only queue for them, each holding its body, so this bounds the receiver's
    /// memory and its answer time whatever the number of clients.
    /// </summary>
    public int MaxConcurrentExports { get; init; } = DefaultMaxConcurrentExports;

    /// <summary>Gets how long a refused client is told to wait (gRPC <c>RetryInfo</c>, HTTP <c>Retry-After</c>;
    /// default 1 s, the .NET OTLP exporter's first backoff).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    // Security: access control and limits.

    /// <summary>Gets the access control: bearer tokens and TLS (default: neither).</summary>
    public ReceiverSecurityOptions Security { get; init; } = new();

    /// <summary>Gets the limits on what one client can make the receiver take (see <see cref="OtlpReceiverLimits"/>).</summary>
    public OtlpReceiverLimits Limits { get; init; } = new();

    internal void Validate()
    {
        this.Security.Validate();
        this.Limits.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(this.GrpcPort, nameof(this.GrpcPort));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(this.GrpcPort, 65535, nameof(this.GrpcPort));
        ArgumentOutOfRangeException.ThrowIfNegative(this.HttpPort, nameof(this.HttpPort));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(this.HttpPort, 65535, nameof(this.HttpPort));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.MaxRequestBytes, 1024, nameof(this.MaxRequestBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.MaxConcurrentExports, 1, nameof(this.MaxConcurrentExports));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.RetryDelay, TimeSpan.FromSeconds(1), nameof(this.RetryDelay));
        if (this.GrpcPort != 0 && this.GrpcPort == this.HttpPort)
        {
            throw new ArgumentException("The gRPC and HTTP ports must differ.", nameof(this.HttpPort));
        }

        if (!System.Net.IPAddress.TryParse(this.ListenAddress, out _) && !string.Equals(this.ListenAddress, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{this.ListenAddress}' is not an IP address.", nameof(this.ListenAddress));
        }
    }
}
