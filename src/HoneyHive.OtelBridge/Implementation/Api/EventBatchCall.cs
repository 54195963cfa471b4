// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary><c>POST /v1/events/batch</c>: events of any session (each event names its own).</summary>
internal sealed class EventBatchCall(EventBatchRequest request) : ApiCall
{
    public EventBatchRequest Request { get; } = request;

    public override string Method => "POST";

    public override string Path => "/v1/events/batch";

    /// <summary>Gets the session of the first event (delivery orders by it), or empty.</summary>
    public override string SessionId =>
        this.Request.Events.Count > 0 ? this.Request.Events[0].SessionId ?? string.Empty : string.Empty;

    public override void WriteBody(Utf8JsonWriter writer) =>
        JsonSerializer.Serialize(writer, this.Request, HoneyHiveJsonContext.Default.EventBatchRequest);
}
