// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Assembly;
using HoneyHive.OtelBridge.Implementation.Delivery;
using HoneyHive.OtelBridge.Implementation.Mapping;
using Microsoft.Extensions.Configuration;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace HoneyHive.OtelBridge;

/// <summary>
/// Options of the <see cref="HoneyHiveExporter"/>. A value set in code wins over the <c>HoneyHive</c> configuration
/// section (<c>HoneyHive:ApiKey</c>, <c>HoneyHive:Endpoint</c>, …), which wins over the <c>HH_*</c> environment
/// variables.
/// </summary>
public sealed class HoneyHiveExporterOptions
{
    /// <summary>The configuration section the options are read from.</summary>
    internal const string ConfigurationSection = "HoneyHive";

    internal const string ApiKeyKey = ConfigurationSection + ":" + nameof(ApiKey);
    internal const string EndpointKey = ConfigurationSection + ":" + nameof(Endpoint);
    internal const string SourceKey = ConfigurationSection + ":" + nameof(Source);
    internal const string RootWaitKey = ConfigurationSection + ":" + nameof(RootWait);
    internal const string MaxHeldSpansKey = ConfigurationSection + ":" + nameof(MaxHeldSpans);
    internal const string MaxAttributeLengthKey = ConfigurationSection + ":" + nameof(MaxAttributeLength);
    internal const string MaxConcurrentRequestsKey = ConfigurationSection + ":" + nameof(MaxConcurrentRequests);
    internal const string MaxQueuedBytesKey = ConfigurationSection + ":" + nameof(MaxQueuedBytes);
    internal const string ExportProcessorTypeKey = ConfigurationSection + ":" + nameof(ExportProcessorType);
    internal const string DataDirectoryKey = ConfigurationSection + ":" + nameof(DataDirectory);

    /// <summary>The environment variable of the HoneyHive <c>source</c>.</summary>
    internal const string SourceEnvVar = "HH_SOURCE";

    /// <summary>The name of the <see cref="HttpClient"/> taken from <c>IHttpClientFactory</c>.</summary>
    internal const string HttpClientName = "HoneyHiveExporter";

    /// <summary>The default <see cref="RootWait"/> in seconds.</summary>
    internal const int DefaultRootWaitSeconds = 30;

    /// <summary>The default <see cref="MaxHeldSpans"/>.</summary>
    internal const int DefaultMaxHeldSpans = 100_000;

    /// <summary>The default <see cref="MaxAttributeLength"/>.</summary>
    internal const int DefaultMaxAttributeLength = MappingOptions.DefaultMaxStringLength;

    /// <summary>The smallest <see cref="MaxAttributeLength"/> (room for the truncation marker and some text).</summary>
    internal const int MinMaxAttributeLength = 64;

    /// <summary>The default <see cref="HttpClientFactory"/>: one new client, made once per exporter.</summary>
    internal static readonly Func<HttpClient> DefaultHttpClientFactory = HoneyHiveApiClient.CreateDefaultHttpClient;

    private Uri endpoint;
    private TimeSpan rootWait = TimeSpan.FromSeconds(DefaultRootWaitSeconds);
    private int maxHeldSpans = DefaultMaxHeldSpans;
    private int maxAttributeLength = DefaultMaxAttributeLength;
    private int maxConcurrentRequests = HoneyHiveDeliveryOptions.DefaultMaxConcurrency;
    private long maxQueuedBytes = HoneyHiveDeliveryOptions.DefaultMaxQueuedBytes;
    private Func<HttpClient> httpClientFactory = DefaultHttpClientFactory;
    private BatchExportProcessorOptions<Activity> batchExportProcessorOptions;

    /// <summary>
    /// Initializes a new instance of the <see cref="HoneyHiveExporterOptions"/> class from the environment variables
    /// (<c>HH_INGESTION_API_KEY</c>, <c>HH_PROJECT_API_KEY</c>, <c>HH_API_KEY</c>, <c>HH_DATA_PLANE_URL</c>,
    /// <c>HH_API_URL</c>, <c>HH_SOURCE</c>, and the <c>OTEL_BSP_*</c> batch settings).
    /// </summary>
    public HoneyHiveExporterOptions()
        : this(new ConfigurationBuilder().AddEnvironmentVariables().Build(), new BatchExportActivityProcessorOptions())
    {
    }

