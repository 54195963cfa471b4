// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.LocalApi;
using HoneyHive.OtelBridge.Tests.Implementation.Api;

namespace HoneyHive.OtelBridge.Receiver.Tests.Commands;

/// <summary>
/// The real <c>honeyhive-bridge</c> executable against the local API on 127.0.0.1:0. The key is set on the
/// child process only, and every run checks that it appears in neither stdout nor stderr.
/// </summary>
public sealed class SessionsCommandExecutableTests : IAsyncLifetime, IDisposable
{
    private const string Key = "hh_ingst_SECRETtestKEY_0123456789abcdef";

    private readonly string directory = Directory.CreateTempSubdirectory("hh-cli-tests-").FullName;
    private LocalHoneyHiveApi api = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        this.api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ListenAddress = "127.0.0.1", ApiKey = Key });
        this.http = new HttpClient { BaseAddress = this.api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        this.http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Key);
    }

    public async Task DisposeAsync() => await this.api.DisposeAsync();

    public void Dispose()
    {
        this.http?.Dispose();
        Directory.Delete(this.directory, recursive: true);
    }

    [Fact]
    public async Task Create_EveryFlag_IsStoredAndReadBack()
    {
        // Arrange
        var sessionId = Guid.NewGuid().ToString();
        var childId = Guid.NewGuid().ToString();

        // Act
        var (exit, stdout, stderr) = await this.RunAsync(
            "sessions", "create",
            "--children-ids", $"[\"{childId}\"]",
            "--config", """{"model":"gpt-4o","temperature":0.2}""",
            "--duration", "777.5",
            "--end-time", "1714492800900",
            "--event-name", "agent-run-event",
            "--inputs", """{"query":"hello"}""",
            "--metadata", """{"app_version":"1.2.3"}""",
            "--outputs", """{"answer":"hi"}""",
            "--session-id", sessionId,
            "--session-name", "agent-run",
            "--source", "cli-test",
            "--start-time", "1714492800123",
            "--user-properties", """{"user_id":"u-1"}""");

        // Assert
        Assert.True(exit == 0, stderr);
        Assert.Equal(sessionId, (string?)JsonNode.Parse(stdout)!["session_id"]);
        var session = (await this.GetSessionAsync(sessionId))["session"]!;
        var expected = JsonNode.Parse($$"""
            {"children_ids":["{{childId}}"],"config":{"model":"gpt-4o","temperature":0.2},"duration":777.5,
             "end_time":1714492800900,"event_name":"agent-run-event","inputs":{"query":"hello"},
             "metadata":{"app_version":"1.2.3"},"outputs":{"answer":"hi"},"session_id":"{{sessionId}}",
             "source":"cli-test","start_time":1714492800123,"user_properties":{"user_id":"u-1"},"event_type":"session"}
            """)!.AsObject();
        foreach (var (name, value) in expected)
        {
            Assert.True(JsonNode.DeepEquals(value, session[name]), name + ": " + session[name]?.ToJsonString());
        }
    }

    [Fact]
    public async Task CreateEventBatch_FromFlags_AddsTheEventsToTheSession()
    {
        // Arrange
        var sessionId = Guid.NewGuid().ToString();
        var created = await this.RunAsync("sessions", "create", "--session-id", sessionId, "--session-name", "named-by-session-name");
        Assert.True(created.Exit == 0, created.Stderr);

        // Act
        var (exit, stdout, stderr) = await this.RunAsync(
            "sessions", "create-event-batch", "--session-id", sessionId,
            "--events", """[{"event_type":"model","event_name":"openai.chat","inputs":{"chat_history":[]}},{"event_type":"tool","event_name":"search","inputs":{"q":"x"}}]""");

        // Assert
        Assert.True(exit == 0, stderr);
        Assert.True((bool)JsonNode.Parse(stdout)!["success"]!);
        var read = await this.GetSessionAsync(sessionId);
        Assert.Equal("named-by-session-name", (string?)read["session"]!["event_name"]);
        Assert.Equal(["openai.chat", "search"], read["events"]!.AsArray().Select(e => (string?)e!["event_name"]).Order());
    }

    [Fact]
    public async Task CreateEventBatch_FromFilename_AddsTheEventsAndAFlagWins()
    {
        // Arrange
        var sessionId = Guid.NewGuid().ToString();
        Assert.Equal(0, (await this.RunAsync("sessions", "create", "--session-id", sessionId)).Exit);
        var file = this.WriteFile("batch.json", $$$"""
            // the flattened request object: path parameter and body
            {"session_id": "{{{Guid.NewGuid()}}}", "events": [{"event_type": "chain", "event_name": "from-file", "inputs": {}}]}
            """);

        // Act
        var (exit, _, stderr) = await this.RunAsync("sessions", "create-event-batch", "--filename", file, "--session-id", sessionId);

        // Assert
        Assert.True(exit == 0, stderr);
        var events = (await this.GetSessionAsync(sessionId))["events"]!.AsArray();
        Assert.Equal("from-file", (string?)Assert.Single(events)!["event_name"]);
    }

    [Theory]
    [InlineData("--show-file-schema")]
    [InlineData("--show-argument-schema", "events")]
    public async Task ShowSchema_PrintsPureJsonAndCallsNoApi(params string[] flags)
    {
        // Act
        var (exit, stdout, stderr) = await this.RunAsync(["sessions", "create-event-batch", .. flags]);

        // Assert
        Assert.True(exit == 0, stderr);
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", (string?)JsonNode.Parse(stdout)!["$schema"]);
        Assert.Equal((0L, 0L), await this.StatsAsync());
    }

    [Theory]
    [InlineData("missing required flag", "--events is required.", "sessions", "create-event-batch", "--session-id", "caf77ace-3417-4da4-944d-f4a0688f3c23")]
    [InlineData("invalid JSON in a flag", "--metadata holds invalid JSON", "sessions", "create", "--metadata", "{app_version: 1}")]
    [InlineData("object flag given an array", "--inputs: must be a JSON object, not an array", "sessions", "create", "--inputs", "[1]")]
    [InlineData("number flag given text", "--duration takes a number", "sessions", "create", "--duration", "long")]
    [InlineData("schema combined with a flag", "--show-file-schema cannot be combined with any other flag of this command (got --session-name)", "sessions", "create", "--show-file-schema", "--session-name", "x")]
    public async Task BadUsage_ClearErrorAndExitTwoAndNothingSent(string scenario, string expected, params string[] args)
    {
        // Act
        var (exit, stdout, stderr) = await this.RunAsync(args);

        // Assert
        Assert.True(exit == 2, scenario + ": exit " + exit + ", " + stderr);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Equal((0L, 0L), await this.StatsAsync());
    }

    [Fact]
    public async Task Create_UnknownFieldInFile_IsRefusedNamingItBeforeAnyCall()
    {
        // Arrange
        var file = this.WriteFile("session.json", """{"session_name": "x", "project": "my-project"}""");

        // Act
        var (exit, stdout, stderr) = await this.RunAsync("sessions", "create", "--filename", file);

        // Assert
        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("unknown field \"project\"", stderr, StringComparison.Ordinal);
        Assert.Equal((0L, 0L), await this.StatsAsync());
    }

    [Fact]
    public async Task Create_NoKey_ExitsTwoNamingTheVariables()
    {
        // Act
        var (exit, stdout, stderr) = await BridgeProcess.RunAsync(
            new Dictionary<string, string> { ["HH_DATA_PLANE_URL"] = this.api.BaseAddress.ToString() }, "sessions", "create");

        // Assert
        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("HH_INGESTION_API_KEY, HH_PROJECT_API_KEY, HH_API_KEY", stderr, StringComparison.Ordinal);
        Assert.Equal((0L, 0L), await this.StatsAsync());
    }

    [Fact]
    public async Task CreateEventBatch_ApiRefuses_ExitsOneWithStatusAndMessageAndNoKey()
    {
        // Arrange: the CLI's checks pass, the API refuses (a session id that is not a UUID on a uuid path).
        var args = new[] { "sessions", "create-event-batch", "--session-id", "not-a-uuid", "--events", """[{"event_type":"tool","inputs":{}}]""" };

        // Act
        var (exit, stdout, stderr) = await this.RunAsync(args);

        // Assert
        Assert.Equal(1, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("POST /v1/sessions/not-a-uuid/events/batch failed: 4", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_WrongKey_ExitsOneAndNeverPrintsTheKey()
    {
        // Arrange
        const string WrongKey = "hh_WRONGkeyVALUE_9876543210";

        // Act
        var (exit, stdout, stderr) = await BridgeProcess.RunAsync(
            new Dictionary<string, string> { ["HH_API_KEY"] = WrongKey, ["HH_API_URL"] = this.api.BaseAddress.ToString() },
            "sessions", "create", "--session-name", "x");

        // Assert
        Assert.Equal(1, exit);
        Assert.Contains("POST /v1/sessions failed: 40", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongKey, stdout + stderr, StringComparison.Ordinal);
        Assert.Equal((0L, 0L), await this.StatsAsync());
    }

    [Theory]
    [InlineData("create")]
    [InlineData("create-event-batch")]
    public async Task SchemaExample_IsAcceptedByTheLocalApi(string command)
    {
        // Arrange: the example is built from the schema the executable prints.
        var schema = await this.RunAsync("sessions", command, "--show-file-schema");
        var example = JsonSchemaExamples.Build(JsonNode.Parse(schema.Stdout)!.AsObject()).AsObject();
        if (command == "create-event-batch")
        {
            Assert.Equal(0, (await this.RunAsync("sessions", "create", "--session-id", (string)example["session_id"]!)).Exit);
        }

        var file = this.WriteFile("example.json", example.ToJsonString());

        // Act
        var (exit, _, stderr) = await this.RunAsync("sessions", command, "--filename", file);

        // Assert
        Assert.True(exit == 0, example.ToJsonString() + Environment.NewLine + stderr);
        Assert.Equal(command == "create" ? (1L, 0L) : (1L, 1L), await this.StatsAsync());
    }

    [Theory]
    [InlineData("create", false)]
    [InlineData("create-event-batch", false)]
    [InlineData("create-event-batch", true)]
    public async Task SchemaExample_WithAnUnlistedProperty_IsRefusedByTheCommandAndTheLocalApi(string command, bool inEvent)
    {
        // Arrange
        var schema = await this.RunAsync("sessions", command, "--show-file-schema");
        var example = JsonSchemaExamples.Build(JsonNode.Parse(schema.Stdout)!.AsObject()).AsObject();
        var sessionId = (string)example["session_id"]!;
        if (command == "create-event-batch")
        {
            Assert.Equal(0, (await this.RunAsync("sessions", "create", "--session-id", sessionId)).Exit);
        }

        var target = inEvent ? example["events"]![0]!.AsObject() : example;
        target["not_in_schema"] = "x";
        var file = this.WriteFile("example.json", example.ToJsonString());
        var before = await this.StatsAsync();

        // Act
        var (exit, _, stderr) = await this.RunAsync("sessions", command, "--filename", file);
        using var direct = command == "create"
            ? await this.PostAsync("/v1/sessions", example.ToJsonString())
            : await this.PostAsync("/v1/sessions/" + sessionId + "/events/batch", WithoutSessionId(example).ToJsonString());

        // Assert
        Assert.Equal(2, exit);
        Assert.Matches(inEvent ? @"events\[0\]\.not_in_schema: unknown field" : "unknown field \"not_in_schema\"", stderr);
        Assert.Equal(HttpStatusCode.BadRequest, direct.StatusCode);
        Assert.Equal(before, await this.StatsAsync());
    }

    /// <summary>The body of the batch route: the file object without its path parameter.</summary>
    private static JsonObject WithoutSessionId(JsonObject request)
    {
        var body = request.DeepClone().AsObject();
        body.Remove("session_id");
        return body;
    }

    private async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var result = await BridgeProcess.RunAsync(
            new Dictionary<string, string> { ["HH_INGESTION_API_KEY"] = Key, ["HH_DATA_PLANE_URL"] = this.api.BaseAddress.ToString() },
            args);

        // Invariant 6: the key never appears in what the command prints.
        Assert.DoesNotContain(Key, result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, result.Stderr, StringComparison.Ordinal);
        return result;
    }

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(this.directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private async Task<JsonObject> GetSessionAsync(string sessionId)
    {
        using var response = await this.http.GetAsync("/v1/sessions/" + sessionId);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        return await this.http.PostAsync(path, content);
    }

    private async Task<(long Sessions, long Events)> StatsAsync()
    {
        var stats = JsonNode.Parse(await this.http.GetStringAsync("/_local/stats"))!;
        return ((long)stats["sessions"]!, (long)stats["events"]!);
    }
}
