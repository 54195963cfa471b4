// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Net;
using System.Text.Json.Nodes;

namespace HoneyHive.OtelBridge.LocalApi.Tests.Implementation.Routing;

public sealed class SessionRoutesTests
{
    private const string SessionId = "caf77ace-3417-4da4-944d-f4a0688f3c23";

    private static readonly string[] SessionEventFields =
    [
        "event_id", "session_id", "parent_id", "children_ids", "event_type", "event_name", "config", "inputs", "outputs",
        "error", "source", "duration", "user_properties", "metrics", "feedback", "metadata", "org_id", "workspace_id",
        "project_id", "start_time", "end_time",
    ];

    [Fact]
    public async Task Start_AllAllowedFields_Returns200WithStoredSessionEvent()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();
        const string Body = """
            {"session_id": "caf77ace-3417-4da4-944d-f4a0688f3c23", "session_name": "my-agent-run", "event_name": "run",
             "source": "prod", "start_time": 1714492800123, "end_time": 1714492800900, "duration": 777,
             "config": {"model": "m"}, "inputs": {"query": "hello"}, "outputs": {"answer": "hi"},
             "metadata": {"app_version": "1.2.3"}, "user_properties": {"user_id": "u-1"}, "children_ids": ["a"]}
            """;

        // Act
        var response = await server.PostAsync("/v1/sessions", Body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var session = response.Body!.AsObject();
        Assert.Equal(SessionEventFields, session.Select(p => p.Key).ToArray());
        var expected = JsonNode.Parse("""
            {"event_id": "caf77ace-3417-4da4-944d-f4a0688f3c23", "session_id": "caf77ace-3417-4da4-944d-f4a0688f3c23",
             "parent_id": null, "children_ids": ["a"], "event_type": "session", "event_name": "run",
             "config": {"model": "m"}, "inputs": {"query": "hello"}, "outputs": {"answer": "hi"}, "error": null,
             "source": "prod", "duration": 777, "user_properties": {"user_id": "u-1"}, "metrics": {}, "feedback": {},
             "metadata": {"app_version": "1.2.3"}, "org_id": "local", "workspace_id": "local", "project_id": "local",
             "start_time": 1714492800123, "end_time": 1714492800900}
            """);
        Assert.True(JsonNode.DeepEquals(expected, session), session.ToJsonString());
    }

    [Theory]
    [InlineData("project")]
    [InlineData("metrics")]
    [InlineData("feedback")]
    [InlineData("error")]
    [InlineData("event_type")]
    [InlineData("session")]
    public async Task Start_FieldOutsideAllowedList_Returns400NamingField(string field)
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();

        // Act
        var response = await server.PostAsync("/v1/sessions", $$"""{"session_name": "s", "{{field}}": 1}""");

