// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Net;
using System.Text.Json.Nodes;

namespace HoneyHive.OtelBridge.LocalApi.Tests.Implementation.Routing;

public sealed class EventRoutesTests
{
    private const string SessionId = "caf77ace-3417-4da4-944d-f4a0688f3c23";
    private const string EventId = "7f22137a-6911-4ed3-bc36-110f1dde6b66";

    [Fact]
    public async Task Create_EveryDocumentedField_Returns200AndStoresEvent()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();
        const string Body = """
            {"event_type": "model", "inputs": {"chat_history": [{"role": "user", "content": "hi"}]},
             "event_id": "7f22137a-6911-4ed3-bc36-110f1dde6b66", "session_id": "caf77ace-3417-4da4-944d-f4a0688f3c23",
             "parent_id": "caf77ace-3417-4da4-944d-f4a0688f3c23", "children_ids": ["x"], "event_name": "openai.chat",
             "source": "prod", "config": {"model": "gpt-4o"}, "outputs": {"content": "hello"}, "error": "boom",
             "start_time": 1714492800200, "end_time": 1714492800900, "duration": 700, "metadata": {"prompt_tokens": 5},
             "metrics": {"m": 1}, "feedback": {"ground_truth": "g"}, "user_properties": {"u": 1}, "project_id": "p-1"}
            """;

