// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Examples.ConsoleAgent;

/// <summary>
/// A tiny agent traced the way Microsoft.Extensions.AI traces one (OpenTelemetry GenAI conventions v1.41, message
/// content recording on): <c>invoke_agent</c> → <c>chat</c> (asks for a tool) → <c>execute_tool</c> → <c>chat</c>
/// (answers). The model is faked; nothing is sent anywhere by the agent itself.
/// </summary>
internal sealed class WeatherAgent
{
    public const string SourceName = "Examples.ConsoleAgent";
    public const string AgentName = "WeatherAgent";
    public const string Model = "gpt-4o-mini";

    private static readonly ActivitySource Source = new(SourceName, "1.0.0");

    /// <summary>Runs one turn of the conversation and returns the answer.</summary>
    /// <param name="conversationId">The conversation (becomes the HoneyHive session id).</param>
    /// <param name="question">The user's question.</param>
    /// <returns>The answer.</returns>
    public static async Task<string> RunAsync(string conversationId, string question)
    {
        using var agent = Source.StartActivity($"invoke_agent {AgentName}", ActivityKind.Internal);
        agent?.SetTag("gen_ai.operation.name", "invoke_agent");
        agent?.SetTag("gen_ai.provider.name", "openai");
        agent?.SetTag("gen_ai.agent.name", AgentName);
        agent?.SetTag("gen_ai.agent.id", "weather-agent-1");
        agent?.SetTag("gen_ai.request.model", Model);
        agent?.SetTag("gen_ai.conversation.id", conversationId);

        var history = new JsonArray { Message("user", Text(question)) };
        agent?.SetTag("gen_ai.input.messages", history.ToJsonString());

        // 1. The model asks for a tool.
        var arguments = new JsonObject { ["city"] = "Paris" };
        var toolCall = new JsonObject { ["type"] = "tool_call", ["id"] = "call_1", ["name"] = "get_weather", ["arguments"] = arguments };
        await ChatAsync(conversationId, history, Message("assistant", toolCall, "tool_calls"), 42, 17, "tool_calls");

        // 2. The tool runs.
        var result = await ExecuteToolAsync(conversationId, "call_1", "get_weather", arguments);
        history.Add(Message("assistant", toolCall.DeepClone(), "tool_calls"));
        history.Add(Message("tool", new JsonObject { ["type"] = "tool_call_response", ["id"] = "call_1", ["response"] = result.DeepClone() }));

        // 3. The model answers.
        var answer = $"It is {result["temperature_c"]} °C and {result["sky"]} in Paris.";
        var output = Message("assistant", Text(answer), "stop");
        await ChatAsync(conversationId, history, output, 80, 12, "stop");

        agent?.SetTag("gen_ai.output.messages", new JsonArray { output.DeepClone() }.ToJsonString());
        return answer;
    }

    private static async Task ChatAsync(string conversationId, JsonArray input, JsonObject output, int inputTokens, int outputTokens, string finishReason)
    {
        using var chat = Source.StartActivity($"chat {Model}", ActivityKind.Client);
        chat?.SetTag("gen_ai.operation.name", "chat");
        chat?.SetTag("gen_ai.provider.name", "openai");
        chat?.SetTag("gen_ai.request.model", Model);
        chat?.SetTag("gen_ai.request.temperature", 0.2);
        chat?.SetTag("gen_ai.request.max_tokens", 256);
        chat?.SetTag("gen_ai.conversation.id", conversationId);
        chat?.SetTag("server.address", "api.openai.com");
        chat?.SetTag("server.port", 443);
        chat?.SetTag("gen_ai.input.messages", input.ToJsonString());

        await Task.Delay(40); // the fake model "thinks"

        chat?.SetTag("gen_ai.output.messages", new JsonArray { output.DeepClone() }.ToJsonString());
        chat?.SetTag("gen_ai.response.id", "chatcmpl-" + Guid.NewGuid().ToString("N")[..8]);
        chat?.SetTag("gen_ai.response.model", Model + "-2024-07-18");
        chat?.SetTag("gen_ai.response.finish_reasons", new[] { finishReason });
        chat?.SetTag("gen_ai.usage.input_tokens", inputTokens);
        chat?.SetTag("gen_ai.usage.output_tokens", outputTokens);
    }

    private static async Task<JsonObject> ExecuteToolAsync(string conversationId, string callId, string name, JsonObject arguments)
    {
        using var tool = Source.StartActivity($"execute_tool {name}", ActivityKind.Internal);
        tool?.SetTag("gen_ai.operation.name", "execute_tool");
        tool?.SetTag("gen_ai.tool.name", name);
        tool?.SetTag("gen_ai.tool.type", "function");
        tool?.SetTag("gen_ai.tool.description", "Gets the current weather for a city.");
        tool?.SetTag("gen_ai.tool.call.id", callId);
        tool?.SetTag("gen_ai.tool.call.arguments", arguments.ToJsonString());
        tool?.SetTag("gen_ai.conversation.id", conversationId);

        await Task.Delay(15); // the fake weather service
        var result = new JsonObject { ["temperature_c"] = 18, ["sky"] = "cloudy" };

        tool?.SetTag("gen_ai.tool.call.result", result.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        return result;
    }

    private static JsonObject Text(string content) => new() { ["type"] = "text", ["content"] = content };

    private static JsonObject Message(string role, JsonNode part, string? finishReason = null)
    {
        var message = new JsonObject { ["role"] = role, ["parts"] = new JsonArray { part } };
        if (finishReason is not null)
        {
            message["finish_reason"] = finishReason;
        }

        return message;
    }
}
