// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;

namespace HoneyHive.OtelBridge.Implementation.Mapping;

/// <summary>
/// One chat message read from a parsed document in the usual shape (its properties, and text parts, if any, joined
/// into <c>content</c>), held as the document's element and written from it: the bytes of the
/// <see cref="JsonObject"/> the general path builds (its properties in order without <c>parts</c>, then
/// <c>content</c>), which <see cref="ToObject"/> makes only when asked. The document must live until the message is
/// written (the mapper's <see cref="AttributeJson"/> owns it until the event is).
/// </summary>
internal sealed class DocumentMessage
{
    private const int RoleBit = 1;
    private const int FinishReasonBit = 2;
    private const int NameBit = 4;
    private const int ContentBit = 8;

    private readonly JsonElement source;
    private readonly bool hasParts;
    private readonly bool hasContent;
    private readonly JsonElement singleContent;
    private readonly string? joinedContent;
    private bool withoutFinishReason;

    private DocumentMessage(JsonElement source, bool hasParts, bool hasContent, JsonElement singleContent, string? joinedContent)
    {
        this.source = source;
        this.hasParts = hasParts;
        this.hasContent = hasContent;
        this.singleContent = singleContent;
        this.joinedContent = joinedContent;
    }

    /// <summary>
    /// Reads one message. Declines (<see langword="false"/>) a message whose parts are not all
    /// <c>{"type":"text","content":"…"}</c>, that has <c>content</c> beside <c>parts</c>, whose <c>parts</c> is not an
    /// array, or that repeats a property name (as the general path names it: escapes read).
    /// </summary>
    /// <param name="item">The message, an object.</param>
    /// <param name="message">The message read.</param>
    /// <returns><see langword="true"/> when read.</returns>
    public static bool TryRead(JsonElement item, out DocumentMessage message)
    {
        message = null!;
        var parts = default(JsonElement);
        var hasParts = false;
        var hasContentProperty = false;
        var known = 0;
        List<string>? others = null;
        foreach (var property in item.EnumerateObject())
        {
            if (property.NameEquals("parts"u8))
            {
                if (hasParts)
                {
                    return false;
                }

                hasParts = true;
                parts = property.Value;
                continue;
            }

            // The names the message keeps: a repeated one declines, as adding it to an object would fail.
            var bit = KnownBit(property);
            if (bit != 0)
            {
                if ((known & bit) != 0)
                {
                    return false;
                }

                known |= bit;
                hasContentProperty |= bit == ContentBit;
            }
            else
            {
                var name = property.Name;
                others ??= [];
                if (others.Contains(name, StringComparer.Ordinal))
                {
                    return false;
                }

                others.Add(name);
            }
        }

        if (hasParts && (hasContentProperty || parts.ValueKind != JsonValueKind.Array))
        {
            return false;
        }

        var count = 0;
        var single = default(JsonElement);
        string? joined = null;
        if (hasParts && !ChatMessages.TryTextParts(parts, out count, out single, out joined))
        {
            return false;
        }

        message = new DocumentMessage(item, hasParts, count > 0, single, joined);
        return true;
    }

    /// <summary>
    /// Removes <c>finish_reason</c> when the message has one that is not JSON <c>null</c> (as
    /// <c>if (message["finish_reason"] is { }) message.Remove("finish_reason")</c> on its object), and gives it: its
    /// string, or its JSON.
    /// </summary>
    /// <returns>The finish reason, or <see langword="null"/>.</returns>
    public string? TakeFinishReason()
    {
        if (this.withoutFinishReason || !this.source.TryGetProperty("finish_reason"u8, out var reason) || reason.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        this.withoutFinishReason = true;
        return reason.ValueKind == JsonValueKind.String ? reason.GetString() : ChatMessages.Node(reason)!.ToJsonString();
    }

    /// <summary>Writes the message as its <see cref="ToObject"/> object writes itself.</summary>
    /// <param name="writer">The writer.</param>
    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        foreach (var property in this.source.EnumerateObject())
        {
            if (this.Kept(property))
            {
                writer.WritePropertyName(Name(property));
                property.Value.WriteTo(writer);
            }
        }

        if (this.hasContent)
        {
            writer.WritePropertyName("content");
            if (this.joinedContent is not null)
            {
                writer.WriteStringValue(this.joinedContent);
            }
            else
            {
                this.singleContent.WriteTo(writer);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>Makes the message's object, as the general path builds it (values backed by the document).</summary>
    /// <returns>The object.</returns>
    public JsonObject ToObject()
    {
        var result = new JsonObject();
        foreach (var property in this.source.EnumerateObject())
        {
            if (this.Kept(property))
            {
                result.Add(Name(property), ChatMessages.Node(property.Value));
            }
        }

        if (this.Content() is { } content)
        {
            result.Add("content", content);
        }

        return result;
    }

    /// <summary>Sets the message's properties on <paramref name="target"/>, in order (a present key keeps its place and
    /// takes the value), as moving the properties of its object there would.</summary>
    /// <param name="target">The field.</param>
    public void MoveInto(JsonFields target)
    {
        foreach (var property in this.source.EnumerateObject())
        {
            if (this.Kept(property))
            {
                target[Name(property)] = ChatMessages.Node(property.Value);
            }
        }

        if (this.Content() is { } content)
        {
            target["content"] = content;
        }
    }

    private static int KnownBit(JsonProperty property) =>
        property.NameEquals("role"u8) ? RoleBit
        : property.NameEquals("finish_reason"u8) ? FinishReasonBit
        : property.NameEquals("name"u8) ? NameBit
        : property.NameEquals("content"u8) ? ContentBit
        : 0;

    /// <summary>A property's name as the message's object has it: a literal when it is a usual one (no string per
    /// message).</summary>
    private static string Name(JsonProperty property) => KnownBit(property) switch
    {
        RoleBit => "role",
        FinishReasonBit => "finish_reason",
        NameBit => "name",
        ContentBit => "content",
        _ => property.Name,
    };

    private bool Kept(JsonProperty property) =>
        !(this.hasParts && property.NameEquals("parts"u8))
        && !(this.withoutFinishReason && property.NameEquals("finish_reason"u8));

    /// <summary>The <c>content</c> node of the parts (a new node each call), or <see langword="null"/>.</summary>
    private JsonValue? Content() =>
        !this.hasContent ? null
        : this.joinedContent is not null ? JsonValue.Create(this.joinedContent)
        : JsonValue.Create(this.singleContent);
}
