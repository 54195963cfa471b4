// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using Microsoft.Extensions.Hosting;

namespace HoneyHive.OtelBridge.LocalApi.Implementation;

/// <summary>
/// The lifetime of the embedded host: it does not listen to Ctrl+C or SIGTERM (the default console lifetime
/// would swallow them). The process that embeds the local API owns those signals and calls
/// <see cref="LocalHoneyHiveApi.StopAsync"/>.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
