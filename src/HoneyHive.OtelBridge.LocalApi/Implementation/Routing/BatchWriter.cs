// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.LocalApi.Implementation.Http;
using HoneyHive.OtelBridge.LocalApi.Implementation.Storage;
using Microsoft.AspNetCore.Http;

namespace HoneyHive.OtelBridge.LocalApi.Implementation.Routing;

/// <summary>Stores a validated batch, or (under an injected partial fault) its first half followed by a 500.</summary>
internal static class BatchWriter
{
    public static async Task StoreAsync(HttpContext context, LocalStore store, IReadOnlyList<JsonObject> events, string partialMessage)
    {
        if (FaultMiddleware.TakePartialFault(context))
        {
            var half = events.Take(events.Count / 2).ToList();
            await store.PutEventsAsync(half, context.RequestAborted).ConfigureAwait(false);
            throw new ApiException(StatusCodes.Status500InternalServerError, ErrorCodes.PartiallyAdded, partialMessage);
        }

        await store.PutEventsAsync(events, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Reads the <c>events</c> array of a batch body.</summary>
    /// <param name="body">The body.</param>
    /// <returns>The array.</returns>
    public static JsonArray EventsOf(JsonObject body)
    {
        if (!body.TryGetPropertyValue("events", out var events))
        {
            throw ApiException.BadRequest("Invalid batch: missing required field 'events'.");
        }

        return events as JsonArray ?? throw ApiException.BadRequest("Invalid batch: field 'events' must be an array.");
    }
}
