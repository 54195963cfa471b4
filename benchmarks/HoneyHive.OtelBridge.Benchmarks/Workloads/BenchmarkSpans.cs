// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Benchmarks.Workloads;

/// <summary>
/// The spans every benchmark reads: a typical GenAI chat span, a plain HTTP server span, and a
/// 10-span agent trace made of them. Deterministic (fixed ids and times), so bytes/op repeat.
/// </summary>
internal static class BenchmarkSpans
{
    public const long BaseNanos = 1_714_492_800_000_000_000;

    public const int SpansPerTrace = 10;

    private static readonly KeyValuePair<string, object?>[] Resource =
    [
        new("service.name", "checkout-assistant"),
        new("service.version", "1.4.2"),
        new("telemetry.sdk.language", "dotnet"),
    ];

    /// <summary>Gets about 2 KB of prose (the body of one prompt or completion).</summary>
    public static string Prose { get; } = BuildProse(2048);

    /// <summary>Gets a chat span: 20 attributes, 2 KB prompt and completion as GenAI message JSON.</summary>
    public static SpanRecord ChatSpan(ActivityTraceId trace, int id, int parent) => new()
    {
        TraceId = trace,
        SpanId = SpanId(id),
        ParentSpanId = parent == 0 ? default : SpanId(parent),
        Name = "chat gpt-4o",
        Kind = ActivityKind.Client,
        StartTimeUnixNano = BaseNanos + (id * 1_000_000L),
        EndTimeUnixNano = BaseNanos + (id * 1_000_000L) + 850_000_000L,
        StatusCode = ActivityStatusCode.Unset,
        ResourceAttributes = Resource,
        ScopeName = "Microsoft.Extensions.AI",
        ScopeVersion = "9.5.0",
        Attributes =
        [
            new("gen_ai.operation.name", "chat"),
            new("gen_ai.provider.name", "openai"),
            new("gen_ai.request.model", "gpt-4o"),
            new("gen_ai.request.temperature", 0.2),
            new("gen_ai.request.max_tokens", 1024L),
            new("gen_ai.request.top_p", 0.9),
            new("gen_ai.request.frequency_penalty", 0.0),
            new("gen_ai.request.presence_penalty", 0.0),
            new("gen_ai.request.seed", 42L),
            new("gen_ai.response.model", "gpt-4o-2024-08-06"),
            new("gen_ai.response.id", "chatcmpl-9x8y7z6w5v4u3t2s1r0q"),
            new("gen_ai.response.finish_reasons", new object?[] { "stop" }),
            new("gen_ai.usage.input_tokens", 512L),
            new("gen_ai.usage.output_tokens", 256L),
            new("gen_ai.input.messages", InputMessages),
            new("gen_ai.output.messages", OutputMessages),
            new("gen_ai.output.type", "text"),
            new("server.address", "api.openai.com"),
            new("server.port", 443L),
            new("gen_ai.agent.name", "checkout-assistant"),
        ],
    };

    /// <summary>Gets an HTTP server span: 10 attributes, no GenAI content.</summary>
    public static SpanRecord HttpServerSpan(ActivityTraceId trace, int id, int parent) => new()
    {
        TraceId = trace,
        SpanId = SpanId(id),
        ParentSpanId = parent == 0 ? default : SpanId(parent),
        Name = "POST /api/checkout/{cartId}",
        Kind = ActivityKind.Server,
        StartTimeUnixNano = BaseNanos + (id * 1_000_000L),
        EndTimeUnixNano = BaseNanos + (id * 1_000_000L) + 12_500_000L,
        StatusCode = ActivityStatusCode.Unset,
        ResourceAttributes = Resource,
        ScopeName = "Microsoft.AspNetCore",
        Attributes =
        [
            new("http.request.method", "POST"),
            new("url.scheme", "https"),
            new("url.path", "/api/checkout/4711"),
            new("http.route", "/api/checkout/{cartId}"),
            new("http.response.status_code", 200L),
            new("server.address", "shop.example.com"),
            new("server.port", 443L),
            new("network.protocol.version", "1.1"),
            new("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"),
            new("client.address", "203.0.113.17"),
        ],
    };

