// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// Writes an <see cref="EventRequest"/> as the source-generated serializer does
/// (<c>JsonSerializer.Serialize(writer, request, HoneyHiveJsonContext.Default.EventRequest)</c>), byte for byte, without
/// it: the fields in <see cref="EventRequest"/>'s declaration order with pre-encoded names, a null field left out
/// (<see cref="HoneyHiveJsonContext"/>'s <c>WhenWritingNull</c>), and the <see cref="JsonNode"/> trees walked here
/// instead of through <c>JsonObject.WriteTo</c> and each value's converter.
/// </summary>
/// <remarks>
/// <para>
/// A tree is written as <c>JsonNode.WriteTo(writer, options)</c> writes it with the serializer's options: an object's
/// properties in order, a null member as <c>null</c>; an object or array still backed by the document it was parsed
/// from (<c>JsonObject.Create(element)</c>, <c>JsonNode.Parse</c>, not enumerated since) as its
/// <see cref="JsonElement"/>, without materializing it. A value is written directly only when its runtime type is one
/// of the few the mapper creates (<c>JsonValue.Create</c> of a string, bool, int, long, finite double, decimal or
/// <see cref="JsonElement"/>), whose <c>WriteTo</c> with the serializer's strict number handling is exactly that
/// call; any other node (another value type, a value made with other options, a non-finite double) is written by its
/// own <c>WriteTo</c> with the serializer's options, so the bytes (or the exception) are the serializer's.
/// </para>
/// <para>
/// Whether an object or array is still document-backed is read from the framework's private fields (an
/// <see cref="UnsafeAccessorAttribute"/>); if a runtime does not have them (<see cref="CanReadBacking"/> false), every
/// object and array is written by its own <c>WriteTo</c>.
/// </para>
/// </remarks>
internal static class EventJsonWriter
{
    private static readonly JsonEncodedText EventType = JsonEncodedText.Encode("event_type");
    private static readonly JsonEncodedText Inputs = JsonEncodedText.Encode("inputs");
    private static readonly JsonEncodedText EventId = JsonEncodedText.Encode("event_id");
    private static readonly JsonEncodedText SessionId = JsonEncodedText.Encode("session_id");
    private static readonly JsonEncodedText ParentId = JsonEncodedText.Encode("parent_id");
    private static readonly JsonEncodedText ChildrenIds = JsonEncodedText.Encode("children_ids");
    private static readonly JsonEncodedText EventName = JsonEncodedText.Encode("event_name");
    private static readonly JsonEncodedText Source = JsonEncodedText.Encode("source");
    private static readonly JsonEncodedText Config = JsonEncodedText.Encode("config");
    private static readonly JsonEncodedText Outputs = JsonEncodedText.Encode("outputs");
    private static readonly JsonEncodedText Error = JsonEncodedText.Encode("error");
    private static readonly JsonEncodedText StartTime = JsonEncodedText.Encode("start_time");
    private static readonly JsonEncodedText EndTime = JsonEncodedText.Encode("end_time");
    private static readonly JsonEncodedText Duration = JsonEncodedText.Encode("duration");
    private static readonly JsonEncodedText Metadata = JsonEncodedText.Encode("metadata");
    private static readonly JsonEncodedText Metrics = JsonEncodedText.Encode("metrics");
    private static readonly JsonEncodedText Feedback = JsonEncodedText.Encode("feedback");
    private static readonly JsonEncodedText UserProperties = JsonEncodedText.Encode("user_properties");
    private static readonly JsonEncodedText ProjectId = JsonEncodedText.Encode("project_id");

    private static readonly Type StringValue = JsonValue.Create("s").GetType();
    private static readonly Type BoolValue = JsonValue.Create(true).GetType();
    private static readonly Type IntValue = JsonValue.Create(1).GetType();
    private static readonly Type LongValue = JsonValue.Create(1L).GetType();
    private static readonly Type DoubleValue = JsonValue.Create(1.0).GetType();
    private static readonly Type DecimalValue = JsonValue.Create(1m).GetType();
    private static readonly Type ElementValue = ElementValueType();

