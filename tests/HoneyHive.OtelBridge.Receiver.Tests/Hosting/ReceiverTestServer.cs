// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using Grpc.Net.Client;
using Grpc.Net.Compression;
using HoneyHive.OtelBridge.Receiver.Hosting;
using HoneyHive.OtelBridge.Receiver.Tests.Otlp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace HoneyHive.OtelBridge.Receiver.Tests.Hosting;

/// <summary>Tier (b): the receiver's real application on an in-memory TestServer, with a fake downstream.</summary>
internal sealed class ReceiverTestServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly List<GrpcChannel> otherChannels = [];

    private ReceiverTestServer(WebApplication app, RecordingSpanIngress ingress)
    {
        this.app = app;
        this.Ingress = ingress;
        var handler = app.GetTestServer().CreateHandler();
        this.Http = new HttpClient(app.GetTestServer().CreateHandler()) { BaseAddress = new Uri("http://localhost") };
        this.Channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = handler,
            CompressionProviders = [new GzipCompressionProvider(System.IO.Compression.CompressionLevel.Fastest)],
            MaxSendMessageSize = null,
        });
    }

    public RecordingSpanIngress Ingress { get; }

    public HttpClient Http { get; }

    public GrpcChannel Channel { get; }

    public static async Task<ReceiverTestServer> StartAsync(OtlpReceiverOptions? options = null, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null)
    {
        var ingress = new RecordingSpanIngress();
        var (app, _, _) = OtlpReceiverHost.Build(
            options ?? new OtlpReceiverOptions { GrpcPort = 0, HttpPort = 0 },
            ingress,
            loggerFactory,
            builder => builder.WebHost.UseTestServer());
        await app.StartAsync();
        return new ReceiverTestServer(app, ingress);
    }

    /// <summary>A channel to the server whose messages are compressed by <paramref name="gzip"/>.</summary>
    public GrpcChannel CreateChannel(ICompressionProvider gzip)
    {
        var channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = this.app.GetTestServer().CreateHandler(),
            CompressionProviders = [gzip],
            MaxSendMessageSize = null,
        });
        this.otherChannels.Add(channel);
        return channel;
    }

    public async ValueTask DisposeAsync()
    {
        this.otherChannels.ForEach(channel => channel.Dispose());
        this.Channel.Dispose();
        this.Http.Dispose();
        await this.app.DisposeAsync();
    }
}
