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
        return BuildRootCommand().Parse(args).InvokeAsync();
    }

    internal static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("honeyhive-bridge: OpenTelemetry to HoneyHive.");
        root.Subcommands.Add(LocalApiCommand.Create());
        root.Subcommands.Add(SessionsCommand.Create());
        root.Subcommands.Add(MapCommand.Create());
        return root;
    }
}
