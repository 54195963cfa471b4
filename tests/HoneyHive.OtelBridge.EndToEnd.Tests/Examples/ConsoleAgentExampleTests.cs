// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;

namespace HoneyHive.OtelBridge.EndToEnd.Tests.Examples;

public sealed class ConsoleAgentExampleTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Run_NoApiKey_PrintsTheStoredSessionAndEventTree()
    {
        // Arrange
        var dll = ExampleDll();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("HH_", StringComparison.Ordinal) || k.StartsWith("HoneyHive", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        // Act
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(Timeout))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("The example did not exit within " + Timeout + ".");
            }
        }

        // Assert
        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{output}\n{await stderr}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.Contains(lines, l => l.StartsWith("No HoneyHive API key set", StringComparison.Ordinal) && l.Contains("http://127.0.0.1:", StringComparison.Ordinal));
        Assert.Contains("Agent: It is 18 °C and cloudy in Paris.", lines);
        var tree = lines.SkipWhile(l => l != "Stored session and event tree:").Skip(1)
            .Select(l => (Indent: l.Length - l.TrimStart().Length, Text: StripDuration(l.Trim())))
            .ToList();
        Assert.Equal(
            [
                (0, "session invoke_agent WeatherAgent"),
                (2, "chain invoke_agent WeatherAgent"),
                (4, "model chat gpt-4o-mini"),
                (4, "tool execute_tool get_weather"),
                (4, "model chat gpt-4o-mini"),
            ],
            tree);
        Assert.All(lines.SkipWhile(l => l != "Stored session and event tree:").Skip(1), l => Assert.Matches(@"\(\d+ ms\)$", l));
    }

    private static string StripDuration(string line)
    {
        var open = line.LastIndexOf(" (", StringComparison.Ordinal);
        return open < 0 ? line : line[..open];
    }

    private static string ExampleDll()
    {
        // tests/<Project>/bin/<Configuration>/<tfm>/ → examples/Examples.ConsoleAgent/bin/<Configuration>/<tfm>/
        var testDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tfm = testDir.Name;
        var configuration = testDir.Parent!.Name;
        var repo = testDir.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var dll = Path.Combine(repo, "examples", "Examples.ConsoleAgent", "bin", configuration, tfm, "Examples.ConsoleAgent.dll");
        Assert.True(File.Exists(dll), "Build the example first: " + dll);
        return dll;
    }
}
