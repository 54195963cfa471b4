// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Tests.Shared;

/// <summary>What a call allocates on the calling thread.</summary>
internal static class Allocations
{
    /// <summary>Calls <paramref name="act"/> once (what a first call sets up is not counted), then again, counting the
    /// bytes the second call allocates on this thread.</summary>
    /// <typeparam name="T">The result's type.</typeparam>
    /// <param name="act">The call.</param>
    /// <returns>The second call's result and the bytes it allocated.</returns>
    public static (T Result, long Bytes) OfSecondCall<T>(Func<T> act)
    {
        _ = act();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = act();
        return (result, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
