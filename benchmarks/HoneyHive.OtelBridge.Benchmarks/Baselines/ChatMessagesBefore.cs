// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HoneyHive.OtelBridge.Benchmarks.Baselines;

/// <summary>
/// <c>ChatMessages</c> as it was before messages were taken over instead of deep-copied (commit
/// 22d444a): kept only as the baseline of <c>ChatMessagesBenchmarks</c>.
/// </summary>
internal static class ChatMessagesBefore
{
    /// <summary>Normalizes a list of messages (or one message, or unparsed text) into an array.</summary>
    /// <param name="node">The messages.</param>
    /// <returns>The array, or <see langword="null"/> when there is nothing.</returns>
    public static JsonArray? ToList(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array when array.Count > 0:
                var result = new JsonArray();
                foreach (var item in array)
                {
                    result.Add(Normalize(item));
                }

                return result;
            case JsonObject obj:
                return [Normalize(obj)];
            case JsonValue text:
                // Text that is not JSON (or was too long to parse): kept, as the only item.
                return [text.DeepClone()];
            default:
                return null;
        }
    }

    /// <summary>Normalizes one message.</summary>
    /// <param name="node">The message.</param>
    /// <returns>The message.</returns>
    public static JsonNode? Normalize(JsonNode? node)
    {
        if (node is not JsonObject message)
        {
            return node?.DeepClone();
        }

        if (message["parts"] is not JsonArray parts)
        {
            return message.DeepClone();
        }

        var result = new JsonObject();
        foreach (var pair in message)
        {
            if (pair.Key != "parts")
            {
                result[pair.Key] = pair.Value?.DeepClone();
            }
        }

        var text = new StringBuilder();
        var hasText = false;
        var toolCalls = new JsonArray();
        var others = new JsonArray();
        foreach (var part in parts)
        {
            var type = part is JsonObject p && p["type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String
                ? t.GetValue<string>()
                : null;
            switch (type)
            {
                case "text":
                    if (hasText)
                    {
                        text.Append('\n');
                    }

                    text.Append(AsText(part!["content"]));
                    hasText = true;
                    break;
                case "tool_call":
                    toolCalls.Add(new JsonObject
                    {
                        ["id"] = part!["id"]?.DeepClone(),
                        ["type"] = "function",
                        ["function"] = new JsonObject
                        {
                            ["name"] = part["name"]?.DeepClone(),
                            ["arguments"] = part["arguments"]?.DeepClone(),
                        },
                    });
                    break;
                case "tool_call_response":
                    result["tool_call_id"] = part!["id"]?.DeepClone();
                    result["content"] = part["response"]?.DeepClone();
                    break;
                default:
                    others.Add(part?.DeepClone());
                    break;
            }
        }

        if (hasText)
        {
            result["content"] = text.ToString();
        }

        if (toolCalls.Count > 0)
        {
            result["tool_calls"] = toolCalls;
        }

        if (others.Count > 0)
        {
            result["parts"] = others;
        }

        return result;
    }

    /// <summary>
    /// Turns <c>gen_ai.system_instructions</c> (a parts array or text) into a system message.
    /// </summary>
    /// <param name="instructions">The instructions.</param>
    /// <returns>The message.</returns>
    public static JsonObject SystemMessage(JsonNode instructions)
    {
        if (instructions is JsonArray)
        {
            return (JsonObject)Normalize(new JsonObject { ["role"] = "system", ["parts"] = instructions.DeepClone() })!;
        }

        return new JsonObject { ["role"] = "system", ["content"] = instructions.DeepClone() };
    }

    private static string AsText(JsonNode? node) => node switch
    {
        null => string.Empty,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };
}
