// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.CommandLine;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Receiver.Commands;

namespace HoneyHive.OtelBridge.Receiver.Tests.Commands;

/// <summary>The commands in process, with a recording sender: what is built, printed and refused.</summary>
public sealed class SessionsCommandTests
{
    private readonly List<(ApiCall Call, string? ApiUrl)> sent = [];

    [Fact]
    public async Task Create_EveryFlag_SendsTheSessionObject()
    {
        // Act
        var (exit, stdout, stderr) = await this.RunAsync(
            "sessions", "create",
            "--session-id", "caf77ace-3417-4da4-944d-f4a0688f3c23",
            "--session-name", "n", "--event-name", "e", "--source", "cli",
            "--start-time", "1714492800123", "--end-time", "1714492800900", "--duration", "777",
            "--config", "{\"c\":1}", "--inputs", "{\"i\":1}", "--outputs", "{\"o\":1}",
            "--metadata", "{\"m\":1}", "--user-properties", "{\"u\":1}", "--children-ids", "[\"x\"]",
            "--api-url", "http://127.0.0.1:9");

        // Assert
        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, stderr);
        var (call, apiUrl) = Assert.Single(this.sent);
        Assert.Equal("POST /v1/sessions", call.Method + " " + call.Path);
        Assert.Equal("http://127.0.0.1:9", apiUrl);
        var body = JsonNode.Parse(call.GetBodyUtf8())!.AsObject();
        Assert.Equal(ApiSchemas.Session.Fields.Select(f => f.Name).Order(), body.Select(p => p.Key).Order());
        Assert.Equal(1714492800123, (long)body["start_time"]!);
        Assert.Equal("ok", (string?)JsonNode.Parse(stdout)!["answer"]);
    }

    [Fact]
    public async Task CreateEventBatch_Flags_PutsSessionIdInThePathAndEventsInTheBody()
    {
        // Act
        var (exit, _, stderr) = await this.RunAsync(
            "sessions", "create-event-batch", "--session-id", "s-1",
            "--events", """[{"event_type":"tool","inputs":{"q":"x"},"event_name":"search"}]""");

        // Assert
        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, stderr);
        var call = Assert.Single(this.sent).Call;
        Assert.Equal("/v1/sessions/s-1/events/batch", call.Path);
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse("""{"events":[{"event_type":"tool","inputs":{"q":"x"},"event_name":"search"}]}"""), JsonNode.Parse(call.GetBodyUtf8())),
            System.Text.Encoding.UTF8.GetString(call.GetBodyUtf8()));
    }

    [Theory]
    [InlineData("create")]
    [InlineData("create-event-batch")]
    public async Task ShowFileSchema_Alone_PrintsTheRequestSchemaAndSendsNothing(string command)
    {
        // Act
        var (exit, stdout, _) = await this.RunAsync("sessions", command, "--show-file-schema");

        // Assert
        Assert.Equal(0, exit);
        Assert.Empty(this.sent);
        var expected = ApiSchemas.ToJsonSchema(command == "create" ? ApiSchemas.Session : ApiSchemas.SessionEventBatch);
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(stdout)));
    }

    [Theory]
    [InlineData("create", "children-ids", "array")]
    [InlineData("create", "start-time", "integer")]
    [InlineData("create-event-batch", "events", "array")]
    [InlineData("create-event-batch", "session-id", "string")]
    public async Task ShowArgumentSchema_KebabName_PrintsThatArgumentsSchema(string command, string flag, string type)
    {
        // Act
        var (exit, stdout, _) = await this.RunAsync("sessions", command, "--show-argument-schema", flag);

        // Assert
        Assert.Equal(0, exit);
        Assert.Empty(this.sent);
        var schema = JsonNode.Parse(stdout)!;
        Assert.Equal(ApiSchemas.Draft202012, (string?)schema["$schema"]);
        Assert.Equal(type, (string?)schema["type"]);
    }

    [Theory]
    [InlineData("create", "--show-file-schema", "--session-id", "x")]
    [InlineData("create", "--show-file-schema", "--filename", "f.json")]
    [InlineData("create", "--show-argument-schema", "inputs", "--inputs", "{}")]
    [InlineData("create-event-batch", "--show-file-schema", "--show-argument-schema", "events")]
    [InlineData("create-event-batch", "--show-argument-schema", "events", "--api-url", "http://127.0.0.1:9")]
    public async Task ShowSchema_WithAnotherFlag_IsAUsageError(string command, params string[] flags)
    {
        // Act
        var (exit, stdout, stderr) = await this.RunAsync(["sessions", command, .. flags]);

        // Assert
        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("cannot be combined with any other flag", stderr, StringComparison.Ordinal);
        Assert.Empty(this.sent);
    }

    [Theory]
    [InlineData("--show-argument-schema", "session_name", "unknown argument 'session_name'")]
    [InlineData("--bogus", "1", "Unknown argument(s): --bogus 1")]
    [InlineData("--session-name", null, "--session-name needs a value")]
    [InlineData("--inputs", "{\"a\":", "--inputs holds invalid JSON")]
    [InlineData("--start-time", "yesterday", "--start-time takes a whole number of Unix milliseconds")]
    public async Task Create_BadUsage_ExitsTwoWithAClearError(string flag, string? value, string expected)
    {
        // Act
        var (exit, stdout, stderr) = await this.RunAsync(value is null ? ["sessions", "create", flag] : ["sessions", "create", flag, value]);

        // Assert
        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_ApiError_ExitsOneWithTheApisMessage()
    {
        // Arrange
        ApiRequestCommand.ApiCallSender failing = (call, _, _) => throw new HoneyHiveApiException(
            HoneyHiveApiErrorReason.BadRequest, "HoneyHive API POST /v1/sessions failed: 400 Bad Request: invalid session data.", 400, apiMessage: "invalid session data");

        // Act
        var (exit, stdout, stderr) = await RunAsync(SessionsCommand.Create(failing), "sessions", "create", "--session-name", "x");

        // Assert
        Assert.Equal(1, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("400 Bad Request: invalid session data", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(Command sessions, params string[] args)
    {
        var root = new RootCommand { sessions };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    private Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args) =>
        RunAsync(
            SessionsCommand.Create((call, apiUrl, _) =>
            {
                this.sent.Add((call, apiUrl));
                return Task.FromResult<JsonNode?>(new JsonObject { ["answer"] = "ok" });
            }),
            args);
}
