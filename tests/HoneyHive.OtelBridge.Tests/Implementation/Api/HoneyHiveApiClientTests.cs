// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Tests.Shared;
using OpenTelemetry;

namespace HoneyHive.OtelBridge.Tests.Implementation.Api;

public sealed class HoneyHiveApiClientTests : IAsyncLifetime
{
    private const string ApiKey = "hh_ingst_SECRETSECRETSECRETSECRET12_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUV-_";
    private const string SessionId = "caf77ace-3417-4da4-944d-f4a0688f3c23";
    private const string EventId = "7f22137a-6911-4ed3-bc36-110f1dde6b66";

    private FakeHoneyHiveApi server = null!;
    private HttpClient httpClient = null!;

    public async Task InitializeAsync()
    {
        this.server = await FakeHoneyHiveApi.StartAsync();
        this.httpClient = HoneyHiveApiClient.CreateDefaultHttpClient();
    }

    public async Task DisposeAsync()
    {
        this.httpClient.Dispose();
        await this.server.DisposeAsync();
    }

    [Fact]
    public async Task StartSessionAsync_Request_SendsExactBytesMethodPathAndHeaders()
    {
        // Arrange
        this.server.Respond = _ => Task.FromResult(FakeResponse.Ok("{\"event_id\":\"e1\",\"session_id\":\"" + SessionId + "\"}"));
        var request = new SessionStartRequest
        {
            SessionId = SessionId,
            SessionName = "my-agent-run",
            Source = "prod",
            StartTime = 1714492800123,
            Inputs = new JsonObject { ["query"] = "hello" },
            Metadata = new JsonObject { ["app_version"] = "1.2.3" },
        };

        // Act
        var answer = await this.CreateClient().StartSessionAsync(request, CancellationToken.None);

        // Assert
        this.AssertSingleRequest(
            "POST",
            "/v1/sessions",
            "{\"session_id\":\"caf77ace-3417-4da4-944d-f4a0688f3c23\",\"session_name\":\"my-agent-run\",\"source\":\"prod\",\"start_time\":1714492800123,\"inputs\":{\"query\":\"hello\"},\"metadata\":{\"app_version\":\"1.2.3\"}}");
        Assert.Equal("e1", (string?)answer["event_id"]);
    }

    [Fact]
    public async Task CreateSessionEventBatchAsync_Request_SendsExactBytesMethodPathAndHeaders()
    {
        // Arrange
        var request = new SessionEventBatchRequest
        {
            Events =
            [
                new EventRequest
                {
                    EventId = EventId,
                    ParentId = SessionId,
                    EventType = EventTypes.Model,
                    EventName = "openai.chat",
                    Config = new JsonObject { ["model"] = "gpt-4o", ["temperature"] = 0.2 },
                    Inputs = new JsonObject { ["chat_history"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }) },
                    StartTime = 1714492800200,
                    EndTime = 1714492800900,
                    Duration = 700,
                },
            ],
        };

        // Act
        await this.CreateClient().CreateSessionEventBatchAsync(SessionId, request, CancellationToken.None);

