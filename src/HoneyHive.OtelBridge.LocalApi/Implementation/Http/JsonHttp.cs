// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace HoneyHive.OtelBridge.LocalApi.Implementation.Http;

/// <summary>Reads JSON request bodies and writes JSON answers.</summary>
internal static class JsonHttp
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = 128,
        AllowDuplicateProperties = false,
    };

    /// <summary>Reads the request body as one JSON object.</summary>
    /// <param name="request">The request.</param>
    /// <param name="what">What the body is, for the error message.</param>
    /// <returns>The object.</returns>
    /// <exception cref="ApiException">The body is not JSON (400) or not an object (400).</exception>
    public static async Task<JsonObject> ReadObjectAsync(HttpRequest request, string what)
    {
        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(request.Body, documentOptions: DocumentOptions, cancellationToken: request.HttpContext.RequestAborted)
                .ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw new ApiException(400, ErrorCodes.InvalidJson, "The request body is not valid JSON: " + ex.Message);
        }

        if (node is not JsonObject body)
        {
            throw ApiException.BadRequest($"The request body must be a JSON object ({what}).");
        }

        return body;
    }

    public static Task WriteAsync(HttpContext context, int statusCode, JsonNode body)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    public static Task WriteOkAsync(HttpContext context, JsonNode body) => WriteAsync(context, StatusCodes.Status200OK, body);

    public static Task WriteErrorAsync(HttpContext context, int statusCode, string errorCode, string message)
    {
        var body = new JsonObject
        {
            ["statusCode"] = statusCode,
            ["message"] = message,
            ["success"] = false,
            ["errorCode"] = errorCode,
        };
        return WriteAsync(context, statusCode, body);
    }

    public static JsonObject Success() => new() { ["success"] = true };
}