    /// <summary>Initializes a new instance of the <see cref="HoneyHiveExporterOptions"/> class from configuration:
    /// the <c>HoneyHive</c> section first, then the <c>HH_*</c> keys (environment variables).</summary>
    /// <param name="configuration">The configuration.</param>
    /// <param name="defaultBatchOptions">The batch processor options (from the SDK's own options).</param>
    internal HoneyHiveExporterOptions(IConfiguration configuration, BatchExportActivityProcessorOptions defaultBatchOptions)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(defaultBatchOptions);
        this.batchExportProcessorOptions = defaultBatchOptions;

        this.ApiKey = FirstSet(configuration, [ApiKeyKey, .. HoneyHiveConnectionSettings.ApiKeyEnvVars]);

        var endpointText = FirstSet(configuration, [EndpointKey, HoneyHiveConnectionSettings.DataPlaneUrlEnvVar, HoneyHiveConnectionSettings.ApiUrlEnvVar]);
        if (endpointText is null)
        {
            this.endpoint = new Uri(HoneyHiveConnectionSettings.DefaultBaseUrl);
        }
        else if (Uri.TryCreate(endpointText, UriKind.Absolute, out var parsed) && IsHttp(parsed))
        {
            this.endpoint = parsed;
        }
        else
        {
            throw Invalid(
                $"'{endpointText}' is not an absolute http(s) URL. Fix {nameof(HoneyHiveExporterOptions)}.{nameof(this.Endpoint)}, " +
                $"the {EndpointKey} configuration key or the {HoneyHiveConnectionSettings.DataPlaneUrlEnvVar}/{HoneyHiveConnectionSettings.ApiUrlEnvVar} environment variable.");
        }

        this.Source = FirstSet(configuration, [SourceKey, SourceEnvVar]);

        if (FirstSet(configuration, [RootWaitKey]) is { } rootWaitText)
        {
            this.rootWait = TimeSpan.TryParse(rootWaitText, CultureInfo.InvariantCulture, out var wait) && IsValidRootWait(wait)
                ? wait
                : throw Invalid($"{RootWaitKey} must be a positive time span such as 00:00:30, got '{rootWaitText}'.");
        }

        this.DataDirectory = FirstSet(configuration, [DataDirectoryKey]);
        this.maxHeldSpans = ReadInteger(configuration, MaxHeldSpansKey, 1, this.maxHeldSpans);
        this.maxAttributeLength = ReadInteger(configuration, MaxAttributeLengthKey, MinMaxAttributeLength, this.maxAttributeLength);
        this.maxConcurrentRequests = ReadInteger(configuration, MaxConcurrentRequestsKey, 1, this.maxConcurrentRequests);
        this.maxQueuedBytes = ReadInteger(configuration, MaxQueuedBytesKey, 1L, this.maxQueuedBytes);