        // Assert
        response.AssertError(HttpStatusCode.BadRequest);
        Assert.Contains($"'{field}'", response.Message, StringComparison.Ordinal);
        Assert.Equal((0L, 0L), await server.StatsAsync());
    }

    [Fact]
    public async Task Start_EmptyObject_GeneratesUuidV4AndDefaults()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // Act
        var response = await server.PostAsync("/v1/sessions", "{}");

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var sessionId = response.Body!["session_id"]!.GetValue<string>();
        Assert.True(Guid.TryParseExact(sessionId, "D", out var guid));
        Assert.Equal(4, guid.Version);
        Assert.Equal(sessionId, response.Body!["event_id"]!.GetValue<string>());
        Assert.Equal("unknown", response.Body!["event_name"]!.GetValue<string>());
        Assert.Equal("unknown", response.Body!["source"]!.GetValue<string>());
        Assert.True(response.Body!["start_time"]!.GetValue<long>() >= before);
        Assert.Null(response.Body!["end_time"]);
    }

    [Theory]
    [InlineData("\"not-a-uuid\"")]
    [InlineData("\"caf77ace34174da4944df4a0688f3c23\"")]
    [InlineData("12345")]
    [InlineData("null")]
    public async Task Start_NonUuidSessionId_IsReplacedByNewUuid(string sessionIdJson)
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();

        // Act
        var response = await server.PostAsync("/v1/sessions", $$"""{"session_id": {{sessionIdJson}}}""");

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var sessionId = response.Body!["session_id"]!.GetValue<string>();
        Assert.True(Guid.TryParseExact(sessionId, "D", out _), sessionId);
        Assert.NotEqual("caf77ace-3417-4da4-944d-f4a0688f3c23", sessionId);
    }

    [Theory]
    [InlineData("""{"session_name": "named"}""", "named")]
    [InlineData("""{"session_name": "named", "event_name": "explicit"}""", "explicit")]
    [InlineData("""{"source": "dev"}""", "unknown")]
    public async Task Start_EventName_FallsBackToSessionNameThenUnknown(string body, string expected)
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();

        // Act
        var response = await server.PostAsync("/v1/sessions", body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(expected, response.Body!["event_name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("start_time")]
    [InlineData("end_time")]
    public async Task Start_StringTime_BecomesCurrentTimeInMilliseconds(string field)
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // Act
        var response = await server.PostAsync("/v1/sessions", $$"""{"{{field}}": "2024-04-30T16:00:00Z"}""");

        // Assert
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var value = response.Body![field]!.GetValue<long>();
        Assert.InRange(value, before, after);
    }

    [Theory]
    [InlineData("config", "[]")]
    [InlineData("inputs", "\"x\"")]
    [InlineData("outputs", "1")]
    [InlineData("metadata", "null")]
    [InlineData("user_properties", "[1]")]
    [InlineData("children_ids", "[1]")]
    [InlineData("children_ids", "\"a\"")]
    [InlineData("duration", "\"5\"")]
    [InlineData("start_time", "true")]
    [InlineData("end_time", "{}")]
    [InlineData("session_name", "5")]
    [InlineData("event_name", "null")]
    [InlineData("source", "[]")]
    public async Task Start_FieldOfWrongType_Returns400NamingField(string field, string valueJson)
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();

        // Act
        var response = await server.PostAsync("/v1/sessions", $$"""{"{{field}}": {{valueJson}}}""");

        // Assert
        response.AssertError(HttpStatusCode.BadRequest, "BAD_REQUEST");
        Assert.Contains($"'{field}'", response.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"session_name\": ")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("")]
    public async Task Start_BodyNotJsonObject_Returns400(string body)
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();

        // Act
        var response = await server.PostAsync("/v1/sessions", body);

        // Assert
        response.AssertError(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Start_ExistingSessionId_MergesMetadataAndUserPropertiesOnly()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();
        await server.PostAsync("/v1/sessions", """
            {"session_id": "caf77ace-3417-4da4-944d-f4a0688f3c23", "session_name": "first", "source": "prod",
             "start_time": 1000, "inputs": {"q": 1}, "metadata": {"a": 1, "b": 1}, "user_properties": {"u": 1}}
            """);

        // Act
        var response = await server.PostAsync("/v1/sessions", """
            {"session_id": "caf77ace-3417-4da4-944d-f4a0688f3c23", "session_name": "second", "source": "dev",
             "start_time": 2000, "inputs": {"q": 2}, "metadata": {"b": 2, "c": 2}, "user_properties": {"v": 2}}
            """);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var stored = (await server.GetAsync($"/v1/sessions/{SessionId}")).Body!["session"]!;
        foreach (var session in new[] { response.Body!, stored })
        {
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"a": 1, "b": 2, "c": 2}"""), session["metadata"]), session.ToJsonString());
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"u": 1, "v": 2}"""), session["user_properties"]));
            Assert.Equal("first", session["event_name"]!.GetValue<string>());
            Assert.Equal("prod", session["source"]!.GetValue<string>());
            Assert.Equal(1000, session["start_time"]!.GetValue<long>());
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"q": 1}"""), session["inputs"]));
        }

        Assert.Equal((1L, 0L), await server.StatsAsync());
    }

    [Fact]
    public async Task AddEvents_ValidBatch_StoresEventsWithPathSessionIdAndDefaults()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();
        await server.CreateSessionAsync(SessionId);
        const string Body = """
            {"events": [
              {"event_id": "7f22137a-6911-4ed3-bc36-110f1dde6b66", "event_type": "model", "inputs": {"chat_history": []},
               "session_id": "11111111-1111-4111-8111-111111111111", "start_time": 10},
              {"event_id": "7f22137a-6911-4ed3-bc36-110f1dde6b67", "parent_id": "7f22137a-6911-4ed3-bc36-110f1dde6b66",
               "event_type": "tool", "event_name": "search", "source": "prod", "inputs": {}, "error": null, "start_time": 20}
            ]}
            """;

        // Act
        var response = await server.PostAsync($"/v1/sessions/{SessionId}/events/batch", Body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"success": true}"""), response.Body));
        var events = (await server.GetAsync($"/v1/sessions/{SessionId}")).Body!["events"]!.AsArray();
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal(SessionId, e!["session_id"]!.GetValue<string>()));
        Assert.Equal(SessionId, events[0]!["parent_id"]!.GetValue<string>());
        Assert.Equal("unknown", events[0]!["event_name"]!.GetValue<string>());
        Assert.Equal("unknown", events[0]!["source"]!.GetValue<string>());
        Assert.Equal("7f22137a-6911-4ed3-bc36-110f1dde6b66", events[1]!["parent_id"]!.GetValue<string>());
        Assert.Equal("search", events[1]!["event_name"]!.GetValue<string>());
        Assert.Equal("tool", events[1]!["event_type"]!.GetValue<string>());
    }

    [Fact]
    public async Task AddEvents_EventWithoutId_GetsGeneratedUuid()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();
        await server.CreateSessionAsync(SessionId);

        // Act
        var response = await server.PostAsync($"/v1/sessions/{SessionId}/events/batch", """{"events": [{"event_type": "chain", "inputs": {}}]}""");

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var stored = (await server.GetAsync($"/v1/sessions/{SessionId}")).Body!["events"]![0]!;
        Assert.True(Guid.TryParseExact(stored["event_id"]!.GetValue<string>(), "D", out _));
    }

    [Theory]
    [InlineData("""{"events": [], "session_id": "caf77ace-3417-4da4-944d-f4a0688f3c23"}""", "'session_id'")]
    [InlineData("""{"events": [], "logs": []}""", "'logs'")]
    [InlineData("""{"logs": []}""", "'logs'")]
    [InlineData("""{}""", "'events'")]
    [InlineData("""{"events": {}}""", "'events'")]
    public async Task AddEvents_BodyNotExactlyEvents_Returns400(string body, string named)
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();
        await server.CreateSessionAsync(SessionId);

        // Act
        var response = await server.PostAsync($"/v1/sessions/{SessionId}/events/batch", body);

        // Assert
        response.AssertError(HttpStatusCode.BadRequest);
        Assert.Contains(named, response.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("caf77ace34174da4944df4a0688f3c23")]
    public async Task AddEvents_PathSessionIdNotUuid_Returns400(string sessionId)
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();

        // Act
        var response = await server.PostAsync($"/v1/sessions/{sessionId}/events/batch", """{"events": []}""");

        // Assert
        response.AssertError(HttpStatusCode.BadRequest);
        Assert.Contains("session_id", response.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddEvents_UnknownSession_Returns404SessionNotFound()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();

        // Act
        var response = await server.PostAsync($"/v1/sessions/{SessionId}/events/batch", """{"events": [{"event_type": "chain", "inputs": {}}]}""");

        // Assert
        var error = response.AssertError(HttpStatusCode.NotFound, "SESSION_NOT_FOUND");
        Assert.NotEqual("NOT_FOUND_OR_UNAUTHORIZED", error["errorCode"]!.GetValue<string>());
        Assert.Equal((0L, 0L), await server.StatsAsync());
    }

    [Fact]
    public async Task AddEvents_OneInvalidEvent_Returns400NamingIndexAndStoresNothing()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();
        await server.CreateSessionAsync(SessionId);
        const string Body = """
            {"events": [
              {"event_type": "chain", "inputs": {}},
              {"event_type": "chain", "inputs": {}},
              {"event_type": "model", "inputs": {}, "project": "my-project"}
            ]}
            """;

        // Act
        var response = await server.PostAsync($"/v1/sessions/{SessionId}/events/batch", Body);

        // Assert
        response.AssertError(HttpStatusCode.BadRequest, "BAD_REQUEST");
        Assert.Contains("index 2", response.Message, StringComparison.Ordinal);
        Assert.Contains("'project'", response.Message, StringComparison.Ordinal);
        Assert.Equal((1L, 0L), await server.StatsAsync());
    }

    [Fact]
    public async Task AddEvents_RepostedEventId_ReplacesStoredEvent()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();
        await server.CreateSessionAsync(SessionId);
        const string First = """{"events": [{"event_id": "7f22137a-6911-4ed3-bc36-110f1dde6b66", "event_type": "chain", "inputs": {"v": 1}}]}""";
        const string Second = """{"events": [{"event_id": "7f22137a-6911-4ed3-bc36-110f1dde6b66", "event_type": "chain", "inputs": {"v": 2}}]}""";
        await server.PostAsync($"/v1/sessions/{SessionId}/events/batch", First);

        // Act
        var response = await server.PostAsync($"/v1/sessions/{SessionId}/events/batch", Second);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal((1L, 1L), await server.StatsAsync());
        var stored = await server.GetAsync("/v1/events/7f22137a-6911-4ed3-bc36-110f1dde6b66");
        Assert.Equal(2, stored.Body!["event"]!["inputs"]!["v"]!.GetValue<int>());
    }

    [Fact]
    public async Task AddEvents_TwentyConcurrentBatchesOfFifty_AllStored()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();
        var sessions = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => server.CreateSessionAsync()));
        var batches = Enumerable.Range(0, 20).Select(b =>
        {
            var events = new JsonArray();
            for (var i = 0; i < 50; i++)
            {
                events.Add(new JsonObject { ["event_type"] = "tool", ["inputs"] = new JsonObject { ["i"] = i }, ["start_time"] = i });
            }

            return (Session: sessions[b % sessions.Length], Body: new JsonObject { ["events"] = events }.ToJsonString());
        }).ToList();

        // Act
        var responses = await Task.WhenAll(batches.Select(b => server.PostAsync($"/v1/sessions/{b.Session}/events/batch", b.Body)));

        // Assert
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Equal((4L, 1000L), await server.StatsAsync());
        var perSession = await server.GetAsync($"/v1/sessions/{sessions[0]}");
        Assert.Equal(250, perSession.Body!["events"]!.AsArray().Count);
    }

    [Fact]
    public async Task Get_Session_ReturnsSessionAndEventsOrderedByStartTimeThenInsertion()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();
        await server.CreateSessionAsync(SessionId);
        const string Body = """
            {"events": [
              {"event_name": "c", "event_type": "chain", "inputs": {}, "start_time": 30},
              {"event_name": "a1", "event_type": "chain", "inputs": {}, "start_time": 10},
              {"event_name": "none", "event_type": "chain", "inputs": {}},
              {"event_name": "a2", "event_type": "chain", "inputs": {}, "start_time": 10},
              {"event_name": "b", "event_type": "chain", "inputs": {}, "start_time": 20}
            ]}
            """;
        await server.PostAsync($"/v1/sessions/{SessionId}/events/batch", Body);

        // Act
        var response = await server.GetAsync($"/v1/sessions/{SessionId}");

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(SessionId, response.Body!["session"]!["session_id"]!.GetValue<string>());
        Assert.Equal(
            new[] { "a1", "a2", "b", "c", "none" },
            response.Body!["events"]!.AsArray().Select(e => e!["event_name"]!.GetValue<string>()).ToArray());
    }

    [Fact]
    public async Task Get_UnknownSession_Returns404SessionNotFound()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();

        // Act
        var response = await server.GetAsync($"/v1/sessions/{SessionId}");

        // Assert
        response.AssertError(HttpStatusCode.NotFound, "SESSION_NOT_FOUND");
    }
}