    /// <summary>Gets a tool span (execute_tool with JSON arguments and result).</summary>
    public static SpanRecord ToolSpan(ActivityTraceId trace, int id, int parent) => new()
    {
        TraceId = trace,
        SpanId = SpanId(id),
        ParentSpanId = SpanId(parent),
        Name = "execute_tool lookup_order",
        Kind = ActivityKind.Internal,
        StartTimeUnixNano = BaseNanos + (id * 1_000_000L),
        EndTimeUnixNano = BaseNanos + (id * 1_000_000L) + 40_000_000L,
        ResourceAttributes = Resource,
        ScopeName = "Microsoft.Extensions.AI",
        Attributes =
        [
            new("gen_ai.operation.name", "execute_tool"),
            new("gen_ai.tool.name", "lookup_order"),
            new("gen_ai.tool.call.id", "call_" + id.ToString("x4", System.Globalization.CultureInfo.InvariantCulture)),
            new("gen_ai.tool.type", "function"),
            new("gen_ai.tool.call.arguments", "{\"order_id\":\"A-4711\",\"include_items\":true}"),
            new("gen_ai.tool.call.result", "{\"status\":\"shipped\",\"items\":3,\"total\":129.95}"),
        ],
    };

    /// <summary>
    /// Gets one agent trace of <see cref="SpansPerTrace"/> spans, children first and the root last
    /// (the order spans end in): an HTTP server root, an agent span, four chat spans, three tool
    /// calls and one outgoing HTTP call.
    /// </summary>
    public static SpanRecord[] Trace(ActivityTraceId trace)
    {
        var agent = new SpanRecord
        {
            TraceId = trace,
            SpanId = SpanId(2),
            ParentSpanId = SpanId(1),
            Name = "invoke_agent checkout-assistant",
            StartTimeUnixNano = BaseNanos + 2_000_000L,
            EndTimeUnixNano = BaseNanos + 9_000_000_000L,
            ResourceAttributes = Resource,
            Attributes =
            [
                new("gen_ai.operation.name", "invoke_agent"),
                new("gen_ai.agent.name", "checkout-assistant"),
                new("gen_ai.agent.id", "asst_01"),
            ],
        };
        var http = HttpServerSpan(trace, 10, 2);
        return
        [
            ChatSpan(trace, 3, 2),
            ToolSpan(trace, 4, 2),
            ChatSpan(trace, 5, 2),
            ToolSpan(trace, 6, 2),
            ChatSpan(trace, 7, 2),
            ToolSpan(trace, 8, 2),
            ChatSpan(trace, 9, 2),
            new SpanRecord
            {
                TraceId = http.TraceId,
                SpanId = http.SpanId,
                ParentSpanId = http.ParentSpanId,
                Name = "GET",
                Kind = ActivityKind.Client,
                StartTimeUnixNano = http.StartTimeUnixNano,
                EndTimeUnixNano = http.EndTimeUnixNano,
                ResourceAttributes = Resource,
                Attributes = http.Attributes,
            },
            agent,
            HttpServerSpan(trace, 1, 0),
        ];
    }

    /// <summary>Gets a trace id numbered <paramref name="n"/> (distinct, deterministic).</summary>
    public static ActivityTraceId TraceId(int n) =>
        ActivityTraceId.CreateFromString(("0af7651916cd43dd" + n.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)).AsSpan());

    public static ActivitySpanId SpanId(int n) =>
        ActivitySpanId.CreateFromString(n.ToString("x16", System.Globalization.CultureInfo.InvariantCulture).AsSpan());

    private static string InputMessages { get; } = new JsonArray
    {
        new JsonObject
        {
            ["role"] = "system",
            ["parts"] = new JsonArray { new JsonObject { ["type"] = "text", ["content"] = "You are a helpful checkout assistant. Answer briefly." } },
        },
        new JsonObject
        {
            ["role"] = "user",
            ["parts"] = new JsonArray { new JsonObject { ["type"] = "text", ["content"] = Prose } },
        },
    }.ToJsonString();

    private static string OutputMessages { get; } = new JsonArray
    {
        new JsonObject
        {
            ["role"] = "assistant",
            ["parts"] = new JsonArray { new JsonObject { ["type"] = "text", ["content"] = Prose } },
            ["finish_reason"] = "stop",
        },
    }.ToJsonString();

    private static string BuildProse(int length)
    {
        const string Sentence = "The order A-4711 with three items ships from the Berlin warehouse on Tuesday. ";
        var text = new StringBuilder(length + Sentence.Length);
        while (text.Length < length)
        {
            text.Append(Sentence);
        }

        return text.ToString(0, length);
    }
}
