// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// Writes a <see cref="SessionStartRequest"/> as the source-generated serializer does
/// (<c>JsonSerializer.Serialize(writer, request, HoneyHiveJsonContext.Api.SessionStartRequest)</c>), byte for byte,
/// without it: the fields in <see cref="SessionStartRequest"/>'s declaration order, a null field left out, an object
/// field written from the mapper's properties without making its <see cref="System.Text.Json.Nodes.JsonObject"/>
/// (<see cref="FieldObject"/>), as <see cref="EventJsonWriter"/> writes an event.
/// </summary>
internal static class SessionJsonWriter
{
    private static readonly JsonEncodedText SessionName = JsonEncodedText.Encode("session_name");

    /// <summary>Writes the session (a whole JSON object).</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="request">The session.</param>
    public static void Write(Utf8JsonWriter writer, SessionStartRequest request)
    {
        writer.WriteStartObject();
        EventJsonWriter.WriteString(writer, EventJsonWriter.SessionId, request.SessionId);
        EventJsonWriter.WriteString(writer, SessionName, request.SessionName);
        EventJsonWriter.WriteString(writer, EventJsonWriter.EventName, request.EventName);
        EventJsonWriter.WriteString(writer, EventJsonWriter.Source, request.Source);
        EventJsonWriter.WriteTimes(writer, request.StartTime, request.EndTime, request.Duration);

        EventJsonWriter.WriteObjectProperty(writer, EventJsonWriter.Config, request.ConfigField);
        EventJsonWriter.WriteObjectProperty(writer, EventJsonWriter.Inputs, request.InputsField);
        EventJsonWriter.WriteObjectProperty(writer, EventJsonWriter.Outputs, request.OutputsField);
        EventJsonWriter.WriteObjectProperty(writer, EventJsonWriter.Metadata, request.MetadataField);
        EventJsonWriter.WriteObjectProperty(writer, EventJsonWriter.UserProperties, request.UserPropertiesField);
        EventJsonWriter.WriteChildrenIds(writer, request.ChildrenIds);
        writer.WriteEndObject();
    }
}
