// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace HoneyHive.OtelBridge.LoadRun.Targets;

/// <summary>
/// A receiver under test, run as its own process (<c>dotnet &lt;dll&gt; …</c>): started, asked for its gRPC address
/// (parsed from the line it prints when listening), measured from <c>/proc/&lt;pid&gt;</c> (CPU time, RSS, peak RSS)
/// and killed at the end. Its output is drained (and counted) so it never blocks on a full pipe.
/// </summary>
internal sealed partial class TargetProcess : IDisposable
{
    private readonly Process process;
    private long outputLines;

    private TargetProcess(Process process)
    {
        this.process = process;
    }

    public Uri Address { get; private set; } = null!;

    public int Id => this.process.Id;

    public long OutputLines => Interlocked.Read(ref this.outputLines);

    public static async Task<TargetProcess> StartAsync(string dll, IEnumerable<string> arguments, IDictionary<string, string> environment, Regex listening, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start dotnet " + dll);
        var address = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var recent = new Queue<string>();
        var target = new TargetProcess(process);
        void OnLine(string? line)
        {
            if (line is null)
            {
                address.TrySetException(new InvalidOperationException("The target exited before listening:\n" + string.Join('\n', recent)));
                return;
            }

            Interlocked.Increment(ref target.outputLines);
            if (!address.Task.IsCompleted)
            {
                lock (recent)
                {
                    recent.Enqueue(line);
                    if (recent.Count > 20)
                    {
                        recent.Dequeue();
                    }
                }

                var match = listening.Match(line);
                if (match.Success)
                {
                    address.TrySetResult(new Uri(match.Groups[1].Value));
                }
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            target.Address = await address.Task.WaitAsync(timeout).ConfigureAwait(false);
            return target;
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }
    }

    /// <summary>Gets the process's CPU time so far (user + system).</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{this.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

        // Fields 14 and 15 of stat (utime, stime), counted after the ")" that ends the command name: indexes 11 and 12.
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / (double)ClockTicksPerSecond);
    }

    /// <summary>Gets the number of the .NET thread pool's worker threads the process has now (threads named
    /// <c>.NET TP Worker</c> in <c>/proc/&lt;pid&gt;/task</c>).</summary>
    public int ThreadPoolWorkers()
    {
        var workers = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{this.Id}/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == ".NET TP Worker")
                {
                    workers++;
                }
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }

        return workers;
    }

    /// <summary>Gets the resident set size now, in bytes (<c>VmRSS</c>).</summary>
    public long Rss() => this.Status("VmRSS:");

    /// <summary>Gets the peak resident set size so far, in bytes (<c>VmHWM</c>).</summary>
    public long PeakRss() => this.Status("VmHWM:");

    public void Dispose()
    {
        try
        {
            if (!this.process.HasExited)
            {
                this.process.StandardInput.Close();
                if (!this.process.WaitForExit(2000))
                {
                    this.process.Kill();
                    this.process.WaitForExit(5000);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        this.process.Dispose();
    }

    // USER_HZ: 100 on every Linux the runtime supports.
    private const int ClockTicksPerSecond = 100;

    private long Status(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{this.Id}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var kib = long.Parse(SpaceRegex().Split(line.Trim())[1], CultureInfo.InvariantCulture);
                return kib * 1024;
            }
        }

        return 0;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex SpaceRegex();
}
