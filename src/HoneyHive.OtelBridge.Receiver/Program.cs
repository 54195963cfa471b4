// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.CommandLine;
using HoneyHive.OtelBridge.Receiver.Commands;

namespace HoneyHive.OtelBridge.Receiver;

/// <summary>The <c>honeyhive-bridge</c> executable.</summary>
public static class Program
{
    /// <summary>Runs the command line.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <returns>The process exit code.</returns>
    public static Task<int> Main(string[] args)
    {
        // serve delivers what it holds after Ctrl+C / SIGTERM: give it longer than the 2 s default to exit.
        return BuildRootCommand().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = ServeCommand.TerminationTimeout });
    }

    internal static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("honeyhive-bridge: OpenTelemetry to HoneyHive.");
        root.Subcommands.Add(LocalApiCommand.Create());
        root.Subcommands.Add(SessionsCommand.Create());
        root.Subcommands.Add(MapCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        return root;
    }
}