        // Act
        var response = await server.PostAsync("/v1/events", Body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""{"event_id": "{{EventId}}", "success": true}"""), response.Body));
        var stored = (await server.GetAsync($"/v1/events/{EventId}")).Body!["event"]!;
        var expected = JsonNode.Parse("""
            {"event_id": "7f22137a-6911-4ed3-bc36-110f1dde6b66", "session_id": "caf77ace-3417-4da4-944d-f4a0688f3c23",
             "parent_id": "caf77ace-3417-4da4-944d-f4a0688f3c23", "children_ids": ["x"], "event_type": "model",
             "event_name": "openai.chat", "config": {"model": "gpt-4o"},
             "inputs": {"chat_history": [{"role": "user", "content": "hi"}]}, "outputs": {"content": "hello"},
             "error": "boom", "source": "prod", "duration": 700, "user_properties": {"u": 1}, "metrics": {"m": 1},
             "feedback": {"ground_truth": "g"}, "metadata": {"prompt_tokens": 5}, "org_id": "local",
             "workspace_id": "local", "project_id": "p-1", "start_time": 1714492800200, "end_time": 1714492800900}
            """);
        Assert.True(JsonNode.DeepEquals(expected, stored), stored.ToJsonString());
    }

    [Fact]
    public async Task Create_BareMinimalEvent_GeneratesIdsAndDefaults()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();

        // Act
        var response = await server.PostAsync("/v1/events", """{"event_type": "tool", "inputs": {}}""");

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(response.Body!["success"]!.GetValue<bool>());
        var eventId = response.Body!["event_id"]!.GetValue<string>();
        Assert.True(Guid.TryParseExact(eventId, "D", out _));
        var stored = (await server.GetAsync($"/v1/events/{eventId}")).Body!["event"]!;
        var sessionId = stored["session_id"]!.GetValue<string>();
        Assert.True(Guid.TryParseExact(sessionId, "D", out _));
        Assert.Equal(sessionId, stored["parent_id"]!.GetValue<string>());
        Assert.Equal("unknown", stored["event_name"]!.GetValue<string>());
        Assert.Equal("unknown", stored["source"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"inputs": {}}""", "'event_type'")]
    [InlineData("""{"event_type": "chain"}""", "'inputs'")]
    [InlineData("""{"event_type": "llm", "inputs": {}}""", "'event_type'")]
    [InlineData("""{"event_type": null, "inputs": {}}""", "'event_type'")]
    [InlineData("""{"event_type": "chain", "inputs": []}""", "'inputs'")]
    [InlineData("""{"event_type": "chain", "inputs": null}""", "'inputs'")]
    [InlineData("""{"event_type": "chain", "inputs": {}, "event_id": "span-1"}""", "'event_id'")]
    [InlineData("""{"event_type": "chain", "inputs": {}, "session_id": "trace-1"}""", "'session_id'")]
    [InlineData("""{"event_type": "chain", "inputs": {}, "parent_id": 5}""", "'parent_id'")]
    [InlineData("""{"event_type": "chain", "inputs": {}, "parent_id": "root"}""", "'parent_id'")]
    [InlineData("""{"event_type": "chain", "inputs": {}, "children_ids": "a"}""", "'children_ids'")]
    [InlineData("""{"event_type": "chain", "inputs": {}, "children_ids": [1]}""", "'children_ids'")]
    [InlineData("""{"event_type": "chain", "inputs": {}, "event_name": 5}""", "'event_name'")]
    [InlineData("""{"event_type": "chain", "inputs": {}, "source": null}""", "'source'")]
    [InlineData("""{"event_type": "chain", "inputs": {}, "config": "x"}""", "'config'")]
    [InlineData("""{"event_type": "chain", "inputs": {}, "outputs": ["a"]}""", "'outputs'")]
    [InlineData("""{"event_type": "chain", "inputs": {}, "error": 5}""", "'error'")]
    [InlineData("""{"event_type": "chain", "inputs": {}, "start_time": "1714492800200"}""", "'start_time'")]
    [InlineData("""{"event_type": "chain", "inputs": {}, "end_time": null}""", "'end_time'")]
    [InlineData("""{"event_type": "chain", "inputs": {}, "duration": "7"}""", "'duration'")]
    [InlineData("""{"event_type": "chain", "inputs": {}, "metadata": []}""", "'metadata'")]
    [InlineData("""{"event_type": "chain", "inputs": {}, "metrics": 1}""", "'metrics'")]
    [InlineData("""{"event_type": "chain", "inputs": {}, "feedback": ""}""", "'feedback'")]
    [InlineData("""{"event_type": "chain", "inputs": {}, "user_properties": true}""", "'user_properties'")]
    [InlineData("""{"event_type": "chain", "inputs": {}, "project_id": 5}""", "'project_id'")]
    [InlineData("""{"event_type": "chain", "inputs": {}, "project": "p"}""", "'project'")]
    [InlineData("""{"event_type": "chain", "inputs": {}, "tenant": "t"}""", "'tenant'")]
    [InlineData("""{"event_type": "chain", "inputs": {}, "org_id": "o"}""", "'org_id'")]
    public async Task Create_EventOutsideSchema_Returns400NamingField(string body, string named)
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();

        // Act
        var response = await server.PostAsync("/v1/events", body);

        // Assert
        response.AssertError(HttpStatusCode.BadRequest, "BAD_REQUEST");
        Assert.Contains(named, response.Message, StringComparison.Ordinal);
        Assert.Equal((0L, 0L), await server.StatsAsync());
    }

    [Theory]
    [InlineData("chain")]
    [InlineData("model")]
    [InlineData("tool")]
    [InlineData("session")]
    public async Task Create_EachDocumentedEventType_Returns200(string eventType)
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();

        // Act
        var response = await server.PostAsync("/v1/events", $$"""{"event_type": "{{eventType}}", "inputs": {}, "error": null}""");

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.Status);
    }

    [Fact]
    public async Task CreateBatch_SingleSession_CreatesSessionFromPropertiesAndStoresAllEventsInIt()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();
        const string Body = """
            {"events": [
               {"event_type": "tool", "event_name": "search", "session_id": "11111111-1111-4111-8111-111111111111", "inputs": {"q": "x"}},
               {"event_type": "model", "inputs": {}}],
             "single_session": true,
             "session_properties": {"session_name": "batch-run", "start_time": 1714492800123, "metadata": {"k": "v"}, "user_properties": {}}}
            """;

        // Act
        var response = await server.PostAsync("/v1/events/batch", Body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var body = response.Body!.AsObject();
        Assert.Equal(new[] { "event_ids", "session_id", "success" }, body.Select(p => p.Key).ToArray());
        Assert.True(body["success"]!.GetValue<bool>());
        var sessionId = body["session_id"]!.GetValue<string>();
        var session = await server.GetAsync($"/v1/sessions/{sessionId}");
        Assert.Equal(HttpStatusCode.OK, session.Status);
        Assert.Equal("batch-run", session.Body!["session"]!["event_name"]!.GetValue<string>());
        Assert.Equal("v", session.Body!["session"]!["metadata"]!["k"]!.GetValue<string>());
        var storedIds = session.Body!["events"]!.AsArray().Select(e => e!["event_id"]!.GetValue<string>()).Order().ToArray();
        var answeredIds = body["event_ids"]!.AsArray().Select(e => e!.GetValue<string>()).Order().ToArray();
        Assert.Equal(2, answeredIds.Length);
        Assert.Equal(answeredIds, storedIds);
    }

    [Fact]
    public async Task CreateBatch_NotSingleSession_EventWithoutSessionGetsNewOneAndOthersKeepTheirs()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();
        const string Body = """
            {"events": [
               {"event_type": "tool", "session_id": "caf77ace-3417-4da4-944d-f4a0688f3c23", "inputs": {}},
               {"event_type": "tool", "inputs": {}}]}
            """;

        // Act
        var response = await server.PostAsync("/v1/events/batch", Body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Null(response.Body!["session_id"]);
        var ids = response.Body!["event_ids"]!.AsArray().Select(e => e!.GetValue<string>()).ToArray();
        var first = (await server.GetAsync($"/v1/events/{ids[0]}")).Body!["event"]!;
        var second = (await server.GetAsync($"/v1/events/{ids[1]}")).Body!["event"]!;
        Assert.Equal(SessionId, first["session_id"]!.GetValue<string>());
        var generated = second["session_id"]!.GetValue<string>();
        Assert.True(Guid.TryParseExact(generated, "D", out _));
        Assert.NotEqual(SessionId, generated);
    }

    [Theory]
    [InlineData("""{"events": [], "is_single_session": true}""", "'is_single_session'")]
    [InlineData("""{"events": [], "session": {}}""", "'session'")]
    [InlineData("""{"events": [], "single_session": "yes"}""", "'single_session'")]
    [InlineData("""{"events": [], "session_properties": []}""", "'session_properties'")]
    [InlineData("""{"events": [], "single_session": true, "session_properties": {"project": "p"}}""", "'project'")]
    [InlineData("""{"single_session": true}""", "'events'")]
    public async Task CreateBatch_BodyOutsideSchema_Returns400NamingField(string body, string named)
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();

        // Act
        var response = await server.PostAsync("/v1/events/batch", body);

        // Assert
        response.AssertError(HttpStatusCode.BadRequest, "BAD_REQUEST");
        Assert.Contains(named, response.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateBatch_PerEventProject_Returns400NamingIndexAndStoresNothing()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();
        const string Body = """
            {"events": [{"event_type": "tool", "inputs": {}}, {"event_type": "tool", "inputs": {}, "project": "legacy"}],
             "single_session": true}
            """;

        // Act
        var response = await server.PostAsync("/v1/events/batch", Body);

        // Assert
        response.AssertError(HttpStatusCode.BadRequest);
        Assert.Contains("index 1", response.Message, StringComparison.Ordinal);
        Assert.Contains("'project'", response.Message, StringComparison.Ordinal);
        Assert.Equal((0L, 0L), await server.StatsAsync());
    }

    [Fact]
    public async Task Update_StoredEvent_MergesObjectsReplacesDurationIgnoresOtherFields()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();
        await server.PostAsync("/v1/events", $$"""
            {"event_id": "{{EventId}}", "event_type": "chain", "event_name": "root", "inputs": {"q": 1},
             "outputs": {"a": 1, "b": 1}, "config": {"c": 1}, "metadata": {"m": 1}, "duration": 5}
            """);
        const string Update = """
            {"outputs": {"b": 2}, "config": {"d": 2}, "metadata": {"m": 2}, "metrics": {"score": 0.5},
             "feedback": {"ok": true}, "user_properties": {"u": "x"}, "duration": 900,
             "event_name": "ignored", "inputs": {"q": 99}, "event_id": "ignored", "unknown_field": 1}
            """;

        // Act
        var response = await server.PutAsync($"/v1/events/{EventId}", Update);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"success": true}"""), response.Body));
        var stored = (await server.GetAsync($"/v1/events/{EventId}")).Body!["event"]!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"a": 1, "b": 2}"""), stored["outputs"]), stored.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"c": 1, "d": 2}"""), stored["config"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"m": 2}"""), stored["metadata"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"score": 0.5}"""), stored["metrics"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"ok": true}"""), stored["feedback"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"u": "x"}"""), stored["user_properties"]));
        Assert.Equal(900, stored["duration"]!.GetValue<int>());
        Assert.Equal("root", stored["event_name"]!.GetValue<string>());
        Assert.Equal(1, stored["inputs"]!["q"]!.GetValue<int>());
        Assert.Equal(EventId, stored["event_id"]!.GetValue<string>());
        Assert.Null(stored["unknown_field"]);
    }

    [Fact]
    public async Task Update_SessionEventId_UpdatesTheSession()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();
        await server.CreateSessionAsync(SessionId);

        // Act
        var response = await server.PutAsync($"/v1/events/{SessionId}", """{"outputs": {"answer": "late root"}, "duration": 1234}""");

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var session = (await server.GetAsync($"/v1/sessions/{SessionId}")).Body!["session"]!;
        Assert.Equal("late root", session["outputs"]!["answer"]!.GetValue<string>());
        Assert.Equal(1234, session["duration"]!.GetValue<int>());
    }

    [Fact]
    public async Task Update_UnknownEvent_Returns404EventNotFound()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();

        // Act
        var response = await server.PutAsync($"/v1/events/{EventId}", """{"outputs": {}}""");

        // Assert
        response.AssertError(HttpStatusCode.NotFound, "EVENT_NOT_FOUND");
    }

    [Theory]
    [InlineData("""{"outputs": ["a"]}""", "'outputs'")]
    [InlineData("""{"metadata": "x"}""", "'metadata'")]
    [InlineData("""{"duration": "5"}""", "'duration'")]
    [InlineData("""[]""", "object")]
    public async Task Update_ChangedFieldOfWrongType_Returns400(string body, string named)
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();
        await server.PostAsync("/v1/events", $$"""{"event_id": "{{EventId}}", "event_type": "chain", "inputs": {"x": 1 } }""");

        // Act
        var response = await server.PutAsync($"/v1/events/{EventId}", body);

        // Assert
        response.AssertError(HttpStatusCode.BadRequest, "BAD_REQUEST");
        Assert.Contains(named, response.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_UnknownEvent_Returns404EventNotFound()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();

        // Act
        var response = await server.GetAsync($"/v1/events/{EventId}");

        // Assert
        response.AssertError(HttpStatusCode.NotFound, "EVENT_NOT_FOUND");
    }
}
