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
/// <c>POST /v1/events</c>, <c>POST /v1/events/batch</c>, <c>PUT /v1/events/{event_id}</c> and
/// <c>GET /v1/events/{event_id}</c>.
/// </summary>
internal sealed class EventRoutes
{
    private static readonly FrozenDictionary<string, FieldKind> BatchFields = new Dictionary<string, FieldKind>
    {
        ["events"] = FieldKind.Any,
        ["single_session"] = FieldKind.Boolean,
        ["session_properties"] = FieldKind.Object,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly LocalStore store;
    private readonly TimeProvider time;
    private readonly ILogger logger;

    public EventRoutes(LocalStore store, TimeProvider time, ILogger logger)
    {
        this.store = store;
        this.time = time;
        this.logger = logger;
    }

    public void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/events", new RequestDelegate(this.CreateAsync));
        endpoints.MapPost("/v1/events/batch", new RequestDelegate(this.CreateBatchAsync));
        endpoints.MapPut("/v1/events/{event_id}", new RequestDelegate(this.UpdateAsync));
        endpoints.MapGet("/v1/events/{event_id}", new RequestDelegate(this.GetAsync));
    }

    private static ApiException NotFound(string eventId) =>
        new(StatusCodes.Status404NotFound, ErrorCodes.EventNotFound, $"Event '{eventId}' not found.");

    private async Task CreateAsync(HttpContext context)
    {
        var body = await JsonHttp.ReadObjectAsync(context.Request, "an event object").ConfigureAwait(false);
        var request = EventSchema.Validate(body, "event");
        var sessionId = EventSchema.SessionIdOf(request) ?? LocalIds.NewId();
        var stored = EventSchema.Create(request, sessionId);
        await this.store.PutEventsAsync([stored], context.RequestAborted).ConfigureAwait(false);
        LocalApiLog.EventsStored(this.logger, context.Request.Method, context.Request.Path, 1, sessionId);
        await JsonHttp.WriteOkAsync(context, new JsonObject { ["event_id"] = stored["event_id"]!.DeepClone(), ["success"] = true })
            .ConfigureAwait(false);
    }

    private async Task CreateBatchAsync(HttpContext context)
    {
        var body = await JsonHttp.ReadObjectAsync(context.Request, "{\"events\": [...]}").ConfigureAwait(false);
        JsonFields.Check(body, BatchFields, "batch");
        var requests = BatchWriter.EventsOf(body)
            .Select((item, index) => EventSchema.Validate(item, $"event at index {index}"))
            .ToList();

        var nowMs = this.time.GetUtcNow().ToUnixTimeMilliseconds();
        var sessionRequest = body["session_properties"] is JsonObject properties
            ? SessionSchema.Validate(properties, "session_properties", nowMs)
            : SessionSchema.Validate([], "session_properties", nowMs);
        var singleSession = body["single_session"]?.GetValue<bool>() == true;
        string? sharedSessionId = singleSession ? sessionRequest["session_id"]!.GetValue<string>() : null;

        var events = requests
            .Select(request => EventSchema.Create(request, sharedSessionId ?? EventSchema.SessionIdOf(request) ?? LocalIds.NewId()))
            .ToList();

        if (singleSession)
        {
            await SessionRoutes.CreateOrMergeAsync(this.store, sessionRequest, nowMs, context.RequestAborted).ConfigureAwait(false);
        }

        await BatchWriter.StoreAsync(context, this.store, events, "Events partially created").ConfigureAwait(false);
        LocalApiLog.EventsStored(this.logger, context.Request.Method, context.Request.Path, events.Count, sharedSessionId ?? "(per event)");

        var answer = new JsonObject
        {
            ["event_ids"] = new JsonArray([.. events.Select(item => item["event_id"]!.DeepClone())]),
        };
        if (sharedSessionId is not null)
        {
            answer["session_id"] = sharedSessionId;
        }

        answer["success"] = true;
        await JsonHttp.WriteOkAsync(context, answer).ConfigureAwait(false);
    }

    private async Task UpdateAsync(HttpContext context)
    {
        var eventId = (string)context.Request.RouteValues["event_id"]!;
        var body = await JsonHttp.ReadObjectAsync(context.Request, "an event update").ConfigureAwait(false);
        EventUpdateSchema.Validate(body);
        var found = await this.store.UpdateEventAsync(eventId, stored => EventUpdateSchema.Apply(stored, body), context.RequestAborted)
            .ConfigureAwait(false);
        if (!found)
        {
            throw NotFound(eventId);
        }

        await JsonHttp.WriteOkAsync(context, JsonHttp.Success()).ConfigureAwait(false);
    }

    private async Task GetAsync(HttpContext context)
    {
        var eventId = (string)context.Request.RouteValues["event_id"]!;
        var stored = await this.store.GetEventAsync(eventId, context.RequestAborted).ConfigureAwait(false) ?? throw NotFound(eventId);
        await JsonHttp.WriteOkAsync(context, new JsonObject { ["event"] = stored }).ConfigureAwait(false);
    }
}
