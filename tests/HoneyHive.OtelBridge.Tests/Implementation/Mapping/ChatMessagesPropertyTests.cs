// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Tests.Implementation.Mapping;

/// <summary>
/// <see cref="ChatMessages.FromAttribute"/> (one pass over a parsed document for the usual
/// text-only messages) against the general path it replaces on the mapper's message attributes,
/// <c>ChatMessages.ToList(json.ToJsonParsingText(key, value))</c>, which stays in the product as
/// its fallback: on random message texts (text and other parts, repeated property names, odd
/// number forms, escapes, lone surrogates, invalid JSON, values past the length limit) both give
/// the same nodes, the same bytes under both encoders, the same truncation record and the same
/// exception. The same for the one-pass reading of tool arguments and results and OpenInference's
/// <c>input.value</c>/<c>output.value</c> (objects whose properties join <c>inputs</c>/<c>outputs</c>).
/// </summary>
public sealed class ChatMessagesPropertyTests
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string[] Strings =
    [
        "\"\"", "\"Hi\"", "\"caf\u00e9\"", "\"caf\\u00e9\"", "\"a\\nb\\t\\\"q\\\" \\\\ /\"", "\"\\ud83d\\ude00 smile\"",
        "\"\\ud800 lone\"", "\"raw \ud800 lone\"", "\"<script>&'\"", "\"text\"", "\"user\"", "\"\\u0074ext\"",
    ];

    private static readonly string[] Numbers = ["1", "1.0", "1e5", "-0", "2.50", "12345678901234567890", "0.1E-3"];

    private static readonly string[] MessageKeys =
        ["role", "role", "parts", "parts", "finish_reason", "name", "content", "tool_calls", "x", "\\u0072ole", "par\\u0074s"];

    private static readonly string[] CleanKeys = ["role", "finish_reason", "name", "x", "\\u0072ole"];

    [Property(MaxTest = 1000)]
    public Property FromAttribute_RandomMessageText_SameAsGeneralPath()
    {
        return Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            // Arrange
            var random = new Random(seed);
            var text = MessagesText(random);
            var options = new MappingOptions { MaxStringLength = random.Next(4) == 0 ? random.Next(10, 80) : MappingOptions.DefaultMaxStringLength };
            var fastJson = new AttributeJson(options, poolDocuments: random.Next(2) == 0);
            var generalJson = new AttributeJson(options);

            // Act
            var fast = Outcome(() => ChatMessages.FromAttribute(fastJson, "gen_ai.input.messages", text));
            ReleaseDocuments(fastJson);
            var general = ListOutcome(() => ChatMessages.ToList(generalJson.ToJsonParsingText("gen_ai.input.messages", text)));

            // Assert
            return (fast == general).Label($"text: {text}\nfast:    {fast}\ngeneral: {general}")
                .And((fastJson.Truncated?.ToJsonString() == generalJson.Truncated?.ToJsonString()).Label("truncated"));
        });
    }

    [Property(MaxTest = 600)]
    public Property SystemFromAttribute_RandomInstructionsText_SameAsGeneralPath()
    {
        return Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            // Arrange
            var random = new Random(seed);
            var text = InstructionsText(random);
            var options = new MappingOptions { MaxStringLength = random.Next(4) == 0 ? random.Next(10, 80) : MappingOptions.DefaultMaxStringLength };
            var fastJson = new AttributeJson(options, poolDocuments: random.Next(2) == 0);
            var generalJson = new AttributeJson(options);

            // Act
            var fast = Outcome(() => ChatMessages.SystemFromAttribute(fastJson, "gen_ai.system_instructions", text));
            ReleaseDocuments(fastJson);
            var general = Outcome(() => ChatMessages.SystemMessage(generalJson.ToJsonParsingText("gen_ai.system_instructions", text)!));

            // Assert
            return (fast == general).Label($"text: {text}\nfast:    {fast}\ngeneral: {general}")
                .And((fastJson.Truncated?.ToJsonString() == generalJson.Truncated?.ToJsonString()).Label("truncated"));
        });
    }

    [Property(MaxTest = 200)]
    public Property Map_RandomMessagesAsTextOrParsed_SameRequestFields()
    {
        return Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            // Arrange: the messages as span text (the path under test) and, where the text parses, as the
            // node the general path parses it to (the mapper then copies and normalizes that node as before).
            var random = new Random(seed);
            var input = MessagesText(random);
            var output = MessagesText(random);
            var instructions = random.Next(3) == 0 ? null : InstructionsText(random);
            var onEvent = random.Next(3) == 0;
            var asText = ChatSpan(input, output, instructions, onEvent);
            var asNodes = ChatSpan(Parsed(input), Parsed(output), instructions is null ? null : Parsed(instructions), onEvent);

            // Act
            var fromText = Outcome(() => Fields(SpanMapper.Map(asText, MappingOptions.Default, poolDocuments: random.Next(2) == 0)));
            var fromNodes = Outcome(() => Fields(SpanMapper.Map(asNodes, MappingOptions.Default)));

            // Assert
            return (fromText == fromNodes).Label($"input: {input}\noutput: {output}\ninstructions: {instructions}\ntext:  {fromText}\nnodes: {fromNodes}");
        });
    }

    [Property(MaxTest = 600)]
    public Property Map_RandomToolAndValueTextsAsTextOrParsed_SameRequestFields()
    {
        return Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            // Arrange: objects (repeated and escaped names, nested values), other JSON, broken JSON and plain text, as
            // span text (the one-pass reading) and, where the text parses, as the node the general path parses it to.
            var random = new Random(seed);
            var texts = new[] { ObjectText(random), ObjectText(random), ObjectText(random), ObjectText(random) };
            KeyValuePair<string, object?>[] Attributes(Func<string, object> value) =>
            [
                new("gen_ai.operation.name", "execute_tool"),
                new("gen_ai.tool.call.arguments", value(texts[0])),
                new("gen_ai.tool.call.result", value(texts[1])),
                new("input.value", value(texts[2])),
                new("output.value", value(texts[3])),
            ];
            var span = TestSpans.Span(2, 1, "execute_tool lookup");

            // Act
            var fromText = Outcome(() => Fields(SpanMapper.Map(TestSpans.WithAttributes(span, Attributes(t => t)), MappingOptions.Default, poolDocuments: random.Next(2) == 0)));
            var fromNodes = Outcome(() => Fields(SpanMapper.Map(TestSpans.WithAttributes(span, Attributes(Parsed)), MappingOptions.Default)));

            // Assert
            return (fromText == fromNodes).Label($"texts: {string.Join(" | ", texts)}\ntext:  {fromText}\nnodes: {fromNodes}");
        });
    }

    [Theory]
    [InlineData("[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Hi\"}]}]")]
    [InlineData("[{\"role\":\"assistant\",\"parts\":[{\"content\":\"a\",\"type\":\"text\"},{\"type\":\"text\",\"content\":\"b\"}],\"finish_reason\":\"stop\"}]")]
    [InlineData("[{\"role\":\"user\",\"content\":\"plain\",\"n\":1.50}]")]
    [InlineData("[{\"role\":\"user\",\"parts\":[]},\"loose\",null,2.0]")]
    [InlineData("[]")]
    public void FromAttribute_CommonShapes_SameAsGeneralPath(string text)
    {
        // Arrange
        var json = new AttributeJson(MappingOptions.Default);

        // Act
        var fast = Outcome(() => ChatMessages.FromAttribute(json, "k", text));
        var general = ListOutcome(() => ChatMessages.ToList(json.ToJsonParsingText("k", text)));

        // Assert
        Assert.Equal(general, fast);
    }

    [Theory]
    [InlineData("[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"a\"}],\"finish_reason\":\"stop\"},{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"b\"}],\"finish_reason\":\"length\"}]")]
    [InlineData("[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"a\"}],\"finish_reason\":null},{\"finish_reason\":{\"k\":1},\"role\":\"assistant\",\"parts\":[]}]")]
    [InlineData("[{\"role\":\"assistant\",\"finish_reason\":\"stop\",\"parts\":[{\"type\":\"text\",\"content\":\"a\"},{\"type\":\"text\",\"content\":\"b\"}],\"name\":\"n\"}]")]
    [InlineData("[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"a\"}],\"\\u0066inish_reason\":\"stop\"},\"loose\"]")]
    public void Map_OutputsWithFinishReasons_SameRequestFieldsAsParsed(string output)
    {
        // Arrange: the finish reasons leave the messages (and go to metadata) whether the messages were read from their
        // document or parsed into nodes first.
        const string Input = "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"q\"}]}]";
        var asText = ChatSpan(Input, output, null, onEvent: false);
        var asNodes = ChatSpan(Parsed(Input), Parsed(output), null, onEvent: false);

        // Act
        var fromText = Fields(SpanMapper.Map(asText, MappingOptions.Default));
        var fromNodes = Fields(SpanMapper.Map(asNodes, MappingOptions.Default));

        // Assert
        Assert.Equal(fromNodes, fromText);
        Assert.DoesNotMatch("\"(finish_reason|\\\\u0066inish_reason)\":[^n]", fromText.Split('\n')[2]);
    }

    /// <summary>Disposes the pooled documents a converter kept (after the outcome was written, as delivery does).</summary>
    private static void ReleaseDocuments(AttributeJson json)
    {
        foreach (var document in json.Documents ?? [])
        {
            document.Dispose();
        }
    }

    /// <summary>Bytes under the default and a relaxed encoder, the node types, or the exception type.</summary>
    private static string Outcome(Func<JsonNode?> act)
    {
        try
        {
            var node = act();
            return node is null ? "null" : node.ToJsonString() + "\n" + node.ToJsonString(Relaxed) + "\n" + Shape(node);
        }
        catch (Exception e)
        {
            return "threw " + e.GetType().FullName;
        }
    }

    /// <summary>A list read by the one-pass path: its bytes as written without its node (under both encoders), then
    /// its node as <see cref="Outcome(Func{JsonNode})"/> describes one.</summary>
    private static string Outcome(Func<ChatList?> act)
    {
        try
        {
            var list = act();
            if (list is null)
            {
                return "null";
            }

            var written = Written(list.WriteTo, JsonSerializerOptions.Default) + "\n" + Written(list.WriteTo, Relaxed);
            return written + "\n" + Outcome(() => list.Node);
        }
        catch (Exception e)
        {
            return "threw " + e.GetType().FullName;
        }
    }

    /// <summary>A list of the general path, described as <see cref="Outcome(Func{ChatList})"/> describes one (a node's
    /// bytes are its written bytes).</summary>
    private static string ListOutcome(Func<JsonNode?> act)
    {
        try
        {
            var node = act();
            return node is null ? "null" : node.ToJsonString() + "\n" + node.ToJsonString(Relaxed) + "\n" + Outcome(() => node);
        }
        catch (Exception e)
        {
            return "threw " + e.GetType().FullName;
        }
    }

    private static string Written(Action<Utf8JsonWriter, JsonSerializerOptions> write, JsonSerializerOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = options.Encoder }))
        {
            write(writer, options);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Outcome(Func<string> act)
    {
        try
        {
            return act();
        }
        catch (Exception e)
        {
            return "threw " + e.GetType().FullName;
        }
    }

    private static string Shape(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject o => "{" + string.Join(",", o.Select(p => p.Key + ":" + Shape(p.Value))) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Shape)) + "]",
        _ => node.GetType().Name + "/" + node.GetValueKind(),
    };

    /// <summary>The fields as delivery writes them (straight from what the mapper holds, under both encoders), then as
    /// their objects.</summary>
    private static string Fields(MappedSpan mapped) => string.Join(
        "\n",
        Written(mapped.InputsField.WriteTo, JsonSerializerOptions.Default),
        Written(mapped.InputsField.WriteTo, Relaxed),
        Written(mapped.OutputsField.WriteTo, JsonSerializerOptions.Default),
        Written(mapped.OutputsField.WriteTo, Relaxed),
        mapped.Inputs.ToJsonString(),
        mapped.Outputs.ToJsonString(),
        mapped.Outputs.ToJsonString(Relaxed),
        mapped.Metadata.ToJsonString(),
        mapped.Config.ToJsonString(),
        Shape(mapped.Inputs),
        Shape(mapped.Outputs));

    private static object Parsed(string text)
    {
        var json = new AttributeJson(MappingOptions.Default);
        try
        {
            return json.IsParsedAsText(text) && json.ToJsonParsingText("k", text) is JsonObject or JsonArray
                ? json.ToJsonParsingText("k", text)!
                : text;
        }
        catch (ArgumentException)
        {
            return text;
        }
    }

    private static SpanRecord ChatSpan(object input, object output, object? instructions, bool onEvent)
    {
        var span = TestSpans.Span(2, 1, "chat", ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "m"));
        var messages = new List<KeyValuePair<string, object?>>
        {
            KeyValuePair.Create<string, object?>("gen_ai.input.messages", input),
            KeyValuePair.Create<string, object?>("gen_ai.output.messages", output),
        };
        if (instructions is not null)
        {
            messages.Add(KeyValuePair.Create<string, object?>("gen_ai.system_instructions", instructions));
        }

        return onEvent
            ? TestSpans.WithStatus(span, default, null, new SpanEventRecord("gen_ai.client.inference.operation.details", TestSpans.BaseNanos, messages))
            : TestSpans.WithAttributes(span, [.. span.Attributes, .. messages]);
    }

    /// <summary>
    /// Message texts: half of them the usual shape (role, text parts, finish reason: the path under
    /// test), half with anything in them (every fallback).
    /// </summary>
    private static string MessagesText(Random random)
    {
        var clean = random.Next(2) == 0;
        var text = new StringBuilder();
        switch (random.Next(20))
        {
            case 0:
                text.Append(Message(random, clean));
                break;
            case 1:
                text.Append(Value(random, 0));
                break;
            default:
                text.Append('[');
                var count = random.Next(4);
                for (var i = 0; i < count; i++)
                {
                    text.Append(i > 0 ? "," : string.Empty).Append(Space(random));
                    text.Append(random.Next(8) == 0 ? Value(random, 1) : Message(random, clean));
                }

                text.Append(Space(random)).Append(']');
                break;
        }

        return clean ? text.ToString() : random.Next(25) switch
        {
            0 => text.ToString(0, text.Length / 2),
            1 => text + " ]",
            2 => "  \n" + text,
            _ => text.ToString(),
        };
    }

    /// <summary>Instructions texts: text parts mostly, anything else sometimes.</summary>
    private static string InstructionsText(Random random)
    {
        var clean = random.Next(2) == 0;
        return random.Next(5) switch
        {
            0 => MessagesText(random),
            1 => Value(random, 1),
            2 => " " + Parts(random, clean),
            _ => Parts(random, clean),
        };
    }

    private static string Message(Random random, bool clean)
    {
        var properties = new List<string>();
        var count = random.Next(5);
        var keys = clean ? CleanKeys.OrderBy(_ => random.Next()).ToArray() : null;
        for (var i = 0; i < count; i++)
        {
            var key = keys is not null ? keys[i] : MessageKeys[random.Next(MessageKeys.Length)];
            var value = key.Contains("par", StringComparison.Ordinal) && random.Next(6) != 0 ? Parts(random, clean) : Value(random, 1);
            properties.Add(Space(random) + "\"" + key + "\":" + Space(random) + value);
        }

        if (random.Next(3) != 0 && !properties.Any(p => p.Contains("\"parts\"", StringComparison.Ordinal)))
        {
            properties.Insert(random.Next(properties.Count + 1), "\"parts\":" + Parts(random, clean));
        }

        return "{" + string.Join(",", properties) + Space(random) + "}";
    }

    private static string Parts(Random random, bool clean)
    {
        var parts = new List<string>();
        var count = random.Next(4);
        for (var i = 0; i < count; i++)
        {
            parts.Add((clean ? 8 + random.Next(2) : random.Next(12)) switch
            {
                0 => "{\"type\":\"tool_call\",\"id\":\"c1\",\"name\":\"f\",\"arguments\":{\"x\":1.0}}",
                1 => "{\"type\":\"tool_call_response\",\"id\":\"c1\",\"response\":" + Value(random, 2) + "}",
                2 => "{\"type\":\"image\",\"uri\":" + Value(random, 2) + "}",
                3 => "{\"type\":\"text\",\"content\":" + Value(random, 2) + "}",
                4 => "{\"type\":\"text\",\"content\":\"a\",\"content\":\"b\"}",
                5 => "{\"type\":\"text\"}",
                6 => "{\"type\":\"text\",\"content\":\"a\",\"extra\":1}",
                7 => Value(random, 2),
                8 => "{\"content\":" + Strings[random.Next(Strings.Length)] + "," + Space(random) + "\"type\":\"text\"}",
                _ => "{\"type\":" + (random.Next(6) == 0 ? "\"\\u0074ext\"" : "\"text\"") + ",\"content\":" + Strings[random.Next(Strings.Length)] + "}",
            });
        }

        return "[" + string.Join("," + Space(random), parts) + "]";
    }

    private static string Value(Random random, int depth) => random.Next(depth > 2 ? 4 : 7) switch
    {
        0 => Strings[random.Next(Strings.Length)],
        1 => Numbers[random.Next(Numbers.Length)],
        2 => random.Next(3) switch { 0 => "null", 1 => "true", _ => "false" },
        3 => Strings[random.Next(Strings.Length)],
        4 => "{\"a\":" + Value(random, depth + 1) + ",\"a\":" + Value(random, depth + 1) + "}",
        5 => "[" + Value(random, depth + 1) + "," + Value(random, depth + 1) + "]",
        _ => "{\"k\":" + Value(random, depth + 1) + "}",
    };

    /// <summary>Mostly a JSON object (tool arguments' shape); now and then anything else.</summary>
    private static string ObjectText(Random random)
    {
        string[] keys = ["order_id", "a", "a", "\\u0061", "include_items", "x\\ny", "caf\u00e9", ""];
        var text = new StringBuilder();
        switch (random.Next(12))
        {
            case 0:
                return Value(random, 0);
            case 1:
                return "not json {";
            default:
                text.Append(Space(random)).Append('{');
                var count = random.Next(5);
                for (var i = 0; i < count; i++)
                {
                    text.Append(i > 0 ? "," : string.Empty).Append('"').Append(keys[random.Next(keys.Length)]).Append("\":").Append(Value(random, 1));
                }

                text.Append('}');
                break;
        }

        return random.Next(15) == 0 ? text.ToString(0, text.Length - 1) : text.ToString();
    }

    private static string Space(Random random) => random.Next(6) == 0 ? " " : string.Empty;
}