        if (FirstSet(configuration, [ExportProcessorTypeKey]) is { } processorText)
        {
            this.ExportProcessorType = Enum.TryParse<ExportProcessorType>(processorText, ignoreCase: true, out var type) && Enum.IsDefined(type)
                ? type
                : throw Invalid($"{ExportProcessorTypeKey} must be Simple or Batch, got '{processorText}'.");
        }
    }

    /// <summary>
    /// Gets or sets the HoneyHive API key sent as <c>Authorization: Bearer</c>. Default: the <c>HoneyHive:ApiKey</c>
    /// configuration key, else the first of the <c>HH_INGESTION_API_KEY</c>, <c>HH_PROJECT_API_KEY</c> and
    /// <c>HH_API_KEY</c> environment variables, else <see langword="null"/> (building the tracer provider then fails
    /// with a <see cref="HoneyHiveExporterValidationException"/>). The key is never logged.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Gets or sets the HoneyHive API base URL; request paths such as <c>/v1/sessions</c> are appended to it.
    /// Default: the <c>HoneyHive:Endpoint</c> configuration key, else <c>HH_DATA_PLANE_URL</c>, else
    /// <c>HH_API_URL</c>, else <c>https://api.dp1.us.honeyhive.ai</c>.
    /// </summary>
    public Uri Endpoint
    {
        get => this.endpoint;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (!value.IsAbsoluteUri || !IsHttp(value))
            {
                throw new ArgumentException("The endpoint must be an absolute http(s) URL.", nameof(value));
            }

            this.endpoint = value;
        }
    }

    /// <summary>
    /// Gets or sets the HoneyHive <c>source</c> of sessions and events (a span or resource attribute
    /// <c>honeyhive.source</c> still wins). Default: the <c>HoneyHive:Source</c> configuration key, else
    /// <c>HH_SOURCE</c>, else <see langword="null"/>, which means the <c>deployment.environment.name</c> resource
    /// attribute, else <c>otel-bridge</c>.
    /// </summary>
    public string? Source { get; set; }

    /// <summary>
    /// Gets or sets how long a trace's spans are held waiting for its root span before the trace is sent with what
    /// is there (a root that comes later updates the session). Default: 30 seconds (<c>HoneyHive:RootWait</c>).
    /// <see cref="Timeout.InfiniteTimeSpan"/> holds until a flush or shutdown.
    /// </summary>
    public TimeSpan RootWait
    {
        get => this.rootWait;
        set
        {
            if (!IsValidRootWait(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The root wait must be positive or Timeout.InfiniteTimeSpan.");
            }

            this.rootWait = value;
        }
    }

    /// <summary>
    /// Gets or sets the most spans held while waiting for roots; past it the oldest traces are sent early, never
    /// dropped. Default: 100,000 (<c>HoneyHive:MaxHeldSpans</c>).
    /// </summary>
    public int MaxHeldSpans
    {
        get => this.maxHeldSpans;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(value));
            this.maxHeldSpans = value;
        }
    }

    /// <summary>
    /// Gets or sets the longest string value sent (in UTF-16 characters); a longer one is cut and marked
    /// <c>…[truncated]</c>. Default: 100,000 (<c>HoneyHive:MaxAttributeLength</c>); at least 64.
    /// </summary>
    public int MaxAttributeLength
    {
        get => this.maxAttributeLength;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, MinMaxAttributeLength, nameof(value));
            this.maxAttributeLength = value;
        }
    }

    /// <summary>
    /// Gets or sets the most requests to the HoneyHive API in flight at once (a session's own calls still go one at a
    /// time, in order). Delivery is bound by the API's round trip: with a round trip of 50 ms, 16 requests in flight
    /// carry about 300 requests a second, about 1,800 spans a second of 10-span traces (a session a trace). Default: 16
    /// (<c>HoneyHive:MaxConcurrentRequests</c>); at least 1.
    /// </summary>
    public int MaxConcurrentRequests
    {
        get => this.maxConcurrentRequests;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(value));
            this.maxConcurrentRequests = value;
        }
    }

    /// <summary>
    /// Gets or sets the most bytes of encoded events the exporter holds for the HoneyHive API, queued or in flight.
    /// From 80 % of it the exporter's intake keeps its batch until delivery catches up, and once the intake is full too
    /// <c>Export</c> returns <c>Failure</c> (counted by the SDK), as when delivery is behind by calls. It bounds the
    /// exporter's memory whatever the size of the spans' prompts and completions. A trace is taken whole while less
    /// than the bound is held, so one larger than the bound is still taken. Default: 32 MiB
    /// (<c>HoneyHive:MaxQueuedBytes</c>); at least 1.
    /// </summary>
    public long MaxQueuedBytes
    {
        get => this.maxQueuedBytes;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1L, nameof(value));
            this.maxQueuedBytes = value;
        }
    }

    /// <summary>
    /// Gets or sets a directory for a durable log of the spans the exporter takes, like the OTLP exporter's disk
    /// retry: spans are written there before they are queued, re-sent after a restart or crash, and removed once
    /// delivered. Default: <see langword="null"/>, off (<c>HoneyHive:DataDirectory</c>). Use one directory per
    /// process.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// Gets or sets the export processor type. Default: <see cref="ExportProcessorType.Batch"/>
    /// (<c>HoneyHive:ExportProcessorType</c>).
    /// </summary>
    public ExportProcessorType ExportProcessorType { get; set; } = ExportProcessorType.Batch;

    /// <summary>
    /// Gets or sets the batch processor options, used when <see cref="ExportProcessorType"/> is
    /// <see cref="ExportProcessorType.Batch"/>. Default: the SDK's <see cref="BatchExportActivityProcessorOptions"/>
    /// (queue 2048, delay 5000 ms, timeout 30000 ms, batch 512; <c>OTEL_BSP_*</c>).
    /// </summary>
    public BatchExportProcessorOptions<Activity> BatchExportProcessorOptions
    {
        get => this.batchExportProcessorOptions;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            this.batchExportProcessorOptions = value;
        }
    }

    /// <summary>
    /// Gets or sets the factory of the <see cref="HttpClient"/> the exporter sends with; it is called once per
    /// exporter and the client is reused. Default: the named client <c>"HoneyHiveExporter"</c> from
    /// <c>IHttpClientFactory</c> when one is registered in the service collection, else one new client made once.
    /// </summary>
    public Func<HttpClient> HttpClientFactory
    {
        get => this.httpClientFactory;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            this.httpClientFactory = value;
        }
    }

    /// <summary>Throws when the options cannot work: no API key.</summary>
    /// <exception cref="HoneyHiveExporterValidationException">The API key is missing.</exception>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(this.ApiKey))
        {
            throw Invalid(
                $"No HoneyHive API key is configured. Set {nameof(HoneyHiveExporterOptions)}.{nameof(this.ApiKey)} in code, " +
                $"the {ApiKeyKey} configuration key, or one of the environment variables {string.Join(", ", HoneyHiveConnectionSettings.ApiKeyEnvVars)}.");
        }
    }

    /// <summary>Resolves the source: the option, else the resource's deployment environment, else the default.</summary>
    /// <param name="resourceAttributes">The resource attributes of the tracer provider.</param>
    /// <returns>The source.</returns>
    internal string ResolveSource(IEnumerable<KeyValuePair<string, object?>> resourceAttributes)
    {
        if (!string.IsNullOrWhiteSpace(this.Source))
        {
            return this.Source.Trim();
        }

        string? legacy = null;
        foreach (var attribute in resourceAttributes)
        {
            if (attribute.Value is string text && !string.IsNullOrWhiteSpace(text))
            {
                if (attribute.Key == "deployment.environment.name")
                {
                    return text.Trim();
                }

                if (attribute.Key == "deployment.environment")
                {
                    legacy = text.Trim();
                }
            }
        }

        return legacy ?? MappingOptions.DefaultSource;
    }

    /// <summary>Gets the trace assembly settings these options describe.</summary>
    /// <param name="source">The resolved source.</param>
    /// <returns>The assembler options.</returns>
    internal TraceAssemblerOptions ToAssemblerOptions(string source) => new()
    {
        RootWait = this.RootWait,
        MaxHeldSpans = this.MaxHeldSpans,
        Mapping = new MappingOptions { Source = source, MaxStringLength = this.MaxAttributeLength },
    };

    private static bool IsHttp(Uri uri) => uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps;

    private static bool IsValidRootWait(TimeSpan value) => value > TimeSpan.Zero || value == Timeout.InfiniteTimeSpan;

    private static HoneyHiveExporterValidationException Invalid(string message)
    {
        Implementation.HoneyHiveExporterEventSource.Log.ConfigurationInvalid(message);
        return new HoneyHiveExporterValidationException(message);
    }

    private static T ReadInteger<T>(IConfiguration configuration, string key, T min, T fallback)
        where T : IBinaryInteger<T>
    {
        if (FirstSet(configuration, [key]) is not { } text)
        {
            return fallback;
        }

        return T.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min
            ? value
            : throw Invalid(string.Create(CultureInfo.InvariantCulture, $"{key} must be an integer of at least {min}, got '{text}'."));
    }

    private static string? FirstSet(IConfiguration configuration, string[] keys)
    {
        foreach (var key in keys)
        {
            var value = configuration[key];
            if (!string.IsNullOrWhiteSpace(value))
            {
                return value.Trim();
            }
        }

        return null;
    }
}
