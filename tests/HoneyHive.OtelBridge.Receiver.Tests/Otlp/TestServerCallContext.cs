// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using Grpc.Core;

namespace HoneyHive.OtelBridge.Receiver.Tests.Otlp;

/// <summary>A minimal <see cref="ServerCallContext"/> for calling a service method directly (grpc-dotnet's tester
/// example pattern).</summary>
internal sealed class TestServerCallContext : ServerCallContext
{
    private readonly Metadata requestHeaders = [];
    private readonly Metadata responseTrailers = [];
    private readonly CancellationToken cancellationToken;

    public TestServerCallContext(CancellationToken cancellationToken = default)
    {
        this.cancellationToken = cancellationToken;
    }

    protected override string MethodCore => "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

    protected override string HostCore => "localhost";

    protected override string PeerCore => "ipv4:127.0.0.1:1";

    protected override DateTime DeadlineCore => DateTime.MaxValue;

    protected override Metadata RequestHeadersCore => this.requestHeaders;

    protected override CancellationToken CancellationTokenCore => this.cancellationToken;

    protected override Metadata ResponseTrailersCore => this.responseTrailers;

    protected override Status StatusCore { get; set; }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore => new(null, []);

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
