// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Receiver.Tests;

/// <summary>The repository root: the first directory above the test binaries that holds HoneyHive.OtelBridge.sln.</summary>
internal static class RepositoryRoot
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HoneyHive.OtelBridge.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("HoneyHive.OtelBridge.sln not found above " + AppContext.BaseDirectory);
    }
}
