// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.LocalApi;

/// <summary>A fault the local API applies to its next <c>/v1/</c> requests (see <see cref="FaultInjector"/>).</summary>
public sealed class InjectedFault
{
    /// <summary>
    /// Gets the HTTP status to answer. Default: <see langword="null"/>, the request is served normally
    /// (after <see cref="Delay"/>).
    /// </summary>
    public int? StatusCode { get; init; }

    /// <summary>Gets how many requests the fault applies to. Default: 1.</summary>
    public int Count { get; init; } = 1;

    /// <summary>Gets the <c>Retry-After</c> header value sent with <see cref="StatusCode"/>. Default: none.</summary>
    public string? RetryAfter { get; init; }

    /// <summary>Gets how long to wait before answering. Default: <see cref="TimeSpan.Zero"/>.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>
    /// Gets a value indicating whether a batch route stores the first half of the batch before answering
    /// <see cref="StatusCode"/> 500 ("Events partially added"). Default: <see langword="false"/>.
    /// </summary>
    public bool Partial { get; init; }
}