    /// <summary>
    /// Gets a value indicating whether the framework's <see cref="JsonObject"/> and <see cref="JsonArray"/> have the
    /// private fields read to tell a document-backed one (checked once, by reflection).
    /// </summary>
#if NET10_0_OR_GREATER
    internal static bool CanReadBacking { get; } =
        HasField(typeof(JsonObject), "_jsonElement", typeof(JsonElement?))
        && HasField(typeof(JsonObject), "_dictionary", typeof(OrderedDictionary<string, JsonNode?>))
        && HasField(typeof(JsonArray), "_jsonElement", typeof(JsonElement?))
        && HasField(typeof(JsonArray), "_list", typeof(List<JsonNode?>));
#else
    internal static bool CanReadBacking => false;
#endif

    /// <summary>Gets the options the serializer hands to a node's <c>WriteTo</c>.</summary>
    private static JsonSerializerOptions SerializerOptions => HoneyHiveJsonContext.Default.Options;

    /// <summary>Writes the event (a whole JSON object).</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="request">The event.</param>
    /// <param name="sessionSlot">
    /// Where the event's <c>session_id</c> is, or would be were it set: the number of bytes the writer had taken
    /// (<see cref="Utf8JsonWriter.BytesCommitted"/> + <see cref="Utf8JsonWriter.BytesPending"/>) once the properties before it were
    /// written.
    /// </param>
    /// <param name="propertiesBeforeSession">Whether any property was written before that place.</param>
    /// <param name="propertiesAfterSession">Whether any property was written after it.</param>
    public static void Write(Utf8JsonWriter writer, EventRequest request, out long sessionSlot, out bool propertiesBeforeSession, out bool propertiesAfterSession)
    {
        writer.WriteStartObject();
        if (request.EventType is { } eventType)
        {
            writer.WriteString(EventType, eventType);
        }

        WriteObjectProperty(writer, Inputs, request.Inputs);
        if (request.EventId is { } eventId)
        {
            writer.WriteString(EventId, eventId);
        }

        sessionSlot = writer.BytesCommitted + writer.BytesPending;
        propertiesBeforeSession = request.EventType is not null || request.Inputs is not null || request.EventId is not null;
        if (request.SessionId is { } sessionId)
        {
            writer.WriteString(SessionId, sessionId);
        }

        var afterSession = writer.BytesCommitted + writer.BytesPending;
        WriteString(writer, ParentId, request.ParentId);
        if (request.ChildrenIds is { } children)
        {
            writer.WriteStartArray(ChildrenIds);
            foreach (var child in children)
            {
                if (child is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    writer.WriteStringValue(child);
                }
            }

            writer.WriteEndArray();
        }

        WriteString(writer, EventName, request.EventName);
        WriteString(writer, Source, request.Source);
        WriteObjectProperty(writer, Config, request.Config);
        WriteObjectProperty(writer, Outputs, request.Outputs);
        WriteString(writer, Error, request.Error);
        if (request.StartTime is { } start)
        {
            writer.WriteNumber(StartTime, start);
        }

        if (request.EndTime is { } end)
        {
            writer.WriteNumber(EndTime, end);
        }

        if (request.Duration is { } duration)
        {
            // A non-finite double throws in the writer, as in the serializer (strict number handling).
            writer.WriteNumber(Duration, duration);
        }

        WriteObjectProperty(writer, Metadata, request.Metadata);
        WriteObjectProperty(writer, Metrics, request.Metrics);
        WriteObjectProperty(writer, Feedback, request.Feedback);
        WriteObjectProperty(writer, UserProperties, request.UserProperties);
        WriteString(writer, ProjectId, request.ProjectId);
        propertiesAfterSession = writer.BytesCommitted + writer.BytesPending > afterSession;
        writer.WriteEndObject();
    }

