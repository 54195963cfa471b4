// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Implementation.Spans;
using HoneyHive.OtelBridge.Tests.Shared;

namespace HoneyHive.OtelBridge.Tests.Implementation.Mapping;

public sealed class SpanMapperTests
{
    [Theory]
    [InlineData("chain", "honeyhive_event_type=chain", "gen_ai.operation.name=chat")]
    [InlineData("tool", "honeyhive.event_type=tool", "openinference.span.kind=LLM")]
    [InlineData("model", "honeyhive_event_type=bogus", "gen_ai.operation.name=chat")]
    [InlineData("model", "gen_ai.operation.name=chat", "gen_ai.agent.name=Planner")]
    [InlineData("model", "gen_ai.operation.name=text_completion")]
    [InlineData("model", "gen_ai.operation.name=generate_content")]
    [InlineData("model", "gen_ai.operation.name=embeddings", "gen_ai.tool.name=x")]
    [InlineData("tool", "gen_ai.operation.name=execute_tool", "gen_ai.request.model=gpt-4o")]
    [InlineData("chain", "gen_ai.operation.name=invoke_agent", "gen_ai.request.model=gpt-4o")]
    [InlineData("chain", "gen_ai.operation.name=create_agent")]
    [InlineData("chain", "gen_ai.operation.name=invoke_workflow")]
    [InlineData("chain", "gen_ai.operation.name=retrieval", "openinference.span.kind=LLM")]
    [InlineData("model", "gen_ai.operation.name=orchestrate_tools", "openinference.span.kind=LLM")]
    [InlineData("model", "openinference.span.kind=EMBEDDING")]
    [InlineData("tool", "openinference.span.kind=TOOL", "traceloop.span.kind=workflow")]
    [InlineData("chain", "openinference.span.kind=RETRIEVER", "gen_ai.request.model=m")]
    [InlineData("chain", "openinference.span.kind=AGENT")]
    [InlineData("chain", "openinference.span.kind=GUARDRAIL")]
    [InlineData("tool", "traceloop.span.kind=tool", "llm.request.type=chat")]
    [InlineData("chain", "traceloop.span.kind=task", "gen_ai.request.model=m")]
    [InlineData("model", "traceloop.span.kind=unknown", "llm.request.type=completion")]
    [InlineData("model", "llm.request.type=embedding")]
    [InlineData("model", "gen_ai.request.model=gpt-4o", "gen_ai.tool.name=search")]
    [InlineData("model", "llm.model_name=claude")]
    [InlineData("tool", "gen_ai.tool.call.id=call_1")]
    [InlineData("chain", "gen_ai.agent.name=Planner")]
    [InlineData("chain", "http.request.method=GET")]
    public void Map_TypeSignals_FollowPrecedence(string expected, params string[] attributes)
    {
        // Arrange
        var span = TestSpans.Span(2, 1, "s", [.. attributes.Select(a => a.Split('=', 2)).Select(p => (p[0], (object?)p[1]))]);

        // Act
        var mapped = SpanMapper.Map(span, MappingOptions.Default);

        // Assert
        Assert.Equal(expected, mapped.EventType);
    }

