// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;
using Microsoft.Extensions.Configuration;

namespace HoneyHive.OtelBridge.Receiver.Commands;

/// <summary>
/// Sends a command's call through <see cref="HoneyHiveApiClient"/>, configured like the bridge: the key from
/// <c>HH_INGESTION_API_KEY</c>, else <c>HH_PROJECT_API_KEY</c>, else <c>HH_API_KEY</c> (never from the command
/// line); the URL from <c>--api-url</c>, else <c>HH_DATA_PLANE_URL</c>, else <c>HH_API_URL</c>, else the hosted API.
/// </summary>
internal static class HoneyHiveCommandSender
{
    /// <summary>Sends one call with settings from the environment.</summary>
    /// <param name="call">The call.</param>
    /// <param name="apiUrl">The <c>--api-url</c>, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The API's answer.</returns>
    public static async Task<JsonNode?> SendAsync(ApiCall call, string? apiUrl, CancellationToken cancellationToken)
    {
        var settings = CreateSettings(new ConfigurationBuilder().AddEnvironmentVariables().Build(), apiUrl);
        using var httpClient = HoneyHiveApiClient.CreateDefaultHttpClient();
        var client = new HoneyHiveApiClient(httpClient, settings);
        return await client.SendAsync(call, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Resolves the connection settings; a missing key or a bad URL is a usage error.</summary>
    /// <param name="environment">The environment variables.</param>
    /// <param name="apiUrl">The <c>--api-url</c>, or <see langword="null"/>.</param>
    /// <returns>The settings, with a key.</returns>
    internal static HoneyHiveConnectionSettings CreateSettings(IConfiguration environment, string? apiUrl)
    {
        IConfiguration configuration = environment;
        if (apiUrl is not null)
        {
            if (!Uri.TryCreate(apiUrl, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps))
            {
                throw new CommandUsageException("--api-url must be an absolute http(s) URL, got '" + apiUrl + "'.");
            }

            // --api-url wins over both URL variables.
            configuration = new ConfigurationBuilder()
                .AddConfiguration(environment)
                .AddInMemoryCollection(new Dictionary<string, string?>
                {
                    [HoneyHiveConnectionSettings.DataPlaneUrlEnvVar] = apiUrl,
                })
                .Build();
        }

        HoneyHiveConnectionSettings settings;
        try
        {
            settings = new HoneyHiveConnectionSettings(configuration);
        }
        catch (ArgumentException ex)
        {
            throw new CommandUsageException(ex.Message, ex);
        }

        if (!settings.HasApiKey)
        {
            throw new CommandUsageException(
                "No HoneyHive API key: set " + string.Join(", ", HoneyHiveConnectionSettings.ApiKeyEnvVars) +
                " (read in that order). The key is never taken on the command line.");
        }

        return settings;
    }
}