    /// <summary>Writes a node as <c>node.WriteTo(writer, options)</c> with the serializer's options does.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="node">The node; null is written as <c>null</c>.</param>
    public static void WriteNode(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                WriteObject(writer, obj);
                break;
            case JsonArray array:
                WriteArray(writer, array);
                break;
            default:
                WriteValue(writer, node);
                break;
        }
    }

    private static void WriteString(Utf8JsonWriter writer, JsonEncodedText name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteObjectProperty(Utf8JsonWriter writer, JsonEncodedText name, JsonObject? value)
    {
        if (value is not null)
        {
            writer.WritePropertyName(name);
            WriteObject(writer, value);
        }
    }

    private static void WriteObject(Utf8JsonWriter writer, JsonObject obj)
    {
#if NET10_0_OR_GREATER
        if (!CanReadBacking)
        {
            obj.WriteTo(writer, SerializerOptions);
            return;
        }

        if (ObjectDictionary(obj) is null && ObjectElement(obj) is { } element)
        {
            // Still the parsed document: written from it, as JsonObject.WriteTo does, not materialized.
            element.WriteTo(writer);
            return;
        }

        writer.WriteStartObject();
        var count = obj.Count;
        for (var i = 0; i < count; i++)
        {
            var (name, value) = obj.GetAt(i);
            writer.WritePropertyName(name);
            WriteNode(writer, value);
        }

        writer.WriteEndObject();
#else
        // net8.0's JsonObject has neither GetAt nor the same private fields: its own WriteTo.
        obj.WriteTo(writer, SerializerOptions);
#endif
    }

    private static void WriteArray(Utf8JsonWriter writer, JsonArray array)
    {
#if NET10_0_OR_GREATER
        if (!CanReadBacking)
        {
            array.WriteTo(writer, SerializerOptions);
            return;
        }

        if (ArrayList(array) is null && ArrayElement(array) is { } element)
        {
            element.WriteTo(writer);
            return;
        }

        writer.WriteStartArray();
        var count = array.Count;
        for (var i = 0; i < count; i++)
        {
            WriteNode(writer, array[i]);
        }

        writer.WriteEndArray();
#else
        array.WriteTo(writer, SerializerOptions);
#endif
    }

    private static void WriteValue(Utf8JsonWriter writer, JsonNode value)
    {
        // Exact runtime types only: each is a JsonValuePrimitive<T> whose WriteTo, with strict number handling, is the
        // one call made here (JsonValueOfElement's is element.WriteTo).
        var type = value.GetType();
        if (type == StringValue)
        {
            writer.WriteStringValue(value.GetValue<string>());
        }
        else if (type == ElementValue)
        {
            value.GetValue<JsonElement>().WriteTo(writer);
        }
        else if (type == LongValue)
        {
            writer.WriteNumberValue(value.GetValue<long>());
        }
        else if (type == IntValue)
        {
            writer.WriteNumberValue(value.GetValue<int>());
        }
        else if (type == DoubleValue && double.IsFinite(value.GetValue<double>()))
        {
            writer.WriteNumberValue(value.GetValue<double>());
        }
        else if (type == BoolValue)
        {
            writer.WriteBooleanValue(value.GetValue<bool>());
        }
        else if (type == DecimalValue)
        {
            writer.WriteNumberValue(value.GetValue<decimal>());
        }
        else
        {
            value.WriteTo(writer, SerializerOptions);
        }
    }

    private static Type ElementValueType()
    {
        using var document = JsonDocument.Parse("\"s\"");
        return JsonValue.Create(document.RootElement.Clone())!.GetType();
    }

#if NET10_0_OR_GREATER
    private static bool HasField(Type type, string name, Type fieldType) =>
        type.GetField(name, BindingFlags.Instance | BindingFlags.NonPublic)?.FieldType == fieldType;

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_jsonElement")]
    private static extern ref JsonElement? ObjectElement(JsonObject obj);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_dictionary")]
    private static extern ref OrderedDictionary<string, JsonNode?>? ObjectDictionary(JsonObject obj);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_jsonElement")]
    private static extern ref JsonElement? ArrayElement(JsonArray array);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_list")]
    private static extern ref List<JsonNode?>? ArrayList(JsonArray array);
#endif
}
