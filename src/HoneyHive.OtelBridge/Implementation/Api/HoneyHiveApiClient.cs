// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenTelemetry;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// The typed HoneyHive API client: the one place the bridge talks HTTP to HoneyHive. Sends <see cref="ApiCall"/>s
/// through one reused <see cref="HttpClient"/>, and turns every failure into a <see cref="HoneyHiveApiException"/>.
/// </summary>
internal sealed class HoneyHiveApiClient
{
    /// <summary>The value of the <c>hh-client-package</c> header and the product of <c>User-Agent</c>.</summary>
    internal const string ClientPackage = "HoneyHive.OtelBridge";

    /// <summary>The value of the <c>hh-client-language</c> header.</summary>
    internal const string ClientLanguage = "csharp";

    /// <summary>The longest excerpt of an error body kept in an exception.</summary>
    internal const int MaxApiMessageLength = 500;

    private const string Redacted = "<redacted>";

    private const string JsonMediaType = "application/json";

    private static readonly MediaTypeHeaderValue JsonContentType = new(JsonMediaType);

    private readonly HttpClient httpClient;
    private readonly HoneyHiveConnectionSettings settings;
    private CachedText<Uri>? baseText;
    private CachedText<string>? authorization;

    public HoneyHiveApiClient(HttpClient httpClient, HoneyHiveConnectionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(settings);
        this.httpClient = httpClient;
        this.settings = settings;
    }

    /// <summary>Gets the client version sent in <c>hh-client-version</c> and <c>User-Agent</c>.</summary>
    internal static string ClientVersion { get; } = GetClientVersion();

    /// <summary>Gets the <c>User-Agent</c> the client sends: <c>HoneyHive.OtelBridge/&lt;version&gt;</c>.</summary>
    internal static string UserAgent { get; } = ClientPackage + "/" + ClientVersion;

    /// <summary>Creates the <see cref="HttpClient"/> to reuse for the process lifetime (timeouts are per request).</summary>
    /// <returns>A new client.</returns>
    internal static HttpClient CreateDefaultHttpClient()
    {
        var handler = new SocketsHttpHandler
        {
            // Reconnect now and then so DNS changes of the hosted API are picked up.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary><c>POST /v1/sessions</c>; returns the session event the API answers.</summary>
    public async Task<JsonObject> StartSessionAsync(SessionStartRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var call = new StartSessionCall(request);
        var node = await this.SendAsync(call, cancellationToken).ConfigureAwait(false);
        return node as JsonObject ?? throw InvalidResponse(call, "a JSON object");
    }

    /// <summary><c>POST /v1/sessions/{session_id}/events/batch</c> with <c>{"events": [...]}</c>.</summary>
    public Task CreateSessionEventBatchAsync(string sessionId, SessionEventBatchRequest request, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        ArgumentNullException.ThrowIfNull(request);
        return this.SendAsync(new SessionEventBatchCall(sessionId, request), cancellationToken);
    }

    /// <summary><c>POST /v1/events/batch</c>; returns the created event ids.</summary>
    public async Task<EventBatchResponse> CreateEventBatchAsync(EventBatchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var call = new EventBatchCall(request);
        var node = await this.SendAsync(call, cancellationToken).ConfigureAwait(false);
        if (node is JsonObject)
        {
            try
            {
                var response = node.Deserialize(HoneyHiveJsonContext.Api.EventBatchResponse);
                if (response is not null)
                {
                    return response;
                }
            }
            catch (JsonException)
            {
                // Falls through to the typed error below.
            }
        }

        throw InvalidResponse(call, "{\"event_ids\": [...], \"success\": true}");
    }

    /// <summary><c>PUT /v1/events/{event_id}</c>.</summary>
    public Task UpdateEventAsync(string eventId, EventUpdateRequest request, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        ArgumentNullException.ThrowIfNull(request);
        return this.SendAsync(new UpdateEventCall(string.Empty, eventId, request), cancellationToken);
    }

    /// <summary>
    /// Sends one call and returns the parsed JSON answer (<see langword="null"/> when the body is empty).
    /// Throws <see cref="HoneyHiveApiException"/> on any failure, <see cref="OperationCanceledException"/> only when
    /// <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async Task<JsonNode?> SendAsync(ApiCall call, CancellationToken cancellationToken)
    {
        var body = await this.SendCoreAsync(call, cancellationToken).ConfigureAwait(false);
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            throw InvalidResponse(call, "JSON");
        }
    }

    /// <summary>
    /// Sends one call whose answer is not needed (delivery's): fails as <see cref="SendAsync"/> does, including on a
    /// success whose body is not JSON, but only reads the answer through, without building its tree.
    /// </summary>
    /// <param name="call">The call.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the call succeeded.</returns>
    public async Task DeliverAsync(ApiCall call, CancellationToken cancellationToken)
    {
        var body = await this.SendCoreAsync(call, cancellationToken).ConfigureAwait(false);
        if (body.Length > 0 && !IsJson(body))
        {
            throw InvalidResponse(call, "JSON");
        }
    }

    internal static TimeSpan? ParseRetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header is null)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    internal static HoneyHiveApiErrorReason ReasonFor(int statusCode, string path, string? errorCode = null) => statusCode switch
    {
        400 => HoneyHiveApiErrorReason.BadRequest,
        404 when errorCode is "SESSION_NOT_FOUND" or "EVENT_NOT_FOUND" => HoneyHiveApiErrorReason.NotFound,
        401 or 403 or 404 => HoneyHiveApiErrorReason.KeyRejected,
        408 => HoneyHiveApiErrorReason.Timeout,
        413 => HoneyHiveApiErrorReason.PayloadTooLarge,
        429 => HoneyHiveApiErrorReason.RateLimited,
        500 when path.EndsWith("/batch", StringComparison.Ordinal) => HoneyHiveApiErrorReason.PartiallyAdded,
        502 or 503 or 504 => HoneyHiveApiErrorReason.Unavailable,
        >= 500 => HoneyHiveApiErrorReason.ServerError,
        _ => HoneyHiveApiErrorReason.ClientError,
    };

