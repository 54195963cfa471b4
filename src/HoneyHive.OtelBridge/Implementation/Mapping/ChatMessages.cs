// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;

namespace HoneyHive.OtelBridge.Implementation.Mapping;

/// <summary>
/// Puts chat messages into the shape HoneyHive shows (<c>{"role","content","tool_calls",…}</c>).
/// OTel GenAI v1.37+ messages (<c>{"role","parts":[{"type":"text","content":…}]}</c>) are
/// rewritten: text parts join into <c>content</c>, <c>tool_call</c> parts become
/// <c>tool_calls</c> (<c>{"id","type":"function","function":{"name","arguments"}}</c>), a
/// <c>tool_call_response</c> part becomes <c>tool_call_id</c> and <c>content</c>; parts of other
/// types are kept under <c>parts</c>. Messages already in the role/content shape are kept.
/// </summary>
internal static class ChatMessages
{
    /// <summary>
    /// Normalizes a list of messages (or one message, or unparsed text) into an array. The node is
    /// taken over when it has no parent (a freshly parsed or built value, as every mapping caller
    /// passes): its items move into the result instead of being copied, and the node must not be
    /// used afterwards. A node that belongs to another tree is copied first.
    /// </summary>
    /// <param name="node">The messages.</param>
    /// <returns>The array, or <see langword="null"/> when there is nothing.</returns>
    public static JsonArray? ToList(JsonNode? node)
    {
        if (node?.Parent is not null)
        {
            node = node.DeepClone();
        }

        switch (node)
        {
            case JsonArray array when array.Count > 0:
                // Reuse the array: detach its items, then add each back normalized.
                var items = new JsonNode?[array.Count];
                ((ICollection<JsonNode?>)array).CopyTo(items, 0);
                array.Clear();
                foreach (var item in items)
                {
                    array.Add(NormalizeOwned(item));
                }

                return array;
            case JsonObject obj:
                return [NormalizeOwned(obj)];
            case JsonValue text:
                // Text that is not JSON (or was too long to parse): kept, as the only item.
                return [text];
            default:
                return null;
        }
    }

    /// <summary>
    /// Converts a message attribute value and normalizes it: the list <c>ToList(json.ToJsonParsingText(key, value))</c>
    /// gives, as a <see cref="ChatList"/> (its node is that list, node for node; its bytes that list's). The usual value,
    /// a JSON array of messages whose parts are all text, is read from one parsed document and its messages held as
    /// <see cref="DocumentMessage"/>s, written from the document, with no tree materialized and rewritten. Anything
    /// else (other part types, a message with <c>content</c> beside its parts, a repeated property name, text that is
    /// not JSON, …) takes the general path.
    /// </summary>
    /// <param name="json">The converter (its limit decides whether a string is parsed).</param>
    /// <param name="key">The attribute key (recorded when a string is truncated).</param>
    /// <param name="value">The attribute value.</param>
    /// <returns>The list, or <see langword="null"/> when there is nothing.</returns>
    public static ChatList? FromAttribute(AttributeJson json, TruncationKey key, object value)
    {
        if (value is string s && json.IsParsedAsText(s) && TryFromText(json, s, out var list))
        {
            return list;
        }

        return ChatList.Of(ToList(json.ToJsonParsingText(key, value)));
    }

    /// <summary>
    /// Normalizes one message, taking it over when it has no parent (as a freshly converted attribute
    /// value has): its nodes move into the result, and it must not be used afterwards. A node that
    /// belongs to another tree is copied first, as <see cref="Normalize"/> does.
    /// </summary>
    /// <param name="node">The message.</param>
    /// <returns>The message.</returns>
    public static JsonNode? TakeOver(JsonNode? node) =>
        node?.Parent is null ? NormalizeOwned(node) : Normalize(node);

    /// <summary>Normalizes one message (a copy; <paramref name="node"/> is left as it is).</summary>
    /// <param name="node">The message.</param>
    /// <returns>The message.</returns>
    public static JsonNode? Normalize(JsonNode? node) => NormalizeOwned(node?.DeepClone());

