// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Receiver.Commands;
using Microsoft.Extensions.Configuration;

namespace HoneyHive.OtelBridge.Receiver.Tests.Commands;

public sealed class HoneyHiveCommandSenderTests
{
    [Fact]
    public void CreateSettings_NoKey_IsAUsageErrorNamingTheVariables()
    {
        // Act
        var ex = Assert.Throws<CommandUsageException>(() => HoneyHiveCommandSender.CreateSettings(Environment(), null));

        // Assert
        Assert.Equal(
            "No HoneyHive API key: set HH_INGESTION_API_KEY, HH_PROJECT_API_KEY, HH_API_KEY (read in that order). The key is never taken on the command line.",
            ex.Message);
    }

    [Theory]
    [InlineData("ingest", "project", "old", "ingest")]
    [InlineData(null, "project", "old", "project")]
    [InlineData(null, null, "old", "old")]
    public void CreateSettings_Keys_AreReadInOrder(string? ingestion, string? project, string? old, string expected)
    {
        // Act
        var settings = HoneyHiveCommandSender.CreateSettings(
            Environment(("HH_INGESTION_API_KEY", ingestion), ("HH_PROJECT_API_KEY", project), ("HH_API_KEY", old)), null);

        // Assert
        Assert.Equal(expected, settings.ApiKey);
    }

    [Theory]
    [InlineData("http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3", "http://127.0.0.1:1/")]
    [InlineData(null, "http://127.0.0.1:2", "http://127.0.0.1:3", "http://127.0.0.1:2/")]
    [InlineData(null, null, "http://127.0.0.1:3", "http://127.0.0.1:3/")]
    [InlineData(null, null, null, "https://api.dp1.us.honeyhive.ai/")]
    public void CreateSettings_Url_ApiUrlFlagThenDataPlaneThenApiUrlVariable(string? flag, string? dataPlane, string? apiUrl, string expected)
    {
        // Act
        var settings = HoneyHiveCommandSender.CreateSettings(
            Environment(("HH_API_KEY", "k"), ("HH_DATA_PLANE_URL", dataPlane), ("HH_API_URL", apiUrl)), flag);

        // Assert
        Assert.Equal(expected, settings.BaseUrl.AbsoluteUri);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1/")]
    public void CreateSettings_BadApiUrl_IsAUsageError(string flag)
    {
        // Act
        var ex = Assert.Throws<CommandUsageException>(() => HoneyHiveCommandSender.CreateSettings(Environment(("HH_API_KEY", "k")), flag));

        // Assert
        Assert.StartsWith("--api-url must be an absolute http(s) URL", ex.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Environment(params (string Name, string? Value)[] variables) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(variables.Where(v => v.Value is not null).Select(v => new KeyValuePair<string, string?>(v.Name, v.Value)))
            .Build();
}
