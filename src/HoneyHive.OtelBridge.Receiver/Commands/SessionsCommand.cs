// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Receiver.Commands;

/// <summary>
/// <c>honeyhive-bridge sessions create</c> and <c>sessions create-event-batch</c>: the HoneyHive CLI's two session
/// commands, with flags and schemas generated from <see cref="ApiSchemas"/>, sent through the bridge's typed client.
/// </summary>
internal static class SessionsCommand
{
    /// <summary>Creates the <c>sessions</c> command, sending through the HoneyHive API client.</summary>
    /// <returns>The command.</returns>
    public static Command Create() => Create(HoneyHiveCommandSender.SendAsync);

    /// <summary>Creates the <c>sessions</c> command with the given sender.</summary>
    /// <param name="send">Sends the built call.</param>
    /// <returns>The command.</returns>
    internal static Command Create(ApiRequestCommand.ApiCallSender send)
    {
        var sessions = new Command("sessions", "HoneyHive sessions: start one, add a batch of events to one.");
        sessions.Subcommands.Add(ApiRequestCommand.Create(
            "create",
            "Start a new session (POST /v1/sessions). No field is required; posting the same session_id again merges metadata and user_properties.",
            ApiSchemas.Session,
            ToStartSessionCall,
            send));
        sessions.Subcommands.Add(ApiRequestCommand.Create(
            "create-event-batch",
            "Add a batch of events to an existing session (POST /v1/sessions/{session_id}/events/batch). Each event needs event_type and inputs.",
            ApiSchemas.SessionEventBatch,
            ToSessionEventBatchCall,
            send));
        return sessions;
    }

    /// <summary>Turns a valid <see cref="ApiSchemas.Session"/> object into <c>POST /v1/sessions</c>.</summary>
    /// <param name="request">The request object.</param>
    /// <returns>The call.</returns>
    internal static StartSessionCall ToStartSessionCall(JsonObject request) =>
        new(Deserialize(request, HoneyHiveJsonContext.Api.SessionStartRequest));

    /// <summary>
    /// Turns a valid <see cref="ApiSchemas.SessionEventBatch"/> object into
    /// <c>POST /v1/sessions/{session_id}/events/batch</c>: path fields go to the path, the rest to the body.
    /// </summary>
    /// <param name="request">The request object.</param>
    /// <returns>The call.</returns>
    internal static SessionEventBatchCall ToSessionEventBatchCall(JsonObject request)
    {
        var body = new JsonObject();
        foreach (var (name, value) in request)
        {
            if (ApiSchemas.SessionEventBatch.FindField(name) is { InPath: false })
            {
                body[name] = value?.DeepClone();
            }
        }

        return new((string)request["session_id"]!, Deserialize(body, HoneyHiveJsonContext.Api.SessionEventBatchRequest));
    }

    private static T Deserialize<T>(JsonObject request, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
        where T : class
    {
        try
        {
            return request.Deserialize(typeInfo) ?? throw new CommandUsageException("The request object is empty.");
        }
        catch (JsonException ex)
        {
            // The schema check runs first, so this is a value the model cannot hold (a number out of range).
            throw new CommandUsageException("The request cannot be built: " + ex.Message, ex);
        }
    }
}
