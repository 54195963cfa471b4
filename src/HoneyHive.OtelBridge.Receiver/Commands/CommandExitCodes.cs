// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Receiver.Commands;

/// <summary>The exit codes of the <c>sessions</c> commands (documented in the README).</summary>
internal static class CommandExitCodes
{
    /// <summary>The request succeeded, or a schema was printed.</summary>
    public const int Success = 0;

    /// <summary>The API answered an error, or could not be reached.</summary>
    public const int ApiError = 1;

    /// <summary>The command line, the <c>--filename</c> file or the environment is wrong; nothing was sent.</summary>
    public const int UsageError = 2;

    /// <summary><c>serve</c>: another <c>serve</c> holds the data directory; nothing was started.</summary>
    public const int DataDirectoryInUse = 3;
}
