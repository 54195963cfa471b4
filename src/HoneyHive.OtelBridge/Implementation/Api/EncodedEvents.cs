// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// Events encoded once into compact UTF-8 JSON (the source-generated <see cref="HoneyHiveJsonContext"/>, so the bytes
/// are those the batch serializer writes for each event), and batch bodies written from those bytes. Delivery encodes
/// the events of a session event batch when it takes the call and then keeps only the bytes, never the
/// <see cref="EventRequest"/> trees: sizing, merging, splitting and every retry reuse them.
/// </summary>
internal static class EncodedEvents
{
    /// <summary>
    /// What is kept of an encoded event besides its bytes: the fields delivery and its listeners read (type, id,
    /// session, parent, name); <c>inputs</c> is left empty and every other tree is dropped.
    /// </summary>
    /// <param name="request">The event.</param>
    /// <returns>A new event with its identity only.</returns>
    public static EventRequest Identity(EventRequest request) => new()
    {
        EventType = request.EventType,
        EventId = request.EventId,
        SessionId = request.SessionId,
        ParentId = request.ParentId,
        EventName = request.EventName,
    };

    /// <summary>Writes <c>"events":[...]</c> (the property and its array) from encoded events.</summary>
    /// <param name="writer">The writer, inside the body object.</param>
    /// <param name="events">The encoded events.</param>
    public static void WriteEventsProperty(Utf8JsonWriter writer, IReadOnlyList<byte[]> events)
    {
        // A writer with other settings than the encoder's (the map command's relaxed escaping, indentation) gets
        // each event re-read and re-written in its own settings; delivery's writer takes the bytes as they are.
        var asIs = writer.Options.Encoder is null && !writer.Options.Indented;
        writer.WritePropertyName("events"u8);
        writer.WriteStartArray();
        foreach (var json in events)
        {
            if (asIs)
            {
                writer.WriteRawValue(json, skipInputValidation: true);
            }
            else
            {
                using var document = JsonDocument.Parse(json);
                document.RootElement.WriteTo(writer);
            }
        }

        writer.WriteEndArray();
    }

    /// <summary>Copies <paramref name="count"/> items from <paramref name="start"/>.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="items">The items.</param>
    /// <param name="start">The first index.</param>
    /// <param name="count">How many.</param>
    /// <returns>A new array.</returns>
    public static T[] Slice<T>(IReadOnlyList<T> items, int start, int count)
    {
        var slice = new T[count];
        for (var i = 0; i < count; i++)
        {
            slice[i] = items[start + i];
        }

        return slice;
    }
}
