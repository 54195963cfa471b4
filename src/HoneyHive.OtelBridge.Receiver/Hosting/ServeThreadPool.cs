// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;

namespace HoneyHive.OtelBridge.Receiver.Hosting;

/// <summary>
/// The .NET thread pool of <c>serve</c>: without hill climbing (the runtimeconfig switch
/// <c>System.Threading.ThreadPool.HillClimbing.Disable</c>, set in the receiver's project), with one worker a core,
/// or <see cref="FsyncWorkersPerCore"/> a core when every log append waits for the disk.
/// </summary>
/// <remarks>
/// An export is CPU work from start to end (decode, log, map, encode). Hill climbing adds workers while it sees
/// throughput move; under a steady load it grew <c>serve</c>'s pool to 11-15 workers on 2 cores, and switching
/// between them cost <c>serve</c> 10-15 % of its CPU per span (README, Performance). Without it the pool keeps its
/// minimum and adds a worker only when queued work is starved or a worker blocks on a task. With
/// <c>--log-fsync</c> an export also blocks its worker in <c>fsync</c>: one worker a core then left the cores idle
/// (a fifth of the machine, and a third fewer spans a second, in the load run), so the minimum is raised.
/// </remarks>
internal static class ServeThreadPool
{
    /// <summary>The runtimeconfig switch (set in <c>HoneyHive.OtelBridge.Receiver.csproj</c>).</summary>
    public const string SwitchName = "System.Threading.ThreadPool.HillClimbing.Disable";

    /// <summary>The environment variable that overrides the switch (<c>0</c> turns hill climbing back on).</summary>
    public const string EnvironmentVariable = "DOTNET_HillClimbing_Disable";

    /// <summary>Workers a core to keep when every log append is forced to the disk.</summary>
    public const int FsyncWorkersPerCore = 4;

    /// <summary>Gets whether hill climbing is off in this process, read as the runtime reads it: the environment
    /// variable (or <c>COMPlus_HillClimbing_Disable</c>; a hexadecimal number) first, then the runtimeconfig switch.</summary>
    /// <param name="environment">Reads an environment variable (the process's by default).</param>
    /// <returns><see langword="true"/> when the thread pool runs without hill climbing.</returns>
    public static bool IsHillClimbingDisabled(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var text = environment(EnvironmentVariable) ?? environment("COMPlus_HillClimbing_Disable");
        if (text is not null)
        {
            var digits = text.StartsWith("0x", StringComparison.Ordinal) ? text[2..] : text;
            if (uint.TryParse(digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value))
            {
                return value != 0;
            }
        }

        return AppContext.TryGetSwitch(SwitchName, out var disabled) && disabled;
    }

    /// <summary>Gets the fewest workers the pool should keep.</summary>
    /// <param name="logFsync">Whether every log append is forced to the disk.</param>
    /// <param name="processorCount">The cores the process may use.</param>
    /// <param name="currentMinimum">The pool's minimum now (the runtime's default is one a core).</param>
    /// <returns>The minimum: never below <paramref name="currentMinimum"/>.</returns>
    public static int MinWorkers(bool logFsync, int processorCount, int currentMinimum) =>
        logFsync ? Math.Max(currentMinimum, processorCount * FsyncWorkersPerCore) : currentMinimum;

    /// <summary>Sets the pool's minimum workers for <paramref name="logFsync"/>.</summary>
    /// <param name="logFsync">Whether every log append is forced to the disk.</param>
    /// <returns>The pool's minimum workers afterwards.</returns>
    public static int Configure(bool logFsync)
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        var wanted = MinWorkers(logFsync, Environment.ProcessorCount, workers);
        return wanted != workers && ThreadPool.SetMinThreads(wanted, completionPorts) ? wanted : workers;
    }
}
