// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// Where the HoneyHive API is and which key to send. Read from the environment at construction; a value set in
/// code afterwards wins. <see cref="ToString"/> never shows the key.
/// </summary>
internal sealed class HoneyHiveConnectionSettings
{
    /// <summary>The ingestion key variable (<c>hh_ingst_…</c>), read first.</summary>
    internal const string IngestionApiKeyEnvVar = "HH_INGESTION_API_KEY";

    /// <summary>The project key variable, read second.</summary>
    internal const string ProjectApiKeyEnvVar = "HH_PROJECT_API_KEY";

    /// <summary>The older project key variable, read last.</summary>
    internal const string ApiKeyEnvVar = "HH_API_KEY";

    /// <summary>The data-plane URL variable, read first.</summary>
    internal const string DataPlaneUrlEnvVar = "HH_DATA_PLANE_URL";

    /// <summary>The older base URL variable, read second.</summary>
    internal const string ApiUrlEnvVar = "HH_API_URL";

    /// <summary>The hosted multi-tenant data plane.</summary>
    internal const string DefaultBaseUrl = "https://api.dp1.us.honeyhive.ai";

    /// <summary>The default time one request may take, headers and body.</summary>
    internal const int DefaultRequestTimeoutMilliseconds = 30_000;

    /// <summary>The key variables in the order they are read (for error messages).</summary>
    internal static readonly string[] ApiKeyEnvVars = [IngestionApiKeyEnvVar, ProjectApiKeyEnvVar, ApiKeyEnvVar];

    private Uri baseUrl;
    private TimeSpan requestTimeout = TimeSpan.FromMilliseconds(DefaultRequestTimeoutMilliseconds);

    public HoneyHiveConnectionSettings()
        : this(new ConfigurationBuilder().AddEnvironmentVariables().Build())
    {
    }

    internal HoneyHiveConnectionSettings(IConfiguration configuration)
    {
        this.ApiKey = FirstSet(configuration, ApiKeyEnvVars);
        var url = FirstSet(configuration, [DataPlaneUrlEnvVar, ApiUrlEnvVar]) ?? DefaultBaseUrl;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{DataPlaneUrlEnvVar}/{ApiUrlEnvVar} must be an absolute http(s) URL, got '{url}'."),
                nameof(configuration));
        }

        this.baseUrl = parsed;
    }

    /// <summary>Gets or sets the API key (project or ingestion key). Never printed.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Gets or sets the API base URL (default <see cref="DefaultBaseUrl"/>); paths are appended to it.</summary>
    public Uri BaseUrl
    {
        get => this.baseUrl;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (!value.IsAbsoluteUri)
            {
                throw new ArgumentException("The base URL must be absolute.", nameof(value));
            }

            this.baseUrl = value;
        }
    }

    /// <summary>Gets or sets how long one request may take (default 30 s).</summary>
    public TimeSpan RequestTimeout
    {
        get => this.requestTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, nameof(value));
            this.requestTimeout = value;
        }
    }

    /// <summary>Gets a value indicating whether an API key is configured.</summary>
    public bool HasApiKey => !string.IsNullOrEmpty(this.ApiKey);

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"HoneyHiveConnectionSettings {{ BaseUrl = {this.BaseUrl}, ApiKey = {(this.HasApiKey ? "<redacted>" : "<not set>")}, RequestTimeout = {this.RequestTimeout} }}");

    private static string? FirstSet(IConfiguration configuration, string[] names)
    {
        foreach (var name in names)
        {
            var value = configuration[name];
            if (!string.IsNullOrWhiteSpace(value))
            {
                return value.Trim();
            }
        }

        return null;
    }
}
