// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using Microsoft.Extensions.Hosting;

namespace HoneyHive.OtelBridge.Receiver.Hosting;

/// <summary>
/// The receiver host's lifetime: it leaves Ctrl+C and SIGTERM to the command line (System.CommandLine cancels the
/// <c>serve</c> action, which stops the host and then flushes the pipeline), instead of the console lifetime's own
/// handling.
/// </summary>
internal sealed class CommandHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
