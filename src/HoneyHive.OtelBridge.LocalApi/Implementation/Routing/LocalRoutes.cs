// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.LocalApi.Implementation.Http;
using HoneyHive.OtelBridge.LocalApi.Implementation.Storage;
using HoneyHive.OtelBridge.LocalApi.Implementation.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HoneyHive.OtelBridge.LocalApi.Implementation.Routing;

/// <summary>
/// The local extensions: <c>GET /_local/stats</c>, and <c>POST</c>/<c>DELETE /_local/faults</c> when fault injection
/// is enabled (otherwise those routes do not exist: 404).
/// </summary>
internal sealed class LocalRoutes
{
    private static readonly FrozenDictionary<string, FieldKind> FaultFields = new Dictionary<string, FieldKind>
    {
        ["status"] = FieldKind.Number,
        ["count"] = FieldKind.Number,
        ["retry_after"] = FieldKind.Any,
        ["delay_ms"] = FieldKind.Number,
        ["partial"] = FieldKind.Boolean,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly LocalStore store;
    private readonly FaultInjector faults;

    public LocalRoutes(LocalStore store, FaultInjector faults)
    {
        this.store = store;
        this.faults = faults;
    }

    public void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/_local/stats", new RequestDelegate(this.StatsAsync));
        if (this.faults.IsEnabled)
        {
            endpoints.MapPost("/_local/faults", new RequestDelegate(this.EnqueueFaultAsync));
            endpoints.MapDelete("/_local/faults", new RequestDelegate(this.ClearFaultsAsync));
        }
    }

    internal static InjectedFault ParseFault(JsonObject body)
    {
        JsonFields.Check(body, FaultFields, "fault");
        var retryAfter = body["retry_after"] switch
        {
            null => null,
            JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
            JsonValue value when value.GetValueKind() == JsonValueKind.Number => value.ToJsonString(),
            _ => throw ApiException.BadRequest("Invalid fault: field 'retry_after' must be a string or a number."),
        };
        try
        {
            return new InjectedFault
            {
                StatusCode = body["status"] is { } status ? ReadInt(status, "status") : null,
                Count = body["count"] is { } count ? ReadInt(count, "count") : 1,
                RetryAfter = retryAfter,
                Delay = body["delay_ms"] is { } delay ? TimeSpan.FromMilliseconds(ReadInt(delay, "delay_ms")) : TimeSpan.Zero,
                Partial = body["partial"]?.GetValue<bool>() ?? false,
            };
        }
        catch (OverflowException)
        {
            throw ApiException.BadRequest("Invalid fault: a number is out of range.");
        }
    }

    private static int ReadInt(JsonNode node, string name) =>
        node.AsValue().TryGetValue<int>(out var value)
            ? value
            : throw ApiException.BadRequest(string.Create(CultureInfo.InvariantCulture, $"Invalid fault: field '{name}' must be an integer."));

    private async Task StatsAsync(HttpContext context)
    {
        var (sessions, events) = await this.store.CountAsync(context.RequestAborted).ConfigureAwait(false);
        await JsonHttp.WriteOkAsync(context, new JsonObject { ["sessions"] = sessions, ["events"] = events }).ConfigureAwait(false);
    }

    private async Task EnqueueFaultAsync(HttpContext context)
    {
        var fault = ParseFault(await JsonHttp.ReadObjectAsync(context.Request, "a fault").ConfigureAwait(false));
        try
        {
            this.faults.Enqueue(fault);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw ApiException.BadRequest("Invalid fault: " + ex.Message);
        }

        await JsonHttp.WriteOkAsync(context, new JsonObject { ["success"] = true, ["pending"] = this.faults.Pending }).ConfigureAwait(false);
    }

    private Task ClearFaultsAsync(HttpContext context)
    {
        this.faults.Clear();
        return JsonHttp.WriteOkAsync(context, JsonHttp.Success());
    }
}
