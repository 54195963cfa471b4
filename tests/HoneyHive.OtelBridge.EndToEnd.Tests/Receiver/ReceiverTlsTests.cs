// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Receiver.Hosting;
using HoneyHive.OtelBridge.Receiver.Security;
using HoneyHive.OtelBridge.Receiver.Tests.Otlp;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace HoneyHive.OtelBridge.EndToEnd.Tests.Receiver;

/// <summary>
/// The receiver behind TLS (a self-signed certificate made here and written to PEM files) and bearer tokens, driven by
/// the .NET OTLP exporter: its <c>HttpClientFactory</c> gives a client whose handler trusts exactly that certificate.
/// The exporter (1.20) sends gRPC through that HttpClient too, so both protocols are the real exporter.
/// </summary>
public sealed class ReceiverTlsTests : IDisposable
{
    private const string Token = "tls-e2e-token";
    private readonly string directory = Path.Combine(Path.GetTempPath(), "hh-tls-" + Guid.NewGuid().ToString("N"));
    private readonly X509Certificate2 certificate;
    private readonly string certPath;
    private readonly string keyPath;

    public ReceiverTlsTests()
    {
        Directory.CreateDirectory(this.directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=honeyhive-bridge-test", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        this.certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        this.certPath = Path.Combine(this.directory, "cert.pem");
        this.keyPath = Path.Combine(this.directory, "key.pem");
        File.WriteAllText(this.certPath, this.certificate.ExportCertificatePem());
        File.WriteAllText(this.keyPath, key.ExportPkcs8PrivateKeyPem());
    }

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task DotNetOtlpExporter_TlsAndToken_TraceStored(OtlpExportProtocol protocol)
    {
        // Arrange
        await using var server = await this.StartAsync();
        Assert.Equal(Uri.UriSchemeHttps, server.Host.GrpcAddress.Scheme);
        Assert.Equal(Uri.UriSchemeHttps, server.Host.HttpAddress.Scheme);
        var sourceName = "tls-" + protocol;
        using var source = new ActivitySource(sourceName);
        var endpoint = protocol == OtlpExportProtocol.Grpc ? server.Host.GrpcAddress : new Uri(server.Host.HttpAddress, "/v1/traces");
        Activity.Current = null;
        ActivityTraceId traceId;
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(sourceName)
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("tls-e2e"))
            .AddOtlpExporter(o =>
            {
                o.Endpoint = endpoint;
                o.Protocol = protocol;
                o.Headers = "authorization=Bearer " + Token;
                o.ExportProcessorType = ExportProcessorType.Simple;
                o.HttpClientFactory = () => new HttpClient(this.PinnedHandler()) { Timeout = TimeSpan.FromSeconds(10) };
            })
            .Build())
        {
            // Act
            using (var root = source.StartActivity("tls root"))
            {
                traceId = root!.TraceId;
                using var child = source.StartActivity("tls child");
                child!.SetTag("gen_ai.operation.name", "chat");
            }

            Assert.True(provider.ForceFlush(10_000));
        }

        await server.FlushAsync();

        // Assert
        var stored = await server.GetSessionAsync(HoneyHiveIds.SessionIdForTrace(traceId));
        Assert.Equal("tls root", (string?)stored["session"]!["event_name"]);
        Assert.Single(stored["events"]!.AsArray());
    }

    [Fact]
    public async Task GrpcClient_TlsWithoutToken_UnauthenticatedAndNothingStored()
    {
        // Arrange
        await using var server = await this.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Host.GrpcAddress, new GrpcChannelOptions { HttpHandler = this.PinnedHandler() });
        var (request, traceId) = OtlpRequests.RootWithChild();

        // Act
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await new TraceService.TraceServiceClient(channel).ExportAsync(request));
        await server.FlushAsync();

        // Assert
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, ex.StatusCode);
        Assert.False(await server.SessionExistsAsync(HoneyHiveIds.SessionIdForTrace(ActivityTraceId.CreateFromBytes(traceId))));
    }

    [Fact]
    public async Task HttpClient_UntrustedCertificate_HandshakeFails()
    {
        // Arrange: a client that trusts only the system store refuses the self-signed certificate.
        await using var server = await this.StartAsync();
        using var http = new HttpClient();

        // Act / Assert
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri(server.Host.HttpAddress, OtlpReceiverOptions.HealthPath)));
    }

    public void Dispose()
    {
        this.certificate.Dispose();
        Directory.Delete(this.directory, recursive: true);
    }

    private SocketsHttpHandler PinnedHandler()
    {
        var pinned = this.certificate.GetCertHash(HashAlgorithmName.SHA256);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
            cert is not null && cert.GetCertHash(HashAlgorithmName.SHA256).AsSpan().SequenceEqual(pinned);
        return handler;
    }

    private Task<ReceiverEndToEndServer> StartAsync() => ReceiverEndToEndServer.StartAsync(receiverOptions: new OtlpReceiverOptions
    {
        GrpcPort = 0,
        HttpPort = 0,
        Security = new ReceiverSecurityOptions
        {
            AuthTokens = BearerTokenSet.FromTokens([Token]),
            TlsCertificatePath = this.certPath,
            TlsKeyPath = this.keyPath,
        },
    });
}