    /// <summary>
    /// Turns <c>gen_ai.system_instructions</c> (a parts array or text) into a system message. Like
    /// <see cref="ToList"/>, the node is taken over when it has no parent (as the mapper passes it)
    /// and copied once otherwise.
    /// </summary>
    /// <param name="instructions">The instructions.</param>
    /// <returns>The message.</returns>
    public static JsonObject SystemMessage(JsonNode instructions)
    {
        if (instructions.Parent is not null)
        {
            instructions = instructions.DeepClone();
        }

        if (instructions is JsonArray)
        {
            return (JsonObject)NormalizeOwned(new JsonObject { ["role"] = "system", ["parts"] = instructions })!;
        }

        return new JsonObject { ["role"] = "system", ["content"] = instructions };
    }

    /// <summary>
    /// Converts a <c>gen_ai.system_instructions</c> attribute value into a system message: the same
    /// message as <c>SystemMessage(json.ToJsonParsingText(key, value))</c>, node for node. The usual
    /// value, a JSON array of text parts, is read from one parsed document; anything else takes the
    /// general path.
    /// </summary>
    /// <param name="json">The converter (its limit decides whether a string is parsed).</param>
    /// <param name="key">The attribute key (recorded when a string is truncated).</param>
    /// <param name="value">The attribute value.</param>
    /// <returns>The message.</returns>
    public static JsonObject SystemFromAttribute(AttributeJson json, TruncationKey key, object value)
    {
        if (value is string s && json.IsParsedAsText(s))
        {
            JsonDocument? document = null;
            try
            {
                if (json.Parse(s, out document) is { ValueKind: JsonValueKind.Array } root && TryTextContent(root, out var content))
                {
                    var message = new JsonObject { ["role"] = "system" };
                    if (content is not null)
                    {
                        message.Add("content", content);
                    }

                    json.Own(document);
                    document = null;
                    return message;
                }
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
            {
                // The general path parses again and decides.
            }
            finally
            {
                document?.Dispose();
            }
        }

        return SystemMessage(json.ToJsonParsingText(key, value)!);
    }

    /// <summary>Normalizes a message that has no parent, reusing its nodes instead of copying them.</summary>
    private static JsonNode? NormalizeOwned(JsonNode? node)
    {
        if (node is not JsonObject message || message["parts"] is not JsonArray parts)
        {
            return node;
        }

        // Detach everything, then rebuild the message in place: its other properties in their
        // order, then the fields the parts give.
        foreach (var pair in message.DetachAll())
        {
            if (pair.Key != "parts")
            {
                message[pair.Key] = pair.Value;
            }
        }

        var partList = parts.DetachAll();

        JsonNode? singleText = null;
        List<string>? texts = null;
        var textCount = 0;
        JsonArray? toolCalls = null;
        var others = parts;
        foreach (var part in partList)
        {
            var p = part as JsonObject;
            var type = p?["type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String
                ? t.GetValue<string>()
                : null;
            switch (type)
            {
                case "text":
                    var content = p!.Detach("content");
                    textCount++;
                    if (textCount == 1)
                    {
                        singleText = content;
                    }
                    else
                    {
                        texts ??= [AsText(singleText)];
                        texts.Add(AsText(content));
                    }

                    break;
                case "tool_call":
                    (toolCalls ??= []).Add(new JsonObject
                    {
                        ["id"] = p!.Detach("id"),
                        ["type"] = "function",
                        ["function"] = new JsonObject
                        {
                            ["name"] = p!.Detach("name"),
                            ["arguments"] = p!.Detach("arguments"),
                        },
                    });
                    break;
                case "tool_call_response":
                    message["tool_call_id"] = p!.Detach("id");
                    message["content"] = p!.Detach("response");
                    break;
                default:
                    others.Add(part);
                    break;
            }
        }

        if (texts is not null)
        {
            message["content"] = string.Join('\n', texts);
        }
        else if (textCount == 1)
        {
            // One text part (the usual case): its string node moves as it is, never materialized.
            message["content"] = singleText is JsonValue v && v.GetValueKind() == JsonValueKind.String
                ? singleText
                : AsText(singleText);
        }

        if (toolCalls is not null)
        {
            message["tool_calls"] = toolCalls;
        }

        if (others.Count > 0)
        {
            message["parts"] = others;
        }

        return message;
    }

    /// <summary>
    /// The common case of <see cref="FromAttribute"/>: <see langword="false"/> whenever the text is
    /// not an array of messages this method reads exactly as the general path would build them (the general
    /// path then parses it again and decides, exceptions included).
    /// </summary>
    private static bool TryFromText(AttributeJson json, string text, out ChatList? list)
    {
        list = null;
        JsonDocument? document = null;
        try
        {
            // One UTF-8 copy of the text, as JsonNode.Parse makes (in pooled arrays for an event, which keeps them
            // until it is written; a declined text's go back at once).
            var root = json.Parse(text, out document);
            if (root.ValueKind != JsonValueKind.Array)
            {
                return false;
            }

            var length = root.GetArrayLength();
            if (length == 0)
            {
                return true;
            }

            var result = new ChatList(length);
            foreach (var item in root.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    // Kept as it is, as a parsed tree's item would be.
                    result.Add(Node(item));
                }
                else if (DocumentMessage.TryRead(item, out var message))
                {
                    result.Add(message);
                }
                else
                {
                    return false;
                }
            }

            list = result;
            json.Own(document);
            document = null;
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            // Not JSON, or text the general path handles (or fails on) its own way.
            return false;
        }
        finally
        {
            document?.Dispose();
        }
    }

    /// <summary>
    /// The <c>content</c> that parts which are all text give (their text joined with line breaks; one
    /// part's string node as it is; <see langword="null"/> for no parts), or <see langword="false"/>
    /// when a part is not a text part.
    /// </summary>
    private static bool TryTextContent(JsonElement parts, out JsonNode? content)
    {
        content = null;
        if (!TryTextParts(parts, out var count, out var single, out var joined))
        {
            return false;
        }

        if (joined is not null)
        {
            content = joined;
        }
        else if (count == 1)
        {
            // One text part (the usual case): its string stays in the document, never materialized.
            content = JsonValue.Create(single);
        }

        return true;
    }

    /// <summary>
    /// Reads parts that are all text: how many, the one part's string element when there is one, their text joined
    /// with line breaks when there are more; <see langword="false"/> when a part is not a text part.
    /// </summary>
    /// <param name="parts">The parts, an array.</param>
    /// <param name="count">The number of parts.</param>
    /// <param name="single">The first part's content, a string element.</param>
    /// <param name="joined">The parts' text joined, when there are two or more; else <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when every part is a text part.</returns>
    internal static bool TryTextParts(JsonElement parts, out int count, out JsonElement single, out string? joined)
    {
        count = 0;
        single = default;
        joined = null;
        List<string>? texts = null;
        foreach (var part in parts.EnumerateArray())
        {
            if (!TryTextPart(part, out var text))
            {
                return false;
            }

            count++;
            if (count == 1)
            {
                single = text;
            }
            else
            {
                texts ??= [single.GetString()!];
                texts.Add(text.GetString()!);
            }
        }

        if (texts is not null)
        {
            joined = string.Join('\n', texts);
        }

        return true;
    }

    /// <summary>A part that is exactly <c>{"type":"text","content":"…"}</c> (in either order), and its content.</summary>
    /// <param name="part">The part.</param>
    /// <param name="content">Its content, a string.</param>
    /// <returns><see langword="true"/> for a text part.</returns>
    internal static bool TryTextPart(JsonElement part, out JsonElement content)
    {
        content = default;
        if (part.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var hasType = false;
        var hasContent = false;
        foreach (var property in part.EnumerateObject())
        {
            if (property.NameEquals("type"u8) && !hasType)
            {
                hasType = true;
                if (property.Value.ValueKind != JsonValueKind.String || !property.Value.ValueEquals("text"u8))
                {
                    return false;
                }
            }
            else if (property.NameEquals("content"u8) && !hasContent && property.Value.ValueKind == JsonValueKind.String)
            {
                hasContent = true;
                content = property.Value;
            }
            else
            {
                return false;
            }
        }

        return hasType && hasContent;
    }

    /// <summary>A value as a parsed tree holds it: objects and arrays backed by the document, strings and numbers too, null as null.</summary>
    /// <param name="element">The value.</param>
    /// <returns>The node.</returns>
    internal static JsonNode? Node(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => JsonObject.Create(element),
        JsonValueKind.Array => JsonArray.Create(element),
        _ => JsonValue.Create(element),
    };

    private static string AsText(JsonNode? node) => node switch
    {
        null => string.Empty,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };
}