        // Assert
        this.AssertSingleRequest(
            "POST",
            "/v1/sessions/" + SessionId + "/events/batch",
            "{\"events\":[{\"event_type\":\"model\",\"inputs\":{\"chat_history\":[{\"role\":\"user\",\"content\":\"hi\"}]},\"event_id\":\"7f22137a-6911-4ed3-bc36-110f1dde6b66\",\"parent_id\":\"caf77ace-3417-4da4-944d-f4a0688f3c23\",\"event_name\":\"openai.chat\",\"config\":{\"model\":\"gpt-4o\",\"temperature\":0.2},\"start_time\":1714492800200,\"end_time\":1714492800900,\"duration\":700}]}");
    }

    [Fact]
    public async Task CreateEventBatchAsync_Request_SendsExactBytesAndParsesAnswer()
    {
        // Arrange
        this.server.Respond = _ => Task.FromResult(FakeResponse.Ok("{\"event_ids\":[\"" + EventId + "\"],\"session_id\":\"" + SessionId + "\",\"success\":true}"));
        var request = new EventBatchRequest
        {
            Events = [new EventRequest { EventType = EventTypes.Tool, EventName = "search", SessionId = SessionId, Inputs = new JsonObject { ["q"] = "x" } }],
            SingleSession = false,
            SessionProperties = new SessionStartRequest { SessionName = "s", StartTime = 1714492800123 },
        };

        // Act
        var answer = await this.CreateClient().CreateEventBatchAsync(request, CancellationToken.None);

        // Assert
        this.AssertSingleRequest(
            "POST",
            "/v1/events/batch",
            "{\"events\":[{\"event_type\":\"tool\",\"inputs\":{\"q\":\"x\"},\"session_id\":\"caf77ace-3417-4da4-944d-f4a0688f3c23\",\"event_name\":\"search\"}],\"single_session\":false,\"session_properties\":{\"session_name\":\"s\",\"start_time\":1714492800123}}");
        Assert.Equal([EventId], answer.EventIds);
        Assert.Equal(SessionId, answer.SessionId);
        Assert.True(answer.Success);
    }

    [Fact]
    public async Task UpdateEventAsync_Request_SendsExactBytesMethodPathAndHeaders()
    {
        // Arrange
        this.server.Respond = _ => Task.FromResult(new FakeResponse(200));
        var request = new EventUpdateRequest
        {
            Outputs = new JsonObject { ["content"] = "hello" },
            Metrics = new JsonObject { ["score"] = 1 },
            Duration = 812.5,
        };

        // Act
        await this.CreateClient().UpdateEventAsync(EventId, request, CancellationToken.None);

        // Assert
        this.AssertSingleRequest(
            "PUT",
            "/v1/events/" + EventId,
            "{\"outputs\":{\"content\":\"hello\"},\"metrics\":{\"score\":1},\"duration\":812.5}");
    }

    [Fact]
    public async Task SendAsync_BaseUrlWithPath_AppendsRoutePath()
    {
        // Arrange
        var settings = this.CreateSettings();
        settings.BaseUrl = new Uri(this.server.BaseUrl, "/tenant/");
        var client = new HoneyHiveApiClient(this.httpClient, settings);

        // Act
        await client.SendAsync(new StartSessionCall(new SessionStartRequest()), CancellationToken.None);

        // Assert
        Assert.Equal("/tenant/v1/sessions", Assert.Single(this.server.Requests).Path);
    }

    [Fact]
    public async Task SendAsync_Always_RunsInsideSuppressInstrumentationScope()
    {
        // Arrange
        var probe = new SuppressionProbe { InnerHandler = new SocketsHttpHandler() };
        using var probingClient = new HttpClient(probe);
        var client = new HoneyHiveApiClient(probingClient, this.CreateSettings());

        // Act
        await client.SendAsync(new StartSessionCall(new SessionStartRequest()), CancellationToken.None);

        // Assert
        Assert.True(probe.WasSuppressed);
        Assert.False(Sdk.SuppressInstrumentation);
    }

    [Theory]
    [InlineData(400, "/v1/sessions", "BadRequest", false)]
    [InlineData(401, "/v1/sessions", "KeyRejected", false)]
    [InlineData(403, "/v1/sessions", "KeyRejected", false)]
    [InlineData(404, "/v1/sessions", "KeyRejected", false)]
    [InlineData(408, "/v1/sessions", "Timeout", true)]
    [InlineData(413, "/v1/sessions/x/events/batch", "PayloadTooLarge", false)]
    [InlineData(422, "/v1/sessions", "ClientError", false)]
    [InlineData(429, "/v1/sessions", "RateLimited", true)]
    [InlineData(500, "/v1/sessions/x/events/batch", "PartiallyAdded", true)]
    [InlineData(500, "/v1/events/batch", "PartiallyAdded", true)]
    [InlineData(500, "/v1/sessions", "ServerError", false)]
    [InlineData(501, "/v1/sessions", "ServerError", false)]
    [InlineData(502, "/v1/sessions", "Unavailable", true)]
    [InlineData(503, "/v1/sessions", "Unavailable", true)]
    [InlineData(504, "/v1/sessions", "Unavailable", true)]
    public void ReasonFor_StatusAndRoute_MapsToReasonAndRetryability(int status, string path, string expected, bool retryable)
    {
        // Act
        var reason = HoneyHiveApiClient.ReasonFor(status, path);

        // Assert
        Assert.Equal(expected, reason.ToString());
        Assert.Equal(retryable, HoneyHiveApiException.IsRetryableReason(reason));
    }

    [Theory]
    [InlineData("SESSION_NOT_FOUND", "NotFound")]
    [InlineData("EVENT_NOT_FOUND", "NotFound")]
    [InlineData("NOT_FOUND_OR_UNAUTHORIZED", "KeyRejected")]
    [InlineData(null, "KeyRejected")]
    public void ReasonFor_404WithErrorCode_MissingResourceIsNotAKeyProblem(string? errorCode, string expected)
    {
        // Act
        var reason = HoneyHiveApiClient.ReasonFor(404, "/v1/sessions/x/events/batch", errorCode);

        // Assert
        Assert.Equal(expected, reason.ToString());
        Assert.False(HoneyHiveApiException.IsRetryableReason(reason));
    }

    [Fact]
    public async Task SendAsync_400WithApiErrorBody_ThrowsBadRequestWithApiFields()
    {
        // Arrange
        this.server.Respond = _ => Task.FromResult(new FakeResponse(
            400,
            "{\"statusCode\":400,\"message\":\"Unrecognized key(s) in object: 'project'\",\"success\":false,\"errorCode\":\"VALIDATION_ERROR\"}"));

        // Act
        var ex = await Assert.ThrowsAsync<HoneyHiveApiException>(() => this.StartSessionAsync());

        // Assert
        Assert.Equal(HoneyHiveApiErrorReason.BadRequest, ex.Reason);
        Assert.Equal(400, ex.StatusCode);
        Assert.Equal("VALIDATION_ERROR", ex.ErrorCode);
        Assert.Equal("Unrecognized key(s) in object: 'project'", ex.ApiMessage);
        Assert.False(ex.IsRetryable);
        Assert.Contains("POST /v1/sessions", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'project'", ex.Message, StringComparison.Ordinal);
        AssertNoKey(ex);
    }

    [Fact]
    public async Task SendAsync_404_ThrowsKeyRejectedNamingTheVariables()
    {
        // Arrange
        this.server.Respond = _ => Task.FromResult(new FakeResponse(404, "{\"statusCode\":404,\"message\":\"Not found\",\"success\":false}"));

        // Act
        var ex = await Assert.ThrowsAsync<HoneyHiveApiException>(() => this.StartSessionAsync());

        // Assert
        Assert.Equal(HoneyHiveApiErrorReason.KeyRejected, ex.Reason);
        Assert.False(ex.IsRetryable);
        Assert.Contains("key may be wrong", ex.Message, StringComparison.Ordinal);
        Assert.Contains("HH_INGESTION_API_KEY", ex.Message, StringComparison.Ordinal);
        Assert.Contains("HH_PROJECT_API_KEY", ex.Message, StringComparison.Ordinal);
        Assert.Contains("HH_API_KEY", ex.Message, StringComparison.Ordinal);
        AssertNoKey(ex);
    }

    [Fact]
    public async Task SendAsync_429WithRetryAfterSeconds_IsRetryableWithRetryAfter()
    {
        // Arrange
        this.server.Respond = _ => Task.FromResult(new FakeResponse(429, null, new Dictionary<string, string> { ["Retry-After"] = "2" }));

        // Act
        var ex = await Assert.ThrowsAsync<HoneyHiveApiException>(() => this.StartSessionAsync());

        // Assert
        Assert.Equal(HoneyHiveApiErrorReason.RateLimited, ex.Reason);
        Assert.True(ex.IsRetryable);
        Assert.Equal(TimeSpan.FromSeconds(2), ex.RetryAfter);
        AssertNoKey(ex);
    }

    [Fact]
    public async Task SendAsync_429WithRetryAfterHttpDate_IsRetryableWithRetryAfter()
    {
        // Arrange
        var date = DateTimeOffset.UtcNow.AddSeconds(30).ToString("r", CultureInfo.InvariantCulture);
        this.server.Respond = _ => Task.FromResult(new FakeResponse(429, null, new Dictionary<string, string> { ["Retry-After"] = date }));

        // Act
        var ex = await Assert.ThrowsAsync<HoneyHiveApiException>(() => this.StartSessionAsync());

        // Assert
        Assert.True(ex.IsRetryable);
        Assert.NotNull(ex.RetryAfter);
        Assert.InRange(ex.RetryAfter.Value, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(31));
    }

    [Fact]
    public void ParseRetryAfter_DateInThePast_IsZero()
    {
        // Arrange
        var now = DateTimeOffset.UtcNow;
        var header = new System.Net.Http.Headers.RetryConditionHeaderValue(now.AddMinutes(-1));

        // Act
        var wait = HoneyHiveApiClient.ParseRetryAfter(header, now);

        // Assert
        Assert.Equal(TimeSpan.Zero, wait);
    }

    [Fact]
    public async Task SendAsync_500OnBatchRoute_IsRetryablePartiallyAdded()
    {
        // Arrange
        this.server.Respond = _ => Task.FromResult(new FakeResponse(500, "{\"statusCode\":500,\"message\":\"Events partially added\",\"success\":false}"));
        var call = new SessionEventBatchCall(SessionId, new SessionEventBatchRequest { Events = [new EventRequest()] });

        // Act
        var ex = await Assert.ThrowsAsync<HoneyHiveApiException>(() => this.CreateClient().SendAsync(call, CancellationToken.None));

        // Assert
        Assert.Equal(HoneyHiveApiErrorReason.PartiallyAdded, ex.Reason);
        Assert.True(ex.IsRetryable);
        Assert.Equal("Events partially added", ex.ApiMessage);
        AssertNoKey(ex);
    }

    [Fact]
    public async Task SendAsync_503WithHtmlBody_IsRetryableWithExcerpt()
    {
        // Arrange
        this.server.Respond = _ => Task.FromResult(new FakeResponse(503, "<html><body>Service Unavailable</body></html>"));

        // Act
        var ex = await Assert.ThrowsAsync<HoneyHiveApiException>(() => this.StartSessionAsync());

        // Assert
        Assert.Equal(HoneyHiveApiErrorReason.Unavailable, ex.Reason);
        Assert.Equal(503, ex.StatusCode);
        Assert.True(ex.IsRetryable);
        Assert.Null(ex.ErrorCode);
        Assert.Equal("<html><body>Service Unavailable</body></html>", ex.ApiMessage);
        AssertNoKey(ex);
    }

    [Fact]
    public async Task SendAsync_NoAnswerWithinTimeout_ThrowsRetryableTimeout()
    {
        // Arrange
        using var release = new CancellationTokenSource();
        this.server.Respond = async _ =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), release.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            return FakeResponse.Ok();
        };
        var settings = this.CreateSettings();
        settings.RequestTimeout = TimeSpan.FromMilliseconds(200);

        // Act
        var ex = await Assert.ThrowsAsync<HoneyHiveApiException>(
            () => new HoneyHiveApiClient(this.httpClient, settings).SendAsync(new StartSessionCall(new SessionStartRequest()), CancellationToken.None));
        await release.CancelAsync();

        // Assert
        Assert.Equal(HoneyHiveApiErrorReason.Timeout, ex.Reason);
        Assert.Null(ex.StatusCode);
        Assert.True(ex.IsRetryable);
        AssertNoKey(ex);
    }

    [Fact]
    public async Task SendAsync_CallerCancels_ThrowsOperationCanceled()
    {
        // Arrange
        using var release = new CancellationTokenSource();
        this.server.Respond = async _ =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), release.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            return FakeResponse.Ok();
        };
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        // Act
        var ex = await Record.ExceptionAsync(
            () => this.CreateClient().SendAsync(new StartSessionCall(new SessionStartRequest()), cancel.Token));
        await release.CancelAsync();

        // Assert
        Assert.IsAssignableFrom<OperationCanceledException>(ex);
    }

    [Fact]
    public async Task SendAsync_ConnectionRefused_ThrowsRetryableConnection()
    {
        // Arrange
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var settings = this.CreateSettings();
        settings.BaseUrl = new Uri("http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture));

        // Act
        var ex = await Assert.ThrowsAsync<HoneyHiveApiException>(
            () => new HoneyHiveApiClient(this.httpClient, settings).SendAsync(new StartSessionCall(new SessionStartRequest()), CancellationToken.None));

        // Assert
        Assert.Equal(HoneyHiveApiErrorReason.Connection, ex.Reason);
        Assert.Null(ex.StatusCode);
        Assert.True(ex.IsRetryable);
        Assert.Contains("127.0.0.1", ex.Message, StringComparison.Ordinal);
        AssertNoKey(ex);
    }

    [Fact]
    public async Task SendAsync_ApiEchoesTheKey_KeyIsRedactedEverywhere()
    {
        // Arrange
        this.server.Respond = request => Task.FromResult(new FakeResponse(
            401,
            "{\"statusCode\":401,\"message\":\"Invalid header " + request.Headers["Authorization"] + "\",\"errorCode\":\"" + ApiKey + "\",\"success\":false}"));

        // Act
        var ex = await Assert.ThrowsAsync<HoneyHiveApiException>(() => this.StartSessionAsync());

        // Assert
        Assert.Equal(HoneyHiveApiErrorReason.KeyRejected, ex.Reason);
        Assert.Equal("Invalid header Bearer <redacted>", ex.ApiMessage);
        AssertNoKey(ex);
    }

    [Fact]
    public async Task StartSessionAsync_SuccessWithNonJsonBody_ThrowsInvalidResponse()
    {
        // Arrange
        this.server.Respond = _ => Task.FromResult(new FakeResponse(200, "<html>ok</html>"));

        // Act
        var ex = await Assert.ThrowsAsync<HoneyHiveApiException>(() => this.StartSessionAsync());

        // Assert
        Assert.Equal(HoneyHiveApiErrorReason.InvalidResponse, ex.Reason);
        Assert.False(ex.IsRetryable);
    }

    private static void AssertNoKey(Exception ex)
    {
        Assert.DoesNotContain(ApiKey, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("SECRETSECRET", ex.ToString(), StringComparison.Ordinal);
        if (ex is HoneyHiveApiException api)
        {
            Assert.DoesNotContain(ApiKey, api.ApiMessage ?? string.Empty, StringComparison.Ordinal);
            Assert.DoesNotContain(ApiKey, api.ErrorCode ?? string.Empty, StringComparison.Ordinal);
        }
    }

    private Task<JsonObject> StartSessionAsync() =>
        this.CreateClient().StartSessionAsync(new SessionStartRequest { SessionId = SessionId }, CancellationToken.None);

    private HoneyHiveConnectionSettings CreateSettings() =>
        new(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build())
        {
            ApiKey = ApiKey,
            BaseUrl = this.server.BaseUrl,
        };

    private HoneyHiveApiClient CreateClient() => new(this.httpClient, this.CreateSettings());

    private void AssertSingleRequest(string method, string path, string body)
    {
        var request = Assert.Single(this.server.Requests);
        Assert.Equal(method, request.Method);
        Assert.Equal(path, request.Path);
        Assert.Equal(body, request.Body);
        Assert.Equal("Bearer " + ApiKey, request.Headers["Authorization"]);
        Assert.Equal("application/json", request.Headers["Content-Type"]);
        Assert.Equal("application/json", request.Headers["Accept"]);
        Assert.Equal("HoneyHive.OtelBridge/" + HoneyHiveApiClient.ClientVersion, request.Headers["User-Agent"]);
        Assert.Equal("HoneyHive.OtelBridge", request.Headers["hh-client-package"]);
        Assert.Equal(HoneyHiveApiClient.ClientVersion, request.Headers["hh-client-version"]);
        Assert.Equal("csharp", request.Headers["hh-client-language"]);
        Assert.Matches(@"^\d+\.\d+\.\d+", HoneyHiveApiClient.ClientVersion);
    }

    private sealed class SuppressionProbe : DelegatingHandler
    {
        public bool WasSuppressed { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            this.WasSuppressed = Sdk.SuppressInstrumentation;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
