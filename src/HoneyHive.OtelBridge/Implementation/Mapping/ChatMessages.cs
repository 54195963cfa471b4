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

    /// <summary>Normalizes a message that has no parent, reusing its nodes instead of copying them.</summary>
    private static JsonNode? NormalizeOwned(JsonNode? node)
    {
        if (node is not JsonObject message || message["parts"] is not JsonArray parts)
        {
            return node;
        }

        // Detach everything, then rebuild the message in place: its other properties in their
        // order, then the fields the parts give.
        var pairs = new KeyValuePair<string, JsonNode?>[message.Count];
        ((ICollection<KeyValuePair<string, JsonNode?>>)message).CopyTo(pairs, 0);
        message.Clear();
        foreach (var pair in pairs)
        {
            if (pair.Key != "parts")
            {
                message[pair.Key] = pair.Value;
            }
        }

        var partList = new JsonNode?[parts.Count];
        ((ICollection<JsonNode?>)parts).CopyTo(partList, 0);
        parts.Clear();

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
                    var content = Take(p!, "content");
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
                        ["id"] = Take(p!, "id"),
                        ["type"] = "function",
                        ["function"] = new JsonObject
                        {
                            ["name"] = Take(p!, "name"),
                            ["arguments"] = Take(p!, "arguments"),
                        },
                    });
                    break;
                case "tool_call_response":
                    message["tool_call_id"] = Take(p!, "id");
                    message["content"] = Take(p!, "response");
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

    private static JsonNode? Take(JsonObject obj, string key)
    {
        if (obj.TryGetPropertyValue(key, out var value))
        {
            obj.Remove(key);
        }

        return value;
    }

    private static string AsText(JsonNode? node) => node switch
    {
        null => string.Empty,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };
}
