// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Receiver.Commands;

namespace HoneyHive.OtelBridge.Receiver.Tests.Commands;

public sealed class ApiRequestBuilderTests
{
    [Fact]
    public void Build_EveryFlag_TypesEachValueAsTheSchemaSays()
    {
        // Arrange
        var flags = Flags(
            ApiSchemas.Session,
            ("children-ids", "[\"a\",\"b\"]"),
            ("config", "{\"model\":\"gpt-4o\"}"),
            ("duration", "700.5"),
            ("end-time", "1714492800900"),
            ("event-name", "run"),
            ("inputs", "{\"query\":\"hello\"}"),
            ("metadata", "{\"v\":1}"),
            ("outputs", "{\"answer\":\"hi\"}"),
            ("session-id", "caf77ace-3417-4da4-944d-f4a0688f3c23"),
            ("session-name", "my-agent-run"),
            ("source", "cli"),
            ("start-time", "1714492800123"),
            ("user-properties", "{\"user_id\":\"u-1\"}"));

        // Act
        var request = ApiRequestBuilder.Build(ApiSchemas.Session, null, null, flags);

        // Assert
        var expected = JsonNode.Parse("""
            {"children_ids":["a","b"],"config":{"model":"gpt-4o"},"duration":700.5,"end_time":1714492800900,
             "event_name":"run","inputs":{"query":"hello"},"metadata":{"v":1},"outputs":{"answer":"hi"},
             "session_id":"caf77ace-3417-4da4-944d-f4a0688f3c23","session_name":"my-agent-run","source":"cli",
             "start_time":1714492800123,"user_properties":{"user_id":"u-1"}}
            """);
        Assert.True(JsonNode.DeepEquals(expected, request), request.ToJsonString());
    }

    [Fact]
    public void Build_FlagAndFile_FlagWins()
    {
        // Arrange
        const string File = """{"session_name":"from-file","source":"file","metadata":{"a":1}}""";
        var flags = Flags(ApiSchemas.Session, ("session-name", "from-flag"));

        // Act
        var request = ApiRequestBuilder.Build(ApiSchemas.Session, "session.json", File, flags);

        // Assert
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse("""{"session_name":"from-flag","source":"file","metadata":{"a":1}}"""), request),
            request.ToJsonString());
    }

    [Theory]
    [InlineData("inputs", "{not json", "--inputs holds invalid JSON")]
    [InlineData("inputs", "[1,2]", "--inputs: must be a JSON object, not an array")]
    [InlineData("metadata", "\"text\"", "--metadata: must be a JSON object, not a string")]
    [InlineData("children-ids", "{\"a\":1}", "--children-ids: must be a JSON array of strings, not an object")]
    [InlineData("children-ids", "[\"a\",3]", "--children-ids[1]: must be a string, not a number")]
    [InlineData("duration", "seven", "--duration takes a number")]
    [InlineData("start-time", "12.5", "--start-time takes a whole number of Unix milliseconds")]
    [InlineData("start-time", "2024-05-01", "--start-time takes a whole number of Unix milliseconds")]
    public void Build_BadFlagValue_NamesTheFlag(string flag, string text, string expected)
    {
        // Arrange
        var flags = Flags(ApiSchemas.Session, (flag, text));

        // Act
        var ex = Assert.Throws<CommandUsageException>(() => ApiRequestBuilder.Build(ApiSchemas.Session, null, null, flags));

        // Assert
        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_UnknownFieldInFile_IsRefusedNamingIt()
    {
        // Arrange
        const string File = """{"session_name":"x","project":"old-style"}""";

        // Act
        var ex = Assert.Throws<CommandUsageException>(
            () => ApiRequestBuilder.Build(ApiSchemas.Session, "session.json", File, []));

        // Assert
        Assert.StartsWith("--filename session.json: unknown field \"project\" (allowed: session_id,", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_UnknownFieldInAFileEvent_IsRefusedNamingItsPath()
    {
        // Arrange
        const string File = """{"session_id":"s","events":[{"event_type":"tool","inputs":{},"tokens":3}]}""";

        // Act
        var ex = Assert.Throws<CommandUsageException>(
            () => ApiRequestBuilder.Build(ApiSchemas.SessionEventBatch, "batch.json", File, []));

        // Assert
        Assert.StartsWith("--filename batch.json: events[0].tokens: unknown field", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_BatchWithoutRequiredFlags_NamesBothFlags()
    {
        // Act
        var ex = Assert.Throws<CommandUsageException>(() => ApiRequestBuilder.Build(ApiSchemas.SessionEventBatch, null, null, []));

        // Assert
        Assert.Equal(["--session-id is required.", "--events is required."], ex.Message.Split(Environment.NewLine));
    }

    [Fact]
    public void Build_BatchSessionIdFromFileAndEventsFromFlag_IsComplete()
    {
        // Arrange
        var flags = Flags(ApiSchemas.SessionEventBatch, ("events", """[{"event_type":"model","inputs":{"q":"x"}}]"""));

        // Act
        var request = ApiRequestBuilder.Build(ApiSchemas.SessionEventBatch, "batch.json", """{"session_id":"s-1","events":[]}""", flags);

        // Assert
        Assert.Equal("s-1", (string?)request["session_id"]);
        Assert.Equal("model", (string?)request["events"]![0]!["event_type"]);
    }

    [Theory]
    [InlineData("{oops", "--filename f.json holds invalid JSON")]
    [InlineData("[1]", "--filename f.json must hold a JSON object")]
    [InlineData("{\"session_name\":5}", "--filename f.json: session_name: must be a string, not a number")]
    public void Build_BadFile_NamesTheFile(string text, string expected)
    {
        // Act
        var ex = Assert.Throws<CommandUsageException>(() => ApiRequestBuilder.Build(ApiSchemas.Session, "f.json", text, []));

        // Assert
        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }

    private static List<KeyValuePair<ApiField, string>> Flags(ApiObjectSchema schema, params (string Flag, string Text)[] values) =>
        values.Select(v => new KeyValuePair<ApiField, string>(schema.FindFlag(v.Flag)!, v.Text)).ToList();
}
