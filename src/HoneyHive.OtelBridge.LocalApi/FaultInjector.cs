// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.LocalApi;

/// <summary>
/// In-process control of the faults the local API injects into its next <c>/v1/</c> requests.
/// Faults apply in the order they were queued.
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock sync = new();
    private readonly Queue<(InjectedFault Fault, int Remaining)> queue = new();
    private (InjectedFault Fault, int Remaining)? current;

    internal FaultInjector(bool enabled)
    {
        this.IsEnabled = enabled;
    }

    /// <summary>Gets a value indicating whether fault injection is enabled (<see cref="LocalApiOptions.EnableFaultInjection"/>).</summary>
    public bool IsEnabled { get; }

    /// <summary>Gets the number of requests that will still receive a queued fault.</summary>
    public int Pending
    {
        get
        {
            lock (this.sync)
            {
                return (this.current?.Remaining ?? 0) + this.queue.Sum(entry => entry.Remaining);
            }
        }
    }

    /// <summary>Queues a fault for the next <see cref="InjectedFault.Count"/> <c>/v1/</c> requests.</summary>
    /// <param name="fault">The fault.</param>
    /// <exception cref="InvalidOperationException">Fault injection is not enabled.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The count, status or delay is out of range.</exception>
    public void Enqueue(InjectedFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        if (!this.IsEnabled)
        {
            throw new InvalidOperationException("Fault injection is not enabled (LocalApiOptions.EnableFaultInjection).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(fault.Count, 1, nameof(fault));
        ArgumentOutOfRangeException.ThrowIfLessThan(fault.Delay, TimeSpan.Zero, nameof(fault));
        if (fault.StatusCode is { } status && (status < 100 || status > 599))
        {
            throw new ArgumentOutOfRangeException(nameof(fault), status, "The status must be between 100 and 599.");
        }

        lock (this.sync)
        {
            this.queue.Enqueue((fault, fault.Count));
        }
    }

    /// <summary>Removes every queued fault.</summary>
    public void Clear()
    {
        lock (this.sync)
        {
            this.queue.Clear();
            this.current = null;
        }
    }

    internal bool TryTake(out InjectedFault fault)
    {
        lock (this.sync)
        {
            if (this.current is null && this.queue.Count > 0)
            {
                this.current = this.queue.Dequeue();
            }

            if (this.current is not { } entry)
            {
                fault = null!;
                return false;
            }

            fault = entry.Fault;
            this.current = entry.Remaining > 1 ? (entry.Fault, entry.Remaining - 1) : null;
            return true;
        }
    }
}
