// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.CommandLine;
using HoneyHive.OtelBridge.LocalApi;
using Microsoft.Extensions.Logging;

namespace HoneyHive.OtelBridge.Receiver.Commands;

/// <summary>
/// <c>honeyhive-bridge local-api [--port 4319] [--db PATH] [--api-key KEY]</c>: runs the local HoneyHive-compatible
/// API on 127.0.0.1 until Ctrl+C or SIGTERM, and prints one line with its URL.
/// </summary>
internal static class LocalApiCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port")
        {
            Description = "TCP port on 127.0.0.1 (0 = an ephemeral port).",
            DefaultValueFactory = _ => LocalApiOptions.DefaultPort,
        };
        var db = new Option<string?>("--db")
        {
            Description = "SQLite database file (default: in memory, lost on exit).",
        };
        var apiKey = new Option<string?>("--api-key")
        {
            Description = "The only Bearer key accepted (default: any non-empty key).",
        };
        var command = new Command("local-api", "Run the local HoneyHive-compatible API.") { port, db, apiKey };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var options = new LocalApiOptions
            {
                Port = parseResult.GetValue(port),
                DatabasePath = parseResult.GetValue(db),
                ApiKey = parseResult.GetValue(apiKey),
            };
            return RunAsync(options, parseResult.InvocationConfiguration.Output, cancellationToken);
        });
        return command;
    }

    /// <summary>Runs the local API until <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <param name="options">The options (the listen address is always 127.0.0.1).</param>
    /// <param name="output">Where the URL line is printed.</param>
    /// <param name="cancellationToken">Cancelled by Ctrl+C / SIGTERM.</param>
    /// <returns>The exit code.</returns>
    internal static async Task<int> RunAsync(LocalApiOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        using var loggerFactory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddSimpleConsole(console => console.SingleLine = true));
        options.ListenAddress = "127.0.0.1";
        options.LoggerFactory = loggerFactory;

        // Started whatever the token says, as ServeCommand starts its host: a Ctrl+C / SIGTERM while starting then
        // stops it the usual way (exit 0); a cancelled start ended the command with exit code 1 and no word.
        var api = await LocalHoneyHiveApi.StartAsync(options, CancellationToken.None).ConfigureAwait(false);
        await using (api.ConfigureAwait(false))
        {
            await output.WriteLineAsync($"Local HoneyHive API listening on {api.BaseAddress} (Ctrl+C to stop)").ConfigureAwait(false);
            await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM: stop gracefully.
            }

            await api.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return 0;
    }
}
