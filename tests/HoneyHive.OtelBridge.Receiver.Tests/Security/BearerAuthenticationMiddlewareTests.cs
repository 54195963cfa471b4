// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Receiver.Hosting;
using HoneyHive.OtelBridge.Receiver.Security;
using HoneyHive.OtelBridge.Receiver.Tests.Commands;
using HoneyHive.OtelBridge.Receiver.Tests.Hosting;
using HoneyHive.OtelBridge.Receiver.Tests.Otlp;
using Microsoft.Extensions.Logging;

namespace HoneyHive.OtelBridge.Receiver.Tests.Security;

public sealed class BearerAuthenticationMiddlewareTests
{
    private const string TokenA = "token-a-7f3c9d";
    private const string TokenB = "token-b-longer-than-the-first-one";

    public static TheoryData<string?, bool> Credentials => new()
    {
        { null, false },
        { "Bearer wrong-token", false },
        { "Basic " + TokenA, false },
        { "Bearer " + TokenA + "x", false },
        { "Bearer", false },
        { "Bearer " + TokenA, true },
        { "bearer " + TokenB, true },
    };

    [Theory]
    [MemberData(nameof(Credentials))]
    public async Task GrpcExport_Credential_UnauthenticatedUnlessValid(string? authorization, bool accepted)
    {
        // Arrange
        await using var server = await StartAsync();
        var client = new TraceService.TraceServiceClient(server.Channel);
        var headers = new Metadata();
        if (authorization is not null)
        {
            headers.Add("authorization", authorization);
        }

        // Act
        var ex = await Record.ExceptionAsync(async () => await client.ExportAsync(OtlpRequests.RootWithChild().Request, headers));

        // Assert
        if (accepted)
        {
            Assert.Null(ex);
            Assert.Equal(2, server.Ingress.Spans.Count);
        }
        else
        {
            Assert.Equal(StatusCode.Unauthenticated, Assert.IsType<RpcException>(ex).StatusCode);
            Assert.Empty(server.Ingress.Spans);
        }
    }

    [Theory]
    [MemberData(nameof(Credentials))]
    public async Task HttpPost_Credential_401WithChallengeUnlessValid(string? authorization, bool accepted)
    {
        // Arrange
        await using var server = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, OtlpReceiverOptions.TracesPath)
        {
            Content = new ByteArrayContent(OtlpRequests.RootWithChild().Request.ToByteArray()),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        // Act
        using var response = await server.Http.SendAsync(request);

        // Assert
        if (accepted)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(2, server.Ingress.Spans.Count);
        }
        else
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
            Assert.Empty(server.Ingress.Spans);
        }
    }

    [Fact]
    public async Task Healthz_NoToken_Open()
    {
        // Arrange
        await using var server = await StartAsync();

        // Act
        using var response = await server.Http.GetAsync(OtlpReceiverOptions.HealthPath);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task GrpcHealthCheck_NoToken_Open()
    {
        // Arrange
        await using var server = await StartAsync();

        // Act
        var response = await new Health.HealthClient(server.Channel).CheckAsync(new HealthCheckRequest());

        // Assert
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task UnknownRoute_NoToken_401BeforeRouting()
    {
        // Arrange: a route added later (such as /metrics) sits behind the same check.
        await using var server = await StartAsync();

        // Act
        using var response = await server.Http.GetAsync("/metrics");

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task GrpcExport_WrongToken_TokensNeverLogged()
    {
        // Arrange
        using var provider = new ListLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(provider).SetMinimumLevel(LogLevel.Trace));
        await using var server = await StartAsync(loggerFactory);
        var client = new TraceService.TraceServiceClient(server.Channel);

        // Act
        await Assert.ThrowsAsync<RpcException>(async () => await client.ExportAsync(OtlpRequests.RootWithChild().Request, new Metadata { { "authorization", "Bearer presented-secret-123" } }));
        await client.ExportAsync(OtlpRequests.RootWithChild().Request, new Metadata { { "authorization", "Bearer " + TokenA } });

        // Assert
        var line = await provider.WaitForAsync("refused \\(401 / UNAUTHENTICATED\\)");
        Assert.NotNull(line);
        Assert.DoesNotContain(provider.Lines, l => l.Message.Contains("presented-secret-123", StringComparison.Ordinal) || l.Message.Contains(TokenA, StringComparison.Ordinal) || l.Message.Contains(TokenB, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReceiverWithoutTokens_NoHeader_Accepted()
    {
        // Arrange
        await using var server = await ReceiverTestServer.StartAsync();

        // Act
        var response = await new TraceService.TraceServiceClient(server.Channel).ExportAsync(OtlpRequests.RootWithChild().Request);

        // Assert
        Assert.Null(response.PartialSuccess);
    }

    private static Task<ReceiverTestServer> StartAsync(ILoggerFactory? loggerFactory = null) => ReceiverTestServer.StartAsync(
        new OtlpReceiverOptions
        {
            GrpcPort = 0,
            HttpPort = 0,
            Security = new ReceiverSecurityOptions { AuthTokens = BearerTokenSet.FromTokens([TokenA, TokenB]) },
        },
        loggerFactory);
}
