// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Mapping;

namespace HoneyHive.OtelBridge.Implementation.Assembly;

/// <summary>Settings of the <see cref="TraceAssembler"/>.</summary>
internal sealed class TraceAssemblerOptions
{
    /// <summary>
    /// Gets how long a trace's spans are held waiting for its root (counted from the first held
    /// span); after that the trace is emitted with what is there. Default 30 s;
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits until <see cref="TraceAssembler.FlushAll"/>.
    /// </summary>
    public TimeSpan RootWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets the most spans held at once; past it the oldest traces are emitted early (never
    /// dropped). Default 100,000.
    /// </summary>
    public int MaxHeldSpans { get; init; } = 100_000;

    /// <summary>
    /// Gets the most spans held for one trace; when a trace reaches it, the trace is emitted early with what is
    /// there (never dropped) and its later spans join the same session. Default 10,000.
    /// </summary>
    public int MaxHeldSpansPerTrace { get; init; } = 10_000;

    /// <summary>
    /// Gets how many already-emitted traces are remembered so that their late spans join the same
    /// session without a new session call. Default 10,000. A forgotten trace's late spans re-post
    /// its session (idempotent) and stand-ins for missing parents.
    /// </summary>
    public int MaxRememberedTraces { get; init; } = 10_000;

    /// <summary>Gets the mapping options.</summary>
    public MappingOptions Mapping { get; init; } = MappingOptions.Default;
}
