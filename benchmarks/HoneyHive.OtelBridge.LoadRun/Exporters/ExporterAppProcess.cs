// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Globalization;
using HoneyHive.OtelBridge.LoadRun.Reporting;

namespace HoneyHive.OtelBridge.LoadRun.Exporters;

/// <summary>Runs the exporters phase's app (<see cref="ExporterApp"/>) once, as its own process, to its end, and reads
/// the lines it prints.</summary>
internal static class ExporterAppProcess
{
    /// <summary>Runs <c>dotnet &lt;dll&gt; --exporter-app …</c> and waits for it (at most the run's length + 2 minutes).</summary>
    /// <param name="endpointSpans">The spans the endpoint has received so far, read before the app starts and after it
    /// exited (<see langword="null"/> for no exporter).</param>
    public static async Task<ExporterResult> RunAsync(string dll, string exporter, Uri? endpoint, LoadRunOptions options, Func<Task<long>>? endpointSpans)
    {
        var spansBefore = endpointSpans is null ? 0 : await endpointSpans().ConfigureAwait(false);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (IEnumerable<string>)[
            dll, "--exporter-app", exporter,
            "--rate", options.Rate.ToString(CultureInfo.InvariantCulture),
            "--warmup", options.Warmup.ToString(CultureInfo.InvariantCulture),
            "--seconds", options.Seconds.ToString(CultureInfo.InvariantCulture)])
        {
            info.ArgumentList.Add(argument);
        }

        if (endpoint is not null)
        {
            info.ArgumentList.Add("--endpoint");
            info.ArgumentList.Add(endpoint.ToString());
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start dotnet " + dll);
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(options.Warmup + options.Seconds + 120));
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The {exporter} app did not finish in time.");
        }

        var lines = (await output.ConfigureAwait(false)).Split('\n', StringSplitOptions.TrimEntries);
        var window = Fields(lines, ExporterApp.WindowLine);
        var done = Fields(lines, ExporterApp.DoneLine);
        if (process.ExitCode != 0 || window is null || done is null)
        {
            throw new InvalidOperationException(
                $"The {exporter} app failed (exit code {process.ExitCode}):\n{string.Join('\n', lines)}\n{await errors.ConfigureAwait(false)}");
        }

        return new ExporterResult
        {
            Exporter = exporter,
            WindowSpans = long.Parse(window["spans"], CultureInfo.InvariantCulture),
            WindowSeconds = double.Parse(window["seconds"], CultureInfo.InvariantCulture),
            CpuSeconds = double.Parse(window["cpu"], CultureInfo.InvariantCulture),
            AllocatedBytes = long.Parse(window["allocated"], CultureInfo.InvariantCulture),
            Gen0 = long.Parse(window["gen0"], CultureInfo.InvariantCulture),
            Gen1 = long.Parse(window["gen1"], CultureInfo.InvariantCulture),
            Gen2 = long.Parse(window["gen2"], CultureInfo.InvariantCulture),
            DroppedInWarmup = long.TryParse(window.GetValueOrDefault("dropped_warmup"), CultureInfo.InvariantCulture, out var before) ? before : null,
            DroppedInWindow = long.TryParse(window.GetValueOrDefault("dropped_window"), CultureInfo.InvariantCulture, out var during) ? during : null,
            SpansMade = long.Parse(done["made"], CultureInfo.InvariantCulture),
            Warnings = lines.FirstOrDefault(l => l.StartsWith(ExporterApp.WarningsLine, StringComparison.Ordinal))?[ExporterApp.WarningsLine.Length..].Trim() ?? string.Empty,
            SpansExported = endpointSpans is null ? null : await endpointSpans().ConfigureAwait(false) - spansBefore,
        };
    }

    /// <summary>Reads the <c>key=value</c> fields of the line that starts with <paramref name="prefix"/>.</summary>
    private static Dictionary<string, string>? Fields(string[] lines, string prefix)
    {
        var line = lines.FirstOrDefault(l => l.StartsWith(prefix + " ", StringComparison.Ordinal));
        return line?[(prefix.Length + 1)..]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(field => field.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : string.Empty, StringComparer.Ordinal);
    }
}
