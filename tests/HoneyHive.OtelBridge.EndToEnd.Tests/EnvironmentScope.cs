// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.EndToEnd.Tests;

/// <summary>Clears every <c>HH_*</c> variable, sets the given ones, and restores the previous values on dispose.
/// Use only in the <c>NonParallel</c> collection.</summary>
internal sealed class EnvironmentScope : IDisposable
{
    private readonly Dictionary<string, string?> saved = new(StringComparer.Ordinal);

    public EnvironmentScope(params (string Name, string? Value)[] variables)
    {
        var names = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(n => n.StartsWith("HH_", StringComparison.Ordinal) || n.StartsWith("HoneyHive", StringComparison.OrdinalIgnoreCase))
            .Concat(variables.Select(v => v.Name))
            .Distinct(StringComparer.Ordinal);
        foreach (var name in names)
        {
            this.saved[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, null);
        }

        foreach (var (name, value) in variables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, value) in this.saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
