// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Receiver.Hosting;

/// <summary>Another <c>serve</c> holds the data directory (see <see cref="DataDirectoryLock"/>).</summary>
internal sealed class DataDirectoryInUseException : Exception
{
    public DataDirectoryInUseException()
    {
    }

    public DataDirectoryInUseException(string message)
        : base(message)
    {
    }

    public DataDirectoryInUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
