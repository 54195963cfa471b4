// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace HoneyHive.OtelBridge.LocalApi.Tests;

/// <summary>A response of the local API: status, parsed JSON body and headers.</summary>
internal sealed record ApiResponse(HttpStatusCode Status, JsonNode? Body, HttpResponseHeaders Headers, HttpContentHeaders ContentHeaders)
{
    /// <summary>Asserts the documented error body <c>{"statusCode", "message", "success": false, "errorCode"}</c>.</summary>
    public JsonObject AssertError(HttpStatusCode status, string? errorCode = null)
    {
        Assert.Equal(status, this.Status);
        var body = Assert.IsType<JsonObject>(this.Body);
        Assert.Equal(
            new[] { "errorCode", "message", "statusCode", "success" },
            body.Select(p => p.Key).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal((int)status, body["statusCode"]!.GetValue<int>());
        Assert.False(body["success"]!.GetValue<bool>());
        Assert.False(string.IsNullOrEmpty(body["message"]!.GetValue<string>()));
        if (errorCode is not null)
        {
            Assert.Equal(errorCode, body["errorCode"]!.GetValue<string>());
        }

        return body;
    }

    public string Message => this.Body!["message"]!.GetValue<string>();
}
