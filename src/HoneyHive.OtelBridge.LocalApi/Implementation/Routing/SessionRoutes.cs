// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Frozen;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.LocalApi.Implementation.Http;
using HoneyHive.OtelBridge.LocalApi.Implementation.Storage;
using HoneyHive.OtelBridge.LocalApi.Implementation.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace HoneyHive.OtelBridge.LocalApi.Implementation.Routing;

/// <summary>
/// <c>POST /v1/sessions</c>, <c>POST /v1/sessions/{session_id}/events/batch</c> and the local read route
/// <c>GET /v1/sessions/{session_id}</c>.
/// </summary>
internal sealed class SessionRoutes
{
    private static readonly FrozenDictionary<string, FieldKind> BatchFields =
        new Dictionary<string, FieldKind> { ["events"] = FieldKind.Any }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly LocalStore store;
    private readonly TimeProvider time;
    private readonly ILogger logger;

    public SessionRoutes(LocalStore store, TimeProvider time, ILogger logger)
    {
        this.store = store;
        this.time = time;
        this.logger = logger;
    }

    public void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/sessions", new RequestDelegate(this.StartAsync));
        endpoints.MapGet("/v1/sessions/{session_id}", new RequestDelegate(this.GetAsync));
        endpoints.MapPost("/v1/sessions/{session_id}/events/batch", new RequestDelegate(this.AddEventsAsync));
    }

    /// <summary>Creates a session, or merges <c>metadata</c>/<c>user_properties</c> into an existing one.</summary>
    /// <param name="store">The store.</param>
    /// <param name="request">A validated request (<see cref="SessionSchema.Validate"/>).</param>
    /// <param name="nowMs">The current time in Unix milliseconds.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The stored session.</returns>
    internal static Task<JsonObject> CreateOrMergeAsync(LocalStore store, JsonObject request, long nowMs, CancellationToken cancellationToken)
    {
        var sessionId = request["session_id"]!.GetValue<string>();
        return store.UpsertSessionAsync(
            sessionId,
            existing => existing is null ? SessionSchema.Create(request, nowMs) : SessionSchema.Merge(existing, request),
            cancellationToken);
    }

    private async Task StartAsync(HttpContext context)
    {
        var body = await JsonHttp.ReadObjectAsync(context.Request, "a session object").ConfigureAwait(false);
        var nowMs = this.time.GetUtcNow().ToUnixTimeMilliseconds();
        var request = SessionSchema.Validate(body, "session", nowMs);
        var sessionId = request["session_id"]!.GetValue<string>();
        var session = await CreateOrMergeAsync(this.store, request, nowMs, context.RequestAborted).ConfigureAwait(false);
        LocalApiLog.SessionStored(this.logger, context.Request.Method, context.Request.Path, sessionId);
        await JsonHttp.WriteOkAsync(context, session).ConfigureAwait(false);
    }

    private async Task GetAsync(HttpContext context)
    {
        var sessionId = (string)context.Request.RouteValues["session_id"]!;
        var session = await this.store.GetSessionAsync(sessionId, context.RequestAborted).ConfigureAwait(false)
            ?? throw NotFound(sessionId);
        var events = await this.store.GetSessionEventsAsync(sessionId, context.RequestAborted).ConfigureAwait(false);
        var body = new JsonObject
        {
            ["session"] = session,
            ["events"] = new JsonArray([.. events]),
        };
        await JsonHttp.WriteOkAsync(context, body).ConfigureAwait(false);
    }

    private async Task AddEventsAsync(HttpContext context)
    {
        var sessionId = (string)context.Request.RouteValues["session_id"]!;
        if (!JsonFields.IsUuid(sessionId))
        {
            throw ApiException.BadRequest($"Invalid path: session_id '{sessionId}' is not a UUID.");
        }

        var body = await JsonHttp.ReadObjectAsync(context.Request, "{\"events\": [...]}").ConfigureAwait(false);
        JsonFields.Check(body, BatchFields, "batch");
        var events = BatchWriter.EventsOf(body)
            .Select((item, index) => EventSchema.Create(EventSchema.Validate(item, $"event at index {index}"), sessionId))
            .ToList();

        if (await this.store.GetSessionAsync(sessionId, context.RequestAborted).ConfigureAwait(false) is null)
        {
            throw NotFound(sessionId);
        }

        await BatchWriter.StoreAsync(context, this.store, events, "Events partially added").ConfigureAwait(false);
        LocalApiLog.EventsStored(this.logger, context.Request.Method, context.Request.Path, events.Count, sessionId);
        await JsonHttp.WriteOkAsync(context, JsonHttp.Success()).ConfigureAwait(false);
    }

    private static ApiException NotFound(string sessionId) =>
        new(StatusCodes.Status404NotFound, ErrorCodes.SessionNotFound, $"Session '{sessionId}' not found: create it with POST /v1/sessions first.");
}
