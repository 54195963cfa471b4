// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Google.Protobuf;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Common.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Trace.V1;

namespace HoneyHive.OtelBridge.LoadRun.Generation;

/// <summary>
/// The spans of one load-run trace: 10 spans of 20 attributes each (an HTTP server root, an agent, four GenAI chat
/// spans with a 2 KB prompt and a 2 KB completion, three tool calls and an outgoing HTTP call), in the order they end
/// (children first, the root last). Span ids are 1..10 (the root is 1); the trace id is set per request.
/// </summary>
internal static class LoadTraces
{
    public const int SpansPerTrace = 10;

    public const int AttributesPerSpan = 20;

    /// <summary>Gets the span ids in the order the spans are sent: children first, the root (1) last.</summary>
    public static readonly int[] SendOrder = [3, 4, 5, 10, 6, 7, 8, 9, 2, 1];

    /// <summary>Gets how many spans of <see cref="SendOrder"/> go in a split trace's first request (children only).</summary>
    public const int FirstPartSpans = 5;

    private static readonly string Prose = BuildProse(2048);

    private static readonly (string Key, object Value)[] Filler =
    [
        ("app.tenant.id", "tenant-0042"),
        ("app.region", "eu-central-1"),
        ("app.feature_flag.checkout_v2", true),
        ("enduser.pseudo.id", "u-7f3a9c"),
        ("host.name", "checkout-7d9f8b6c5-x2kqp"),
        ("code.function.name", "CheckoutAgent.RunAsync"),
        ("thread.id", 17L),
        ("app.request.id", "req-3b1e6f0a2c"),
        ("app.cart.items", 3L),
        ("app.cart.total", 129.95),
        ("app.locale", "de-DE"),
        ("app.channel", "web"),
        ("app.experiment", "prompt-v7"),
        ("app.retry.count", 0L),
        ("k8s.pod.name", "checkout-7d9f8b6c5-x2kqp"),
        ("k8s.namespace.name", "shop"),
        ("app.build", "2025.05.14.3"),
        ("app.customer.tier", "gold"),
        ("app.order.id", "A-4711"),
        ("app.queue.depth", 2L),
    ];

    /// <summary>Builds span <paramref name="id"/> of a trace whose id is <paramref name="traceId"/> (16 bytes).</summary>
    public static Span Build(ByteString traceId, int id, long baseNanos)
    {
        var (name, kind, parent, attributes) = Describe(id);
        var span = new Span
        {
            TraceId = traceId,
            SpanId = SpanId(id),
            ParentSpanId = parent == 0 ? ByteString.Empty : SpanId(parent),
            Name = name,
            Kind = kind,
            StartTimeUnixNano = (ulong)(baseNanos + (id * 1_000_000L)),
            EndTimeUnixNano = (ulong)(baseNanos + (id * 1_000_000L) + (id == 1 ? 9_500_000_000L : 400_000_000L)),
            Status = new Status(),
        };
        foreach (var (key, value) in attributes)
        {
            span.Attributes.Add(KeyValue(key, value));
        }

        return span;
    }

    /// <summary>
    /// Describes span <paramref name="id"/>: its name, kind, parent span id (0 for the root) and its
    /// <see cref="AttributesPerSpan"/> attributes (values are <see cref="string"/>, <see cref="bool"/>,
    /// <see cref="long"/>, <see cref="double"/> or <see cref="string"/>[]). The exporter-app mode builds its
    /// activities from the same description.
    /// </summary>
    public static (string Name, Span.Types.SpanKind Kind, int Parent, (string Key, object Value)[] Attributes) Describe(int id)
    {
        var (name, kind, parent, own) = id switch
        {
            1 => ("POST /api/checkout/{cartId}", Span.Types.SpanKind.Server, 0, Http(server: true)),
            2 => ("invoke_agent checkout-assistant", Span.Types.SpanKind.Internal, 1, Agent()),
            3 or 5 or 7 or 9 => ("chat gpt-4o", Span.Types.SpanKind.Client, 2, Chat()),
            4 or 6 or 8 => ("execute_tool lookup_order", Span.Types.SpanKind.Internal, 2, Tool(id)),
            10 => ("GET", Span.Types.SpanKind.Client, 4, Http(server: false)),
            _ => throw new ArgumentOutOfRangeException(nameof(id)),
        };
        var attributes = new (string Key, object Value)[AttributesPerSpan];
        own.CopyTo(attributes, 0);
        Array.Copy(Filler, 0, attributes, own.Length, AttributesPerSpan - own.Length);
        return (name, kind, parent, attributes);
    }

