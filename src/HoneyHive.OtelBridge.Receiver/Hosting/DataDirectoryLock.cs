// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text;

namespace HoneyHive.OtelBridge.Receiver.Hosting;

/// <summary>
/// The exclusive hold of one <c>serve</c> on its data directory: a lock file opened with <see cref="FileShare.None"/>
/// (on Linux and macOS .NET backs it with an advisory <c>flock</c>), kept open while the receiver runs. Two writers on
/// one durable log would corrupt it, so a second <c>serve</c> on the same directory is refused. The operating system
/// lets go of the lock when the process dies, however it dies.
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream stream;

    private DataDirectoryLock(FileStream stream, string path)
    {
        this.stream = stream;
        this.Path = path;
    }

    /// <summary>Gets the path of the lock file.</summary>
    public string Path { get; }

    /// <summary>Takes the data directory (creating it), or throws when another process holds it.</summary>
    /// <param name="dataDirectory">The data directory.</param>
    /// <param name="fileName">The lock file's name inside it.</param>
    /// <returns>The lock; dispose it to let go.</returns>
    /// <exception cref="DataDirectoryInUseException">Another process holds the lock.</exception>
    public static DataDirectoryLock Acquire(string dataDirectory, string fileName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        Directory.CreateDirectory(dataDirectory);
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dataDirectory, fileName));
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new DataDirectoryInUseException(
                $"The data directory '{System.IO.Path.GetFullPath(dataDirectory)}' is in use by another honeyhive-bridge serve (it holds '{path}'). "
                + "Two receivers on one data directory would corrupt its durable log: give each its own --data-dir.",
                ex);
        }

        // The holder's process id, for a human looking at the directory (the lock is the open handle, not this text).
        var text = Encoding.UTF8.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        stream.SetLength(0);
        stream.Write(text);
        stream.Flush();
        return new DataDirectoryLock(stream, path);
    }

    /// <inheritdoc/>
    public void Dispose() => this.stream.Dispose();
}
