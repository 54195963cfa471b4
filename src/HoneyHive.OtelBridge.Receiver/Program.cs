// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.CommandLine;
using System.Runtime.InteropServices;
using HoneyHive.OtelBridge.Receiver.Commands;

namespace HoneyHive.OtelBridge.Receiver;

/// <summary>The <c>honeyhive-bridge</c> executable.</summary>
public static class Program
{
    /// <summary>Runs the command line.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> Main(string[] args)
    {
        // Ctrl+C / SIGTERM stop a command gracefully from the first instruction on. System.CommandLine registers its
        // own handlers only once the action has run up to its first await, and `serve` may by then have started its
        // listeners and said so (Kestrel's start can complete synchronously): a SIGTERM in that window ended the
        // process with the signal's default action (exit 143, nothing flushed). These cancel the same token.
        using var stop = new CancellationTokenSource();
        using var sigInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Stop(context, stop));
        using var sigTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Stop(context, stop));

        // serve delivers what it holds after Ctrl+C / SIGTERM: give it longer than the 2 s default to exit.
        return await BuildRootCommand().Parse(args)
            .InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = ServeCommand.TerminationTimeout }, stop.Token)
            .ConfigureAwait(false);
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

    private static void Stop(PosixSignalContext context, CancellationTokenSource stop)
    {
        context.Cancel = true;
        stop.Cancel();
    }
}
