// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// The calls of one assembled trace as a sink prepared them (<see cref="IApiCallSink.Prepare"/>) on the thread that
/// mapped the trace, for a later <see cref="IApiCallSink.TrySubmit(PreparedCalls)"/> in submission order: the work
/// that does not depend on that order (delivery: encoding each event) is done before it, not under it. This base
/// holds the calls as they are (sinks that prepare nothing); delivery derives its own, with the encoded events.
/// </summary>
internal class PreparedCalls
{
    /// <summary>Initializes a new instance of the <see cref="PreparedCalls"/> class.</summary>
    /// <param name="calls">The calls, in order.</param>
    public PreparedCalls(IReadOnlyList<ApiCall> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        this.Calls = calls;
    }

    /// <summary>Gets the calls, in order (delivery's: the calls as it queues them, event batches encoded).</summary>
    public IReadOnlyList<ApiCall> Calls { get; }

    /// <summary>
    /// Lets go of what the sink prepared when the calls will not be submitted (given up): delivery returns the
    /// rented arrays of the encoded events to their pool. Nothing for calls prepared as they are. Only for a set the
    /// sink did not take; the set must not be submitted afterwards.
    /// </summary>
    public virtual void Abandon()
    {
    }
}
