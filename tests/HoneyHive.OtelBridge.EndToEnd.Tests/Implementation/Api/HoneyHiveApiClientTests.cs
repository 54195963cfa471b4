// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.LocalApi;

namespace HoneyHive.OtelBridge.EndToEnd.Tests.Implementation.Api;

/// <summary>The typed client against the real local API over HTTP: every request it makes is one the contract accepts.</summary>
public sealed class HoneyHiveApiClientTests : IAsyncLifetime
{
    private const string Key = "client-contract-key";
    private LocalHoneyHiveApi api = null!;
    private HttpClient httpClient = null!;
    private HoneyHiveApiClient client = null!;

    public async Task InitializeAsync()
    {
        this.api = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = Key });
        this.httpClient = HoneyHiveApiClient.CreateDefaultHttpClient();
        this.client = new HoneyHiveApiClient(this.httpClient, new HoneyHiveConnectionSettings { ApiKey = Key, BaseUrl = this.api.BaseAddress });
    }

    public async Task DisposeAsync()
    {
        this.httpClient.Dispose();
        await this.api.DisposeAsync();
    }

    [Fact]
    public async Task StartSessionAsync_EverySessionField_AcceptedAndReadBack()
    {
        // Arrange
        var sessionId = Guid.NewGuid().ToString();
        var request = new SessionStartRequest
        {
            SessionId = sessionId,
            SessionName = "contract-run",
            EventName = "contract-event",
            Source = "test",
            StartTime = 1_714_492_800_123,
            EndTime = 1_714_492_801_123,
            Duration = 1000.5,
            Config = new JsonObject { ["model"] = "gpt-4o" },
            Inputs = new JsonObject { ["query"] = "hello" },
            Outputs = new JsonObject { ["answer"] = "hi" },
            Metadata = new JsonObject { ["app_version"] = "1.2.3" },
            UserProperties = new JsonObject { ["user_id"] = "u-1" },
            ChildrenIds = [],
        };

        // Act
        var answer = await this.client.StartSessionAsync(request, CancellationToken.None);
        var stored = await this.GetAsync($"/v1/sessions/{sessionId}");

        // Assert
        Assert.Equal(sessionId, (string?)answer["session_id"]);
        var session = stored["session"]!;
        Assert.Equal("contract-event", (string?)session["event_name"]);
        Assert.Equal("test", (string?)session["source"]);
        Assert.Equal(1_714_492_800_123, session["start_time"]!.GetValue<long>());
        Assert.Equal(1_714_492_801_123, session["end_time"]!.GetValue<long>());
        Assert.Equal("1.2.3", (string?)session["metadata"]!["app_version"]);
        Assert.Equal("u-1", (string?)session["user_properties"]!["user_id"]);
        Assert.Equal("hello", (string?)session["inputs"]!["query"]);
    }

    [Fact]
    public async Task CreateSessionEventBatchAsync_EveryEventField_AcceptedAndReadBack()
    {
        // Arrange
        var sessionId = Guid.NewGuid().ToString();
        await this.client.StartSessionAsync(new SessionStartRequest { SessionId = sessionId }, CancellationToken.None);
        var eventId = Guid.NewGuid().ToString();
        var request = new SessionEventBatchRequest
        {
            Events =
            [
                new EventRequest
                {
                    EventId = eventId,
                    SessionId = sessionId,
                    ParentId = sessionId,
                    ChildrenIds = [],
                    EventType = EventTypes.Model,
                    EventName = "chat",
                    Source = "test",
                    Config = new JsonObject { ["model"] = "gpt-4o" },
                    Inputs = new JsonObject { ["chat_history"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }) },
                    Outputs = new JsonObject { ["role"] = "assistant", ["content"] = "hello" },
                    Error = "none",
                    StartTime = 1_714_492_800_200,
                    EndTime = 1_714_492_800_900,
                    Duration = 700,
                    Metadata = new JsonObject { ["prompt_tokens"] = 5 },
                    Metrics = new JsonObject { ["score"] = 1 },
                    Feedback = new JsonObject { ["ground_truth"] = "hello" },
                    UserProperties = new JsonObject { ["user_id"] = "u-1" },
                    ProjectId = "p-1",
                },
            ],
        };

        // Act
        await this.client.CreateSessionEventBatchAsync(sessionId, request, CancellationToken.None);
        var stored = await this.GetAsync($"/v1/events/{eventId}");

        // Assert
        var stored0 = stored["event"]!;
        Assert.Equal(sessionId, (string?)stored0["session_id"]);
        Assert.Equal("model", (string?)stored0["event_type"]);
        Assert.Equal(700, stored0["duration"]!.GetValue<double>());
        Assert.Equal("hello", (string?)stored0["outputs"]!["content"]);
    }

    [Fact]
    public async Task CreateEventBatchAsync_SingleSession_CreatesSessionAndReturnsIds()
    {
        // Arrange
        var request = new EventBatchRequest
        {
            Events = [new EventRequest { EventType = EventTypes.Tool, EventName = "search", Inputs = new JsonObject { ["q"] = "x" } }],
            SingleSession = true,
            SessionProperties = new SessionStartRequest { SessionName = "batch-session", StartTime = 1_714_492_800_123 },
        };

        // Act
        var answer = await this.client.CreateEventBatchAsync(request, CancellationToken.None);

        // Assert
        Assert.True(answer.Success);
        Assert.Single(answer.EventIds);
        Assert.NotNull(answer.SessionId);
        var stored = await this.GetAsync($"/v1/sessions/{answer.SessionId}");
        Assert.Equal(answer.EventIds[0], (string?)stored["events"]![0]!["event_id"]);
    }

    [Fact]
    public async Task UpdateEventAsync_StoredEvent_FieldsUpdated()
    {
        // Arrange
        var sessionId = Guid.NewGuid().ToString();
        var eventId = Guid.NewGuid().ToString();
        await this.client.StartSessionAsync(new SessionStartRequest { SessionId = sessionId }, CancellationToken.None);
        await this.client.CreateSessionEventBatchAsync(
            sessionId,
            new SessionEventBatchRequest { Events = [new EventRequest { EventId = eventId, EventType = EventTypes.Chain }] },
            CancellationToken.None);

        // Act
        await this.client.UpdateEventAsync(
            eventId,
            new EventUpdateRequest { Outputs = new JsonObject { ["result"] = "done" }, Duration = 42.5, Metadata = new JsonObject { ["late"] = true } },
            CancellationToken.None);

        // Assert
        var stored = (await this.GetAsync($"/v1/events/{eventId}"))["event"]!;
        Assert.Equal("done", (string?)stored["outputs"]!["result"]);
        Assert.Equal(42.5, stored["duration"]!.GetValue<double>());
        Assert.True(stored["metadata"]!["late"]!.GetValue<bool>());
    }

    [Fact]
    public async Task SendAsync_WrongKey_KeyRejectedNotRetryableAndKeyNotInMessage()
    {
        // Arrange
        const string wrongKey = "hh_wrong_key_never_printed";
        var wrong = new HoneyHiveApiClient(this.httpClient, new HoneyHiveConnectionSettings { ApiKey = wrongKey, BaseUrl = this.api.BaseAddress });

        // Act
        var ex = await Assert.ThrowsAsync<HoneyHiveApiException>(
            () => wrong.StartSessionAsync(new SessionStartRequest { SessionName = "x" }, CancellationToken.None));

        // Assert
        Assert.Equal(404, ex.StatusCode);
        Assert.Equal(HoneyHiveApiErrorReason.KeyRejected, ex.Reason);
        Assert.False(ex.IsRetryable);
        Assert.DoesNotContain(wrongKey, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Key, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateSessionEventBatchAsync_UnknownSession_NotFoundNotKeyRejected()
    {
        // Arrange
        var missing = Guid.NewGuid().ToString();

        // Act
        var ex = await Assert.ThrowsAsync<HoneyHiveApiException>(() => this.client.CreateSessionEventBatchAsync(
            missing,
            new SessionEventBatchRequest { Events = [new EventRequest()] },
            CancellationToken.None));

        // Assert
        Assert.Equal(404, ex.StatusCode);
        Assert.Equal("SESSION_NOT_FOUND", ex.ErrorCode);
        Assert.Equal(HoneyHiveApiErrorReason.NotFound, ex.Reason);
        Assert.False(ex.IsRetryable);
    }

    private async Task<JsonNode> GetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(this.api.BaseAddress, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        using var response = await this.httpClient.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!;
    }
}
