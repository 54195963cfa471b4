// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;

namespace HoneyHive.OtelBridge.EndToEnd.Tests;

/// <summary>
/// Emits an agent trace the way Microsoft.Extensions.AI does (GenAI conventions v1.41, message content on), with
/// fixed times: invoke_agent (root, 0-1500 ms) → chat (10-600 ms) → execute_tool (child of that chat, 100-150 ms)
/// → chat (651-1490 ms).
/// </summary>
internal sealed class AgentTrace
{
    public const string RootName = "invoke_agent WeatherAgent";
    public const string FirstChatName = "chat gpt-4o";
    public const string ToolName = "execute_tool get_weather";
    public const string SecondChatName = "chat gpt-4o (answer)";
    public const string Question = "What's the weather in Paris?";
    public const string Answer = "It is 18 °C and cloudy in Paris.";

    public static readonly DateTime T0 = new(2024, 4, 30, 16, 0, 0, DateTimeKind.Utc);

    private readonly ActivitySource source;

    public AgentTrace(ActivitySource source)
    {
        this.source = source;
    }

    public Activity? Root { get; private set; }

    public Activity? FirstChat { get; private set; }

    public Activity? Tool { get; private set; }

    public Activity? SecondChat { get; private set; }

    public static long UnixMs(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;

    /// <summary>Starts the root and emits (starts and ends) every child; the root stays open.</summary>
    public AgentTrace EmitChildren()
    {
        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            this.Root = this.Start(RootName, ActivityKind.Internal, default, 0);
            this.Root.SetTag("gen_ai.operation.name", "invoke_agent");
            this.Root.SetTag("gen_ai.agent.name", "WeatherAgent");
            this.Root.SetTag("gen_ai.provider.name", "openai");
            this.Root.SetTag("gen_ai.request.model", "gpt-4o");
            this.Root.SetTag("gen_ai.input.messages", """[{"role":"user","parts":[{"type":"text","content":"What's the weather in Paris?"}]}]""");
            this.Root.SetTag("gen_ai.output.messages", """[{"role":"assistant","parts":[{"type":"text","content":"It is 18 °C and cloudy in Paris."}],"finish_reason":"stop"}]""");

            this.FirstChat = this.Start(FirstChatName, ActivityKind.Client, this.Root.Context, 10);
            Chat(this.FirstChat, 42, 17, """[{"role":"user","parts":[{"type":"text","content":"What's the weather in Paris?"}]}]""", """[{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"get_weather","arguments":{"city":"Paris"}}],"finish_reason":"tool_calls"}]""");

            this.Tool = this.Start(ToolName, ActivityKind.Internal, this.FirstChat.Context, 100);
            this.Tool.SetTag("gen_ai.operation.name", "execute_tool");
            this.Tool.SetTag("gen_ai.tool.name", "get_weather");
            this.Tool.SetTag("gen_ai.tool.call.id", "call_1");
            this.Tool.SetTag("gen_ai.tool.type", "function");
            this.Tool.SetTag("gen_ai.tool.call.arguments", """{"city":"Paris"}""");
            this.Tool.SetTag("gen_ai.tool.call.result", """{"temperature_c":18,"sky":"cloudy"}""");
            End(this.Tool, 150);
            End(this.FirstChat, 600);

            this.SecondChat = this.Start(SecondChatName, ActivityKind.Client, this.Root.Context, 651);
            Chat(this.SecondChat, 80, 12, """[{"role":"user","parts":[{"type":"text","content":"What's the weather in Paris?"}]},{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"get_weather","arguments":{"city":"Paris"}}],"finish_reason":"tool_calls"},{"role":"tool","parts":[{"type":"tool_call_response","id":"call_1","response":{"temperature_c":18,"sky":"cloudy"}}]}]""", """[{"role":"assistant","parts":[{"type":"text","content":"It is 18 °C and cloudy in Paris."}],"finish_reason":"stop"}]""");
            End(this.SecondChat, 1490);
            return this;
        }
        finally
        {
            Activity.Current = previous;
        }
    }

    /// <summary>Ends the root (exporting it).</summary>
    public void EndRoot() => End(this.Root!, 1500);

    /// <summary>Emits the whole trace, root last (as spans end).</summary>
    public AgentTrace Emit()
    {
        this.EmitChildren();
        this.EndRoot();
        return this;
    }

    private static void Chat(Activity chat, int inputTokens, int outputTokens, string input, string output)
    {
        chat.SetTag("gen_ai.operation.name", "chat");
        chat.SetTag("gen_ai.provider.name", "openai");
        chat.SetTag("gen_ai.request.model", "gpt-4o");
        chat.SetTag("gen_ai.usage.input_tokens", inputTokens);
        chat.SetTag("gen_ai.usage.output_tokens", outputTokens);
        chat.SetTag("gen_ai.input.messages", input);
        chat.SetTag("gen_ai.output.messages", output);
    }

    private static void End(Activity activity, int atMs)
    {
        activity.SetEndTime(T0.AddMilliseconds(atMs));
        activity.Stop();
    }

    private Activity Start(string name, ActivityKind kind, ActivityContext parent, int atMs)
    {
        var activity = this.source.StartActivity(name, kind, parent, startTime: new DateTimeOffset(T0.AddMilliseconds(atMs)))
            ?? throw new InvalidOperationException("No listener sampled " + name + ": add the source to the tracer provider.");
        return activity;
    }
}