    /// <summary>Gets the bytes of span id <paramref name="id"/> (big-endian, 8 bytes).</summary>
    public static ByteString SpanId(int id)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, id);
        return ByteString.CopyFrom(bytes);
    }

    /// <summary>Gets span id <paramref name="id"/> as an <see cref="ActivitySpanId"/>.</summary>
    public static ActivitySpanId ActivitySpanIdOf(int id)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, id);
        return ActivitySpanId.CreateFromBytes(bytes);
    }

    private static (string, object)[] Http(bool server) => server
        ?
        [
            ("http.request.method", "POST"), ("url.scheme", "https"), ("url.path", "/api/checkout/4711"),
            ("http.route", "/api/checkout/{cartId}"), ("http.response.status_code", 200L), ("server.address", "shop.example.com"),
            ("server.port", 443L), ("network.protocol.version", "1.1"),
            ("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"), ("client.address", "203.0.113.17"),
        ]
        :
        [
            ("http.request.method", "GET"), ("url.full", "https://orders.example.com/api/orders/A-4711"), ("server.address", "orders.example.com"),
            ("server.port", 443L), ("http.response.status_code", 200L), ("network.protocol.version", "2"),
        ];

    private static (string, object)[] Agent() =>
    [
        ("gen_ai.operation.name", "invoke_agent"), ("gen_ai.agent.name", "checkout-assistant"), ("gen_ai.agent.id", "asst_01"),
        ("gen_ai.provider.name", "openai"), ("gen_ai.request.model", "gpt-4o"),
    ];

    private static (string, object)[] Tool(int id) =>
    [
        ("gen_ai.operation.name", "execute_tool"), ("gen_ai.tool.name", "lookup_order"), ("gen_ai.tool.call.id", "call_" + id.ToString("x4", System.Globalization.CultureInfo.InvariantCulture)),
        ("gen_ai.tool.type", "function"), ("gen_ai.tool.call.arguments", "{\"order_id\":\"A-4711\",\"include_items\":true}"),
        ("gen_ai.tool.call.result", "{\"status\":\"shipped\",\"items\":3,\"total\":129.95}"),
    ];

    private static (string, object)[] Chat() =>
    [
        ("gen_ai.operation.name", "chat"), ("gen_ai.provider.name", "openai"), ("gen_ai.request.model", "gpt-4o"),
        ("gen_ai.request.temperature", 0.2), ("gen_ai.request.max_tokens", 1024L), ("gen_ai.request.top_p", 0.9),
        ("gen_ai.request.frequency_penalty", 0.0), ("gen_ai.request.presence_penalty", 0.0), ("gen_ai.request.seed", 42L),
        ("gen_ai.response.model", "gpt-4o-2024-08-06"), ("gen_ai.response.id", "chatcmpl-9x8y7z6w5v4u3t2s1r0q"),
        ("gen_ai.response.finish_reasons", new[] { "stop" }), ("gen_ai.usage.input_tokens", 512L), ("gen_ai.usage.output_tokens", 256L),
        ("gen_ai.input.messages", "[{\"role\":\"system\",\"parts\":[{\"type\":\"text\",\"content\":\"You are a checkout assistant.\"}]},{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"" + Prose + "\"}]}]"),
        ("gen_ai.output.messages", "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"" + Prose + "\"}],\"finish_reason\":\"stop\"}]"),
        ("gen_ai.output.type", "text"), ("server.address", "api.openai.com"), ("server.port", 443L), ("gen_ai.agent.name", "checkout-assistant"),
    ];

    private static KeyValue KeyValue(string key, object value)
    {
        var any = value switch
        {
            string s => new AnyValue { StringValue = s },
            bool b => new AnyValue { BoolValue = b },
            long l => new AnyValue { IntValue = l },
            double d => new AnyValue { DoubleValue = d },
            string[] items => new AnyValue { ArrayValue = new ArrayValue { Values = { items.Select(i => new AnyValue { StringValue = i }) } } },
            _ => throw new NotSupportedException(value.GetType().Name),
        };
        return new KeyValue { Key = key, Value = any };
    }

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
