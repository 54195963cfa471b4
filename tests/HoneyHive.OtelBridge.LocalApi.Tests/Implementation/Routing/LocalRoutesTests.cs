// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Net;
using System.Text.Json.Nodes;

namespace HoneyHive.OtelBridge.LocalApi.Tests.Implementation.Routing;

public sealed class LocalRoutesTests
{
    [Fact]
    public async Task Stats_AfterSessionsAndEvents_CountsBoth()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();
        var sessionId = await server.CreateSessionAsync();
        await server.PostAsync($"/v1/sessions/{sessionId}/events/batch", """{"events": [{"event_type": "chain", "inputs": {}}, {"event_type": "tool", "inputs": {}}]}""");

        // Act
        var response = await server.GetAsync("/_local/stats");

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"sessions": 1, "events": 2}"""), response.Body));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("DELETE")]
    public async Task Faults_InjectionDisabled_RouteIs404(string method)
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();

        // Act
        var response = await server.SendAsync(new HttpMethod(method), "/_local/faults", method == "POST" ? """{"status": 503}""" : null);

        // Assert
        response.AssertError(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await server.PostAsync("/v1/sessions", "{}")).Status);
    }

    [Theory]
    [InlineData("""{"status": "503"}""", "'status'")]
    [InlineData("""{"status": 503, "count": 0}""", "count")]
    [InlineData("""{"status": 99}""", "status")]
    [InlineData("""{"status": 503, "colour": "red"}""", "'colour'")]
    [InlineData("""{"delay_ms": 1.5}""", "'delay_ms'")]
    public async Task Faults_InvalidFault_Returns400(string body, string named)
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync(o => o.EnableFaultInjection = true);

        // Act
        var response = await server.PostAsync("/_local/faults", body);

        // Assert
        response.AssertError(HttpStatusCode.BadRequest);
        Assert.Contains(named, response.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Api.Faults.Pending);
    }
}
