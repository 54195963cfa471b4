// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Api;
using Microsoft.Extensions.Configuration;

namespace HoneyHive.OtelBridge.Tests.Implementation.Api;

[Collection("NonParallel")]
public sealed class HoneyHiveConnectionSettingsTests
{
    private static readonly string[] AllVariables =
    [
        HoneyHiveConnectionSettings.IngestionApiKeyEnvVar,
        HoneyHiveConnectionSettings.ProjectApiKeyEnvVar,
        HoneyHiveConnectionSettings.ApiKeyEnvVar,
        HoneyHiveConnectionSettings.DataPlaneUrlEnvVar,
        HoneyHiveConnectionSettings.ApiUrlEnvVar,
    ];

    [Fact]
    public void Constructor_NoVariables_UsesDefaults()
    {
        // Arrange
        using var env = new EnvironmentScope();

        // Act
        var settings = new HoneyHiveConnectionSettings();

        // Assert
        Assert.Null(settings.ApiKey);
        Assert.False(settings.HasApiKey);
        Assert.Equal(new Uri("https://api.dp1.us.honeyhive.ai"), settings.BaseUrl);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.RequestTimeout);
    }

    [Theory]
    [InlineData("HH_INGESTION_API_KEY")]
    [InlineData("HH_PROJECT_API_KEY")]
    [InlineData("HH_API_KEY")]
    public void Constructor_OneKeyVariable_ReadsIt(string variable)
    {
        // Arrange
        using var env = new EnvironmentScope((variable, "key-from-" + variable));

        // Act
        var settings = new HoneyHiveConnectionSettings();

        // Assert
        Assert.Equal("key-from-" + variable, settings.ApiKey);
    }

    [Theory]
    [InlineData("ingest", "project", "legacy", "ingest")]
    [InlineData(null, "project", "legacy", "project")]
    [InlineData("", "project", "legacy", "project")]
    [InlineData("  ", "", "legacy", "legacy")]
    [InlineData("ingest", null, "legacy", "ingest")]
    [InlineData("", "", "", null)]
    public void Constructor_SeveralKeyVariables_FirstSetWinsAndEmptyCountsAsUnset(string? ingestion, string? project, string? legacy, string? expected)
    {
        // Arrange
        using var env = new EnvironmentScope(
            (HoneyHiveConnectionSettings.IngestionApiKeyEnvVar, ingestion),
            (HoneyHiveConnectionSettings.ProjectApiKeyEnvVar, project),
            (HoneyHiveConnectionSettings.ApiKeyEnvVar, legacy));

        // Act
        var settings = new HoneyHiveConnectionSettings();

        // Assert
        Assert.Equal(expected, settings.ApiKey);
    }

    [Theory]
    [InlineData("http://dp.example:8080", "http://api.example", "http://dp.example:8080/")]
    [InlineData(null, "http://api.example", "http://api.example/")]
    [InlineData("", "http://api.example", "http://api.example/")]
    [InlineData("", "", "https://api.dp1.us.honeyhive.ai/")]
    public void Constructor_UrlVariables_DataPlaneThenApiUrlThenDefault(string? dataPlane, string? apiUrl, string expected)
    {
        // Arrange
        using var env = new EnvironmentScope(
            (HoneyHiveConnectionSettings.DataPlaneUrlEnvVar, dataPlane),
            (HoneyHiveConnectionSettings.ApiUrlEnvVar, apiUrl));

        // Act
        var settings = new HoneyHiveConnectionSettings();

        // Assert
        Assert.Equal(expected, settings.BaseUrl.AbsoluteUri);
    }

    [Fact]
    public void Properties_SetInCode_BeatEnvironment()
    {
        // Arrange
        using var env = new EnvironmentScope(
            (HoneyHiveConnectionSettings.IngestionApiKeyEnvVar, "env-key"),
            (HoneyHiveConnectionSettings.DataPlaneUrlEnvVar, "http://env.example"));

        // Act
        var settings = new HoneyHiveConnectionSettings
        {
            ApiKey = "code-key",
            BaseUrl = new Uri("http://code.example"),
        };

        // Assert
        Assert.Equal("code-key", settings.ApiKey);
        Assert.Equal(new Uri("http://code.example"), settings.BaseUrl);
    }

    [Fact]
    public void Constructor_InvalidUrlVariable_ThrowsNamingTheVariables()
    {
        // Arrange
        using var env = new EnvironmentScope((HoneyHiveConnectionSettings.DataPlaneUrlEnvVar, "not a url"));

        // Act
        var ex = Assert.Throws<ArgumentException>(() => new HoneyHiveConnectionSettings());

        // Assert
        Assert.Contains("HH_DATA_PLANE_URL", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InternalConstructor_Configuration_ReadsTheSameKeys()
    {
        // Arrange
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [HoneyHiveConnectionSettings.ProjectApiKeyEnvVar] = "from-config",
                [HoneyHiveConnectionSettings.ApiUrlEnvVar] = "http://config.example",
            })
            .Build();

        // Act
        var settings = new HoneyHiveConnectionSettings(configuration);

        // Assert
        Assert.Equal("from-config", settings.ApiKey);
        Assert.Equal(new Uri("http://config.example"), settings.BaseUrl);
    }

    [Fact]
    public void InternalConstructor_EmptyValues_CountAsUnset()
    {
        // Arrange
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [HoneyHiveConnectionSettings.IngestionApiKeyEnvVar] = string.Empty,
                [HoneyHiveConnectionSettings.ProjectApiKeyEnvVar] = string.Empty,
                [HoneyHiveConnectionSettings.ApiKeyEnvVar] = "legacy",
                [HoneyHiveConnectionSettings.DataPlaneUrlEnvVar] = string.Empty,
                [HoneyHiveConnectionSettings.ApiUrlEnvVar] = string.Empty,
            })
            .Build();

        // Act
        var settings = new HoneyHiveConnectionSettings(configuration);

        // Assert
        Assert.Equal("legacy", settings.ApiKey);
        Assert.Equal(new Uri(HoneyHiveConnectionSettings.DefaultBaseUrl), settings.BaseUrl);
    }

    [Fact]
    public void ToString_WithKey_RedactsTheKey()
    {
        // Arrange
        using var env = new EnvironmentScope((HoneyHiveConnectionSettings.IngestionApiKeyEnvVar, "hh_ingst_supersecretvalue"));
        var settings = new HoneyHiveConnectionSettings();

        // Act
        var text = settings.ToString();

        // Assert
        Assert.DoesNotContain("supersecret", text, StringComparison.Ordinal);
        Assert.Contains("<redacted>", text, StringComparison.Ordinal);
        Assert.Contains("https://api.dp1.us.honeyhive.ai", text, StringComparison.Ordinal);
    }

    /// <summary>Sets the bridge's variables (all others of <see cref="AllVariables"/> unset) and restores them.</summary>
    private sealed class EnvironmentScope : IDisposable
    {
        private readonly Dictionary<string, string?> saved = [];

        public EnvironmentScope(params (string Name, string? Value)[] values)
        {
            foreach (var name in AllVariables)
            {
                this.saved[name] = Environment.GetEnvironmentVariable(name);
                Environment.SetEnvironmentVariable(name, null);
            }

            foreach (var (name, value) in values)
            {
                // An empty string cannot be stored portably by SetEnvironmentVariable; a blank one can.
                Environment.SetEnvironmentVariable(name, value == string.Empty ? " " : value);
            }
        }

        public void Dispose()
        {
            foreach (var (name, value) in this.saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
