// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Text.RegularExpressions;

namespace HoneyHive.OtelBridge.EndToEnd.Tests.Receiver;

/// <summary>
/// <c>honeyhive-bridge serve</c> as a separate process (<c>dotnet HoneyHive.OtelBridge.Receiver.dll serve</c>) on
/// ephemeral loopback ports, with <c>HH_API_KEY</c> set on that process only (every inherited <c>HH_*</c> removed),
/// its stdout and stderr captured line by line.
/// </summary>
internal sealed partial class ServeProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process process;
    private readonly List<string> lines = [];
    private readonly object gate = new();

    private ServeProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => this.Add(e.Data);
        process.ErrorDataReceived += (_, e) => this.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri GrpcAddress { get; private set; } = null!;

    public Uri HttpAddress { get; private set; } = null!;

    public int ProcessId => this.process.Id;

    /// <summary>Gets every line written so far to stdout and stderr.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (this.gate)
            {
                return [.. this.lines];
            }
        }
    }

    /// <summary>Starts <c>serve</c> and waits for the line that gives its bound addresses.</summary>
    public static Task<ServeProcess> StartAsync(string apiKey, Uri apiUrl, string dataDirectory, params string[] extraArgs) =>
        StartAsync(apiKey, apiUrl, dataDirectory, new Dictionary<string, string>(), extraArgs);

    /// <summary>Starts <c>serve</c> with more environment variables on its process and waits for the line that gives
    /// its bound addresses.</summary>
    public static async Task<ServeProcess> StartAsync(string apiKey, Uri apiUrl, string dataDirectory, IReadOnlyDictionary<string, string> environment, params string[] extraArgs)
    {
        var serve = Launch(apiKey, apiUrl, dataDirectory, environment, extraArgs);
        try
        {
            var listening = await serve.WaitForLineAsync(ListeningPattern(), StartTimeout);
            serve.GrpcAddress = new Uri(listening.Groups[1].Value);
            serve.HttpAddress = new Uri(listening.Groups[2].Value);
            return serve;
        }
        catch
        {
            serve.Dispose();
            throw;
        }
    }

    /// <summary>Starts <c>serve</c> and returns at once (its addresses are not known yet).</summary>
    public static ServeProcess Launch(string apiKey, Uri apiUrl, string dataDirectory, IReadOnlyDictionary<string, string> environment, params string[] extraArgs)
    {
        var dll = typeof(HoneyHive.OtelBridge.Receiver.Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var arg in new[] { dll, "serve", "--grpc-port", "0", "--http-port", "0", "--listen", "127.0.0.1", "--api-url", apiUrl.ToString(), "--data-dir", dataDirectory }.Concat(extraArgs))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("HH_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["HH_API_KEY"] = apiKey;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new ServeProcess(Process.Start(start)!);
    }

    /// <summary>Waits (bounded) for a line matching <paramref name="pattern"/>.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan bound)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            foreach (var line in this.Lines)
            {
                var match = pattern.Match(line);
                if (match.Success)
                {
                    return match;
                }
            }

            if (this.process.HasExited && Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(1))
            {
                throw new InvalidOperationException($"serve exited ({this.process.ExitCode}) before writing /{pattern}/:\n" + string.Join("\n", this.Lines));
            }

            if (Stopwatch.GetElapsedTime(started) > bound)
            {
                throw new TimeoutException($"serve wrote no line matching /{pattern}/ within {bound}:\n" + string.Join("\n", this.Lines));
            }

            await Task.Delay(50);
        }
    }

    /// <summary>SIGKILL: the process dies at once, nothing flushed, no shutdown code run.</summary>
    public async Task KillAsync()
    {
        this.process.Kill();
        await this.process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>SIGTERM (graceful: stop listening, deliver what is held within the shutdown wait); returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", this.process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        await this.process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        this.process.WaitForExit(); // drains the redirected streams
        return this.process.ExitCode;
    }

    public void Dispose()
    {
        if (!this.process.HasExited)
        {
            this.process.Kill();
            this.process.WaitForExit(10_000);
        }

        this.process.Dispose();
    }

    [GeneratedRegex(@"OTLP/gRPC listening on (http://127\.0\.0\.1:\d+/); OTLP/HTTP listening on (http://127\.0\.0\.1:\d+/)v1/traces")]
    private static partial Regex ListeningPattern();

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (this.gate)
        {
            this.lines.Add(line);
        }
    }
}
