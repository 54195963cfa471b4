// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Net;

namespace HoneyHive.OtelBridge.LocalApi.Tests.Implementation.Http;

public sealed class ApiGateMiddlewareTests
{
    public static TheoryData<string, string, string?> V1Routes => new()
    {
        { "POST", "/v1/sessions", "{}" },
        { "POST", "/v1/sessions/caf77ace-3417-4da4-944d-f4a0688f3c23/events/batch", """{"events": []}""" },
        { "POST", "/v1/events", """{"event_type": "chain", "inputs": {}}""" },
        { "POST", "/v1/events/batch", """{"events": []}""" },
        { "PUT", "/v1/events/7f22137a-6911-4ed3-bc36-110f1dde6b66", "{}" },
        { "GET", "/v1/events/7f22137a-6911-4ed3-bc36-110f1dde6b66", null },
        { "GET", "/v1/sessions/caf77ace-3417-4da4-944d-f4a0688f3c23", null },
        { "GET", "/v1/no-such-route", null },
    };

    [Theory]
    [MemberData(nameof(V1Routes))]
    public async Task Invoke_MissingKeyOnV1Route_Returns404WithKeyHint(string method, string path, string? body)
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();

        // Act
        var response = await server.SendAsync(new HttpMethod(method), path, body, authorization: null);

        // Assert
        var error = response.AssertError(HttpStatusCode.NotFound, "NOT_FOUND_OR_UNAUTHORIZED");
        Assert.Contains("API key", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal((0L, 0L), await server.StatsAsync());
    }

    [Theory]
    [InlineData("Bearer wrong-key")]
    [InlineData("Bearer test-key-and-more")]
    [InlineData("Bearer ")]
    [InlineData("Basic test-key")]
    [InlineData("test-key")]
    public async Task Invoke_WrongKey_Returns404AndStoresNothing(string authorization)
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();

        // Act
        var response = await server.SendAsync(HttpMethod.Post, "/v1/sessions", "{}", authorization);

        // Assert
        var error = response.AssertError(HttpStatusCode.NotFound, "NOT_FOUND_OR_UNAUTHORIZED");
        Assert.DoesNotContain("test-key", error.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal((0L, 0L), await server.StatsAsync());
    }

    [Theory]
    [InlineData("Bearer any-key", HttpStatusCode.OK)]
    [InlineData("bearer hh_ingst_whatever", HttpStatusCode.OK)]
    [InlineData("Bearer ", HttpStatusCode.NotFound)]
    [InlineData(null, HttpStatusCode.NotFound)]
    public async Task Invoke_NoConfiguredKey_AcceptsAnyNonEmptyBearerKey(string? authorization, HttpStatusCode expected)
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync(o => o.ApiKey = null);

        // Act
        var response = await server.SendAsync(HttpMethod.Post, "/v1/sessions", "{}", authorization);

        // Assert
        Assert.Equal(expected, response.Status);
    }

    [Fact]
    public async Task Invoke_UnknownRoute_Returns404JsonError()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();

        // Act
        var response = await server.GetAsync("/v2/nothing");

        // Assert
        response.AssertError(HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal("application/json", response.ContentHeaders.ContentType!.MediaType);
    }

    [Fact]
    public async Task Invoke_WrongMethodOnKnownRoute_Returns405JsonError()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();

        // Act
        var response = await server.DeleteAsync("/v1/sessions");

        // Assert
        response.AssertError(HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED");
    }

    [Theory]
    [InlineData("/v1/sessions")]
    [InlineData("/v1/events")]
    [InlineData("/v1/events/batch")]
    [InlineData("/v1/sessions/caf77ace-3417-4da4-944d-f4a0688f3c23/events/batch")]
    public async Task Invoke_BodyNotJson_Returns400InvalidJson(string path)
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();

        // Act
        var response = await server.PostAsync(path, "<html>not json</html>");

        // Assert
        response.AssertError(HttpStatusCode.BadRequest, "INVALID_JSON");
    }

    [Fact]
    public async Task Invoke_LocalStatsRoute_NeedsNoKey()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();

        // Act
        var response = await server.SendAsync(HttpMethod.Get, "/_local/stats", null, authorization: null);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.Status);
    }
}
