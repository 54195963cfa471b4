// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;

namespace HoneyHive.OtelBridge.Tests.Shared;

/// <summary>Waits for a condition that another thread makes true, checking it every 20 ms.</summary>
internal static class Poll
{
    /// <summary>Waits until <paramref name="condition"/> holds or <paramref name="bound"/> has passed.</summary>
    /// <returns>Whether the condition held.</returns>
    public static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan bound)
    {
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(started) >= bound)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test when <paramref name="bound"/> passes first.</summary>
    public static async Task UntilOrFailAsync(Func<bool> condition, TimeSpan bound) =>
        Assert.True(await UntilAsync(condition, bound), "condition not met within the bounded wait");
}
