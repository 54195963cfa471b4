// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Mapping;
using Microsoft.Extensions.Configuration;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace HoneyHive.OtelBridge.Tests;

[Collection("NonParallel")]
public sealed class HoneyHiveExporterOptionsTests
{
    [Fact]
    public void Constructor_EmptyConfiguration_DocumentedDefaults()
    {
        // Act
        var options = Create([]);

        // Assert
        Assert.Null(options.ApiKey);
        Assert.Equal(new Uri(HoneyHiveConnectionSettings.DefaultBaseUrl), options.Endpoint);
        Assert.Null(options.Source);
        Assert.Equal(TimeSpan.FromSeconds(30), options.RootWait);
        Assert.Equal(100_000, options.MaxHeldSpans);
        Assert.Equal(100_000, options.MaxAttributeLength);
        Assert.Equal(16, options.MaxConcurrentRequests);
        Assert.Equal(32L * 1024 * 1024, options.MaxQueuedBytes);
        Assert.Equal(ExportProcessorType.Batch, options.ExportProcessorType);
        Assert.Same(HoneyHiveExporterOptions.DefaultHttpClientFactory, options.HttpClientFactory);
        Assert.Equal(2048, options.BatchExportProcessorOptions.MaxQueueSize);
    }

    [Theory]
    [InlineData("HH_INGESTION_API_KEY")]
    [InlineData("HH_PROJECT_API_KEY")]
    [InlineData("HH_API_KEY")]
    public void Constructor_KeyInEnvironmentVariable_Read(string variable)
    {
        // Act
        var options = Create(new() { [variable] = "env-key" });

        // Assert
        Assert.Equal("env-key", options.ApiKey);
    }

    [Fact]
    public void Constructor_ConfigurationSectionAndEnvironment_SectionWins()
    {
        // Act
        var options = Create(new()
        {
            ["HH_API_KEY"] = "env-key",
            ["HH_DATA_PLANE_URL"] = "http://env.example:1",
            ["HH_SOURCE"] = "env-source",
            ["HoneyHive:ApiKey"] = "config-key",
            ["HoneyHive:Endpoint"] = "http://config.example:2",
            ["HoneyHive:Source"] = "config-source",
            ["HoneyHive:RootWait"] = "00:00:05",
            ["HoneyHive:MaxHeldSpans"] = "10",
            ["HoneyHive:MaxAttributeLength"] = "1000",
            ["HoneyHive:MaxConcurrentRequests"] = "48",
            ["HoneyHive:MaxQueuedBytes"] = "8589934592",
            ["HoneyHive:ExportProcessorType"] = "simple",
        });

        // Assert
        Assert.Equal("config-key", options.ApiKey);
        Assert.Equal(new Uri("http://config.example:2"), options.Endpoint);
        Assert.Equal("config-source", options.Source);
        Assert.Equal(TimeSpan.FromSeconds(5), options.RootWait);
        Assert.Equal(10, options.MaxHeldSpans);
        Assert.Equal(1000, options.MaxAttributeLength);
        Assert.Equal(48, options.MaxConcurrentRequests);
        Assert.Equal(8L * 1024 * 1024 * 1024, options.MaxQueuedBytes);
        Assert.Equal(ExportProcessorType.Simple, options.ExportProcessorType);
    }

    [Fact]
    public void ParameterlessConstructor_EnvironmentVariables_ReadAndCodeWins()
    {
        // Arrange
        var saved = new[] { "HH_API_KEY", "HH_API_URL", "HH_SOURCE" }.ToDictionary(n => n, Environment.GetEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable("HH_API_KEY", "env-key");
            Environment.SetEnvironmentVariable("HH_API_URL", "http://env.example:3");
            Environment.SetEnvironmentVariable("HH_SOURCE", "env-source");

            // Act
            var options = new HoneyHiveExporterOptions { Source = "code-source" };

            // Assert
            Assert.Equal("env-key", options.ApiKey);
            Assert.Equal(new Uri("http://env.example:3"), options.Endpoint);
            Assert.Equal("code-source", options.Source);
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    [Theory]
    [InlineData("HoneyHive:Endpoint", "not a url")]
    [InlineData("HoneyHive:Endpoint", "ftp://example.com")]
    [InlineData("HoneyHive:RootWait", "soon")]
    [InlineData("HoneyHive:MaxHeldSpans", "0")]
    [InlineData("HoneyHive:MaxAttributeLength", "10")]
    [InlineData("HoneyHive:MaxConcurrentRequests", "0")]
    [InlineData("HoneyHive:MaxQueuedBytes", "0")]
    [InlineData("HoneyHive:MaxQueuedBytes", "1.5")]
    [InlineData("HoneyHive:ExportProcessorType", "Eventually")]
    public void Constructor_InvalidConfigurationValue_ThrowsValidationExceptionNamingTheKey(string key, string value)
    {
        // Act
        var error = Assert.Throws<HoneyHiveExporterValidationException>(() => Create(new() { [key] = value }));

        // Assert
        Assert.Contains(key.Split(':')[1], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NoKey_MessageNamesEverySettingAndNeverAKey()
    {
        // Arrange
        var options = Create([]);

        // Act
        var error = Assert.Throws<HoneyHiveExporterValidationException>(options.Validate);

        // Assert
        Assert.Contains("HoneyHiveExporterOptions.ApiKey", error.Message, StringComparison.Ordinal);
        Assert.Contains("HoneyHive:ApiKey", error.Message, StringComparison.Ordinal);
        Assert.Contains("HH_INGESTION_API_KEY, HH_PROJECT_API_KEY, HH_API_KEY", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Setters_OutOfRange_Throw()
    {
        // Arrange
        var options = Create([]);

        // Act & Assert
        Assert.Throws<ArgumentOutOfRangeException>(() => options.RootWait = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxHeldSpans = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxAttributeLength = 63);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxConcurrentRequests = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxQueuedBytes = 0);
        Assert.Throws<ArgumentException>(() => options.Endpoint = new Uri("file:///tmp/x"));
        options.RootWait = Timeout.InfiniteTimeSpan;
        Assert.Equal(Timeout.InfiniteTimeSpan, options.RootWait);
    }

    [Theory]
    [InlineData("code", "production", "code")]
    [InlineData(null, "production", "production")]
    [InlineData(null, null, MappingOptions.DefaultSource)]
    public void ResolveSource_OptionThenResourceThenDefault(string? option, string? environment, string expected)
    {
        // Arrange
        var options = Create([]);
        options.Source = option;
        var resource = environment is null
            ? new List<KeyValuePair<string, object?>>()
            : [new("deployment.environment.name", environment)];

        // Act
        var source = options.ResolveSource(resource);

        // Assert
        Assert.Equal(expected, source);
    }

    private static HoneyHiveExporterOptions Create(Dictionary<string, string?> values) => new(
        new ConfigurationBuilder().AddInMemoryCollection(values).Build(),
        new BatchExportActivityProcessorOptions());
}