    [Theory]
    [InlineData("gen_ai.request.model")]
    [InlineData("gen_ai.request.temperature")]
    [InlineData("gen_ai.request.max_tokens")]
    [InlineData("gen_ai.request.top_p")]
    [InlineData("gen_ai.request.top_k")]
    [InlineData("gen_ai.request.frequency_penalty")]
    [InlineData("gen_ai.request.presence_penalty")]
    [InlineData("gen_ai.request.seed")]
    [InlineData("gen_ai.request.stop_sequences")]
    [InlineData("gen_ai.request.choice.count")]
    [InlineData("gen_ai.request.encoding_formats")]
    public void RequestConfigName_ConventionKey_TheKeysRestDotsAsUnderscoresWithoutAllocating(string key)
    {
        // Arrange
        var expected = key["gen_ai.request.".Length..].Replace('.', '_');

        // Act
        var (name, allocated) = Allocations.OfSecondCall(() => SpanMapper.RequestConfigName(key));

        // Assert
        Assert.Equal(expected, name);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Map_RequestKeyOutsideTheConventions_ConfigNameFromTheKey()
    {
        // Act
        var mapped = SpanMapper.Map(TestSpans.Span(2, 1, "chat", ("gen_ai.request.vendor.beam_width", 4L), ("gen_ai.request.top_k", 40L)), MappingOptions.Default);

        // Assert
        Assert.Equal(4L, (long)mapped.Config["vendor_beam_width"]!);
        Assert.Equal(40L, (long)mapped.Config["top_k"]!);
    }

    [Fact]
    public void Map_Times_WholeMillisecondsAndSubMillisecondDuration()
    {
        // Arrange
        var span = new SpanRecord
        {
            TraceId = TestSpans.Trace,
            SpanId = TestSpans.Id(2),
            StartTimeUnixNano = 1_714_492_800_123_456_789,
            EndTimeUnixNano = 1_714_492_800_125_000_000,
        };

        // Act
        var mapped = SpanMapper.Map(span, MappingOptions.Default);

        // Assert
        Assert.Equal(1_714_492_800_123, mapped.StartTime);
        Assert.Equal(1_714_492_800_125, mapped.EndTime);
        Assert.Equal(1.543211, mapped.Duration, 6);
    }

    [Fact]
    public void Map_LongString_TruncatedWithMarkerAndLengthRecorded()
    {
        // Arrange
        var options = new MappingOptions { MaxStringLength = 50 };
        var span = TestSpans.Span(2, 1, "s", ("input.value", new string('x', 80)), ("note", "short"));

        // Act
        var mapped = SpanMapper.Map(span, options);

        // Assert
        var input = (string)mapped.Inputs["input"]!;
        Assert.Equal(50, input.Length);
        Assert.EndsWith(MappingOptions.TruncationMarker, input, StringComparison.Ordinal);
        Assert.Equal(80, (int)mapped.Metadata["truncated"]!["input.value"]!);
        Assert.Equal("short", (string?)mapped.Metadata["note"]);
    }

    [Fact]
    public void Map_LongJsonMessages_NotParsedButTruncated()
    {
        // Arrange
        var options = new MappingOptions { MaxStringLength = 40 };
        var messages = "[{\"role\":\"user\",\"content\":\"" + new string('y', 100) + "\"}]";
        var span = TestSpans.Span(2, 1, "s", ("gen_ai.input.messages", messages));

        // Act
        var mapped = SpanMapper.Map(span, options);

        // Assert: the text stays a (cut) string; inputs is still an object.
        Assert.Equal(JsonValueKind.String, mapped.Inputs["chat_history"]![0]!.GetValueKind());
        Assert.Equal(messages.Length, (int)mapped.Metadata["truncated"]!["gen_ai.input.messages"]!);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void Map_NonFiniteDouble_BecomesString(double value, string expected)
    {
        // Arrange
        var span = TestSpans.Span(2, 1, "s", ("gen_ai.request.temperature", value), ("custom", new object?[] { 1.5, value }));

        // Act
        var mapped = SpanMapper.Map(span, MappingOptions.Default);
        var json = JsonSerializer.Serialize(mapped.Config) + JsonSerializer.Serialize(mapped.Metadata);

        // Assert
        Assert.Equal(expected, (string?)mapped.Config["temperature"]);
        Assert.Equal(expected, (string?)mapped.Metadata["custom"]![1]);
        Assert.DoesNotContain(":NaN", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Map_BytesArraysAndMaps_BecomeJson()
    {
        // Arrange
        IReadOnlyList<KeyValuePair<string, object?>> map = [KeyValuePair.Create<string, object?>("a", 1L), KeyValuePair.Create<string, object?>("b", new object?[] { true, null })];
        var span = TestSpans.Span(2, 1, "s", ("blob", new byte[] { 1, 2, 3 }), ("list", new object?[] { "x", 2L }), ("map", map));

        // Act
        var mapped = SpanMapper.Map(span, MappingOptions.Default);

        // Assert
        Assert.Equal("AQID", (string?)mapped.Metadata["blob"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("[\"x\",2]"), mapped.Metadata["list"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("{\"a\":1,\"b\":[true,null]}"), mapped.Metadata["map"]));
    }

    [Fact]
    public void Map_HoneyHiveBuckets_LandWhereTheirNamesSay()
    {
        // Arrange
        var span = TestSpans.Span(
            2,
            1,
            "s",
            ("honeyhive_inputs.query.text", "hi"),
            ("honeyhive_inputs.items.0", "a"),
            ("honeyhive_inputs.items.1", "b"),
            ("honeyhive_outputs.result", "{\"k\":1}"),
            ("honeyhive_config.model", "m"),
            ("honeyhive_metadata.run_id", "r"),
            ("honeyhive_metrics.accuracy", 0.9),
            ("honeyhive_feedback.rating", 4L),
            ("honeyhive_user_properties.user_id", "u"),
            ("gen_ai.request.model", "overridden"));

        // Act
        var mapped = SpanMapper.Map(span, MappingOptions.Default);

        // Assert
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("{\"query\":{\"text\":\"hi\"},\"items\":[\"a\",\"b\"]}"), mapped.Inputs));
        Assert.Equal(1, (int)mapped.Outputs["result"]!["k"]!);
        Assert.Equal("m", (string?)mapped.Config["model"]);
        Assert.Equal("r", (string?)mapped.Metadata["run_id"]);
        Assert.Equal(0.9, (double)mapped.Metrics["accuracy"]!);
        Assert.Equal(4L, (long)mapped.Feedback["rating"]!);
        Assert.Equal("u", (string?)mapped.UserProperties["user_id"]);
        Assert.False(mapped.Metadata.ContainsKey("honeyhive_metrics.accuracy"));
    }

    [Fact]
    public void Map_ExceptionEvent_ErrorIsTypeColonMessage()
    {
        // Arrange
        var span = TestSpans.WithStatus(
            TestSpans.Span(2, 1, "s"),
            ActivityStatusCode.Error,
            "status text",
            new SpanEventRecord("exception", 0, [KeyValuePair.Create<string, object?>("exception.type", "IOException"), KeyValuePair.Create<string, object?>("exception.message", "disk full")]));

        // Act
        var mapped = SpanMapper.Map(span, MappingOptions.Default);

        // Assert
        Assert.Equal("IOException: disk full", mapped.Error);
        Assert.False(mapped.Metadata.ContainsKey("events"));
    }

    [Fact]
    public void Map_DeprecatedMessageAndChoiceEvents_NormalizedMessagesAndFinishReason()
    {
        // Arrange
        var json = JsonNode.Parse("{\"index\":0,\"message\":{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"Hello\"}]},\"content\":\"ignored\",\"finish_reason\":\"stop\"}")!;
        var before = json.ToJsonString();
        var span = TestSpans.WithStatus(
            TestSpans.Span(2, 1, "chat", ("gen_ai.operation.name", "chat")),
            ActivityStatusCode.Unset,
            null,
            new SpanEventRecord("gen_ai.user.message", 0, [KeyValuePair.Create<string, object?>("gen_ai.event.content", "{\"parts\":[{\"type\":\"text\",\"content\":\"Hi\"}]}")]),
            new SpanEventRecord("gen_ai.choice", 0, [KeyValuePair.Create<string, object?>("gen_ai.event.content", json)]));

        // Act
        var mapped = SpanMapper.Map(span, MappingOptions.Default);

        // Assert
        Assert.Equal("[{\"role\":\"user\",\"content\":\"Hi\"}]", mapped.Inputs["chat_history"]!.ToJsonString());
        Assert.Equal("{\"role\":\"assistant\",\"content\":\"Hello\"}", mapped.Outputs.ToJsonString());
        Assert.Equal("stop", (string?)mapped.Metadata["finish_reason"]);
        Assert.Equal(before, json.ToJsonString());
    }

    [Theory]
    [InlineData(ActivityStatusCode.Error, "timed out", "timed out")]
    [InlineData(ActivityStatusCode.Error, null, "error")]
    [InlineData(ActivityStatusCode.Ok, "fine", null)]
    [InlineData(ActivityStatusCode.Unset, null, null)]
    public void Map_Status_ErrorOnlyFromErrorStatus(ActivityStatusCode code, string? message, string? expected)
    {
        // Arrange
        var span = TestSpans.WithStatus(TestSpans.Span(2, 1, "s"), code, message);

        // Act
        var mapped = SpanMapper.Map(span, MappingOptions.Default);

        // Assert
        Assert.Equal(expected, mapped.Error);
    }

    [Fact]
    public void Map_NoInputAttributes_InputsIsEmptyObject()
    {
        // Act
        var mapped = SpanMapper.Map(TestSpans.Span(2, 1, "s", ("input.value", 42L)), MappingOptions.Default);
        var empty = SpanMapper.Map(TestSpans.Span(3, 1, "s"), MappingOptions.Default);

        // Assert
        Assert.Equal(42L, (long)mapped.Inputs["input"]!);
        Assert.Empty(empty.Inputs);
    }

    [Fact]
    public void Map_OpenInferenceFlattenedMessagesWithToolCalls_RebuildsChatHistory()
    {
        // Arrange
        var span = TestSpans.Span(
            2,
            1,
            "llm",
            ("llm.input_messages.0.message.role", "user"),
            ("llm.input_messages.0.message.content", "weather?"),
            ("llm.output_messages.0.message.role", "assistant"),
            ("llm.output_messages.0.message.tool_calls.0.tool_call.id", "c1"),
            ("llm.output_messages.0.message.tool_calls.0.tool_call.function.name", "get_weather"),
            ("llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments", "{\"city\":\"Oslo\"}"));

        // Act
        var mapped = SpanMapper.Map(span, MappingOptions.Default);

        // Assert
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("[{\"role\":\"user\",\"content\":\"weather?\"}]"), mapped.Inputs["chat_history"]));
        Assert.Equal("get_weather", (string?)mapped.Outputs["tool_calls"]![0]!["function"]!["name"]);
        Assert.Equal("Oslo", (string?)mapped.Outputs["tool_calls"]![0]!["function"]!["arguments"]!["city"]);
    }

    [Fact]
    public void Map_SystemInstructions_PrependedAsSystemMessage()
    {
        // Arrange
        var span = TestSpans.Span(
            2,
            1,
            "chat",
            ("gen_ai.system_instructions", "[{\"type\":\"text\",\"content\":\"Be brief.\"}]"),
            ("gen_ai.input.messages", "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Hi\"}]}]"));

        // Act
        var mapped = SpanMapper.Map(span, MappingOptions.Default);

        // Assert
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi\"}]"),
            mapped.Inputs["chat_history"]));
    }

    [Fact]
    public void SessionName_SpanOrResourceAttribute_SameAsMap()
    {
        // Arrange
        var onSpan = TestSpans.Span(2, 1, "s", ("honeyhive.session_name", "first"), ("honeyhive.session_name", "last"));
        var onResource = new SpanRecord
        {
            TraceId = TestSpans.Trace,
            SpanId = TestSpans.Id(3),
            ResourceAttributes = [KeyValuePair.Create<string, object?>("honeyhive.session_name", 42L)],
        };
        var none = TestSpans.Span(4, 1, "s");

        // Act
        var names = new[] { onSpan, onResource, none }.Select(s => SpanMapper.SessionName(s, MappingOptions.Default)).ToArray();
        var mapped = new[] { onSpan, onResource, none }.Select(s => SpanMapper.Map(s, MappingOptions.Default).SessionName).ToArray();

        // Assert
        Assert.Equal(new[] { "last", "42", null }, names);
        Assert.Equal(mapped, names);
    }

    [Fact]
    public void Map_ResourceAttributes_LastValueWinsAndLongTextTruncated()
    {
        // Arrange
        var span = new SpanRecord
        {
            TraceId = TestSpans.Trace,
            SpanId = TestSpans.Id(3),
            ResourceAttributes =
            [
                KeyValuePair.Create<string, object?>("service.name", "first"),
                KeyValuePair.Create<string, object?>("honeyhive.source", new string('s', 40)),
                KeyValuePair.Create<string, object?>("service.name", "last"),
                KeyValuePair.Create<string, object?>("honeyhive.session_name", null),
            ],
        };
        var options = new MappingOptions { MaxStringLength = 30 };

        // Act
        var mapped = SpanMapper.Map(span, options);

        // Assert
        Assert.Equal("last", mapped.Metadata["service_name"]!.GetValue<string>());
        Assert.Equal(30, mapped.Source.Length);
        Assert.Equal(40, mapped.Metadata["truncated"]!["honeyhive.source"]!.GetValue<int>());
        Assert.Null(mapped.SessionName);
        Assert.Null(SpanMapper.SessionName(span, options));
    }
}