    private static HoneyHiveApiException InvalidResponse(ApiCall call, string expected) => new(
        HoneyHiveApiErrorReason.InvalidResponse,
        $"HoneyHive API {call.Method} {call.Path} answered success but not with {expected}.");

    private static string GetClientVersion()
    {
        var assembly = typeof(HoneyHiveApiClient).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (!string.IsNullOrEmpty(informational))
        {
            var plus = informational.IndexOf('+', StringComparison.Ordinal);
            return plus >= 0 ? informational[..plus] : informational;
        }

        return assembly.GetName().Version?.ToString(3) ?? "0.0.0";
    }

    /// <summary>Checks what <see cref="JsonNode.Parse(ReadOnlySpan{byte}, JsonNodeOptions?, JsonDocumentOptions)"/>
    /// accepts (one JSON value, default options), without building anything.</summary>
    private static bool IsJson(byte[] body)
    {
        var reader = new Utf8JsonReader(body, isFinalBlock: true, state: default);
        try
        {
            while (reader.Read())
            {
            }

            return reader.BytesConsumed > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Sends one call; returns the body of a success, throws <see cref="HoneyHiveApiException"/> on any
    /// failure.</summary>
    private async Task<byte[]> SendCoreAsync(ApiCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);

        // The bridge must never trace its own calls to HoneyHive (that would feed back into the exporter).
        using var suppress = SuppressInstrumentationScope.Begin();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(this.settings.RequestTimeout);

        using var request = this.CreateRequest(call);
        try
        {
            using var response = await this.httpClient
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token)
                .ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw this.FromErrorResponse(call, response, body);
            }

            return body;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HoneyHiveApiException(
                HoneyHiveApiErrorReason.Timeout,
                string.Create(CultureInfo.InvariantCulture, $"HoneyHive API {call.Method} {call.Path} got no answer within {this.settings.RequestTimeout.TotalSeconds:0.###} s (timeout; will be retried)."),
                innerException: ex);
        }
        catch (HttpRequestException ex)
        {
            throw new HoneyHiveApiException(
                HoneyHiveApiErrorReason.Connection,
                string.Create(CultureInfo.InvariantCulture, $"HoneyHive API {call.Method} {call.Path} failed to connect to {this.settings.BaseUrl.GetLeftPart(UriPartial.Authority)}: {this.Scrub(ex.Message)}"),
                innerException: ex);
        }
    }

    private HttpRequestMessage CreateRequest(ApiCall call)
    {
        var request = new HttpRequestMessage(HttpMethod.Parse(call.Method), new Uri(this.BaseText() + call.Path, UriKind.Absolute));

        // Raw header values, in the order and with the bytes the typed headers wrote ("Bearer <key>", one media type):
        // no header-value objects per request.
        if (this.settings.HasApiKey)
        {
            request.Headers.TryAddWithoutValidation("Authorization", this.Authorization());
        }

        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.TryAddWithoutValidation("hh-client-package", ClientPackage);
        request.Headers.TryAddWithoutValidation("hh-client-version", ClientVersion);
        request.Headers.TryAddWithoutValidation("hh-client-language", ClientLanguage);
        request.Headers.TryAddWithoutValidation("Accept", JsonMediaType);

        var content = new PooledJsonContent(call);
        content.Headers.ContentType = JsonContentType;
        request.Content = content;
        return request;
    }

    /// <summary>The base URL without its trailing slash, made again only when the settings' URL changes.</summary>
    private string BaseText()
    {
        var baseUrl = this.settings.BaseUrl;
        var cached = this.baseText;
        if (cached is not null && ReferenceEquals(cached.Source, baseUrl))
        {
            return cached.Text;
        }

        var text = baseUrl.AbsoluteUri.TrimEnd('/');
        this.baseText = new CachedText<Uri>(baseUrl, text);
        return text;
    }

    /// <summary>The <c>Authorization</c> value, made again only when the settings' key changes.</summary>
    private string Authorization()
    {
        var apiKey = this.settings.ApiKey!;
        var cached = this.authorization;
        if (cached is not null && ReferenceEquals(cached.Source, apiKey))
        {
            return cached.Text;
        }

        var text = "Bearer " + apiKey;
        this.authorization = new CachedText<string>(apiKey, text);
        return text;
    }

    private HoneyHiveApiException FromErrorResponse(ApiCall call, HttpResponseMessage response, byte[] body)
    {
        var status = (int)response.StatusCode;
        var (errorCode, apiMessage) = this.ParseErrorBody(body);
        var reason = ReasonFor(status, call.Path, errorCode);
        var retryAfter = ParseRetryAfter(response.Headers.RetryAfter, DateTimeOffset.UtcNow);

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"HoneyHive API {call.Method} {call.Path} failed: {status} {response.ReasonPhrase}");
        if (errorCode is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $" ({errorCode})");
        }

        if (apiMessage is not null)
        {
            text.Append(": ").Append(apiMessage);
        }

        text.Append('.');
        switch (reason)
        {
            case HoneyHiveApiErrorReason.KeyRejected:
                text.Append(CultureInfo.InvariantCulture, $" The API key may be wrong, expired or lack the scope for this route (the hosted API answers 404 for a rejected key): check {string.Join(", ", HoneyHiveConnectionSettings.ApiKeyEnvVars)} and the URL {this.settings.BaseUrl.GetLeftPart(UriPartial.Authority)}.");
                break;
            case HoneyHiveApiErrorReason.PartiallyAdded:
                text.Append(" Some events may have been added; retrying with the same event ids is safe.");
                break;
            default:
                break;
        }

        if (retryAfter is { } wait)
        {
            text.Append(CultureInfo.InvariantCulture, $" Retry after {wait.TotalSeconds:0.###} s.");
        }

        return new HoneyHiveApiException(reason, text.ToString(), status, errorCode, apiMessage, retryAfter);
    }

    private (string? ErrorCode, string? Message) ParseErrorBody(byte[] body)
    {
        if (body.Length == 0)
        {
            return (null, null);
        }

        try
        {
            if (JsonNode.Parse(body) is JsonObject error)
            {
                return (this.Scrub(AsText(error["errorCode"])), this.Scrub(AsText(error["message"]) ?? AsText(error["error"])));
            }
        }
        catch (JsonException)
        {
            // Not JSON (a gateway's HTML or text page): keep a short excerpt below.
        }

        var excerpt = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, MaxApiMessageLength * 4)).Trim();
        return (null, this.Scrub(excerpt));

        static string? AsText(JsonNode? node) => node switch
        {
            null => null,
            JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
            _ => node.ToJsonString(),
        };
    }

    /// <summary>Removes the API key from text that may echo it, and bounds its length.</summary>
    private string? Scrub(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (this.settings.HasApiKey)
        {
            text = text.Replace(this.settings.ApiKey!, Redacted, StringComparison.Ordinal);
        }

        return text.Length > MaxApiMessageLength ? text[..MaxApiMessageLength] + "…" : text;
    }

    /// <summary>A text made from a setting, with the setting it was made from (replaced whole, so a reader never
    /// sees one without the other).</summary>
    private sealed record CachedText<T>(T Source, string Text);
}
