// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Implementation.Exporter;

/// <summary>
/// The exporter's bounded hand-off between the SDK's export thread and the pipeline: <c>Export</c> puts a converted
/// batch here and returns; one worker thread takes the batches in order and hands each to the processing callback
/// (trace assembly, mapping, encoding). Its capacity is counted in spans (the batches queued, the one being processed,
/// and reservations). When a batch does not fit, <see cref="TryReserve"/> says so and the caller processes the batch
/// itself (caller-runs): nothing is refused because of the intake.
/// </summary>
/// <remarks>
/// A batch is added in two steps, <see cref="TryReserve"/> then <see cref="Enqueue"/> (or
/// <see cref="CancelReservation"/>), so that the caller can do work between them that must happen before the batch is
/// queued (write it to the durable log) while the bound still holds.
/// </remarks>
internal sealed class SpanIntake
{
    private readonly object gate = new();
    private readonly Queue<IntakeBatch> queue = new();
    private readonly Action<IntakeBatch> process;
    private readonly object stopGate = new();
    private Thread? worker;
    private int capacity;
    private int spans;
    private int holds;
    private long enqueued;
    private long finished;
    private bool closed;
    private bool stopped;

    /// <param name="capacity">The most spans the intake holds (queued, being processed, or reserved).</param>
    /// <param name="process">Processes one batch on the worker thread; must not throw.</param>
    public SpanIntake(int capacity, Action<IntakeBatch> process)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentNullException.ThrowIfNull(process);
        this.capacity = capacity;
        this.process = process;
    }

    /// <summary>Gets or sets the most spans the intake holds (tests may change it).</summary>
    public int Capacity
    {
        get
        {
            lock (this.gate)
            {
                return this.capacity;
            }
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            lock (this.gate)
            {
                this.capacity = value;
            }
        }
    }

    /// <summary>Gets the number of spans in the intake: queued, being processed, or reserved.</summary>
    public int SpanCount
    {
        get
        {
            lock (this.gate)
            {
                return this.spans;
            }
        }
    }

    /// <summary>Gets a value indicating whether the worker was stopped (<see cref="Stop"/>).</summary>
    public bool IsStopped => Volatile.Read(ref this.stopped);

    /// <summary>Gets a value indicating whether the intake takes no more batches (<see cref="Close"/>).</summary>
    public bool IsClosed
    {
        get
        {
            lock (this.gate)
            {
                return this.closed;
            }
        }
    }

    /// <summary>Starts the worker thread, once. The thread keeps the execution context it is started in: the caller
    /// suppresses its flow.</summary>
    public void Start()
    {
        lock (this.gate)
        {
            if (this.worker is not null || this.stopped)
            {
                return;
            }

            this.worker = new Thread(this.Run)
            {
                IsBackground = true,
                Name = "OpenTelemetry-HoneyHive-Exporter-Intake",
            };
            this.worker.Start();
        }
    }

    /// <summary>Reserves room for a batch of <paramref name="spanCount"/> spans.</summary>
    /// <param name="spanCount">The batch's spans.</param>
    /// <returns><see langword="false"/> when they do not fit, or the intake is closed: the caller processes the batch
    /// itself.</returns>
    public bool TryReserve(int spanCount)
    {
        lock (this.gate)
        {
            if (this.closed || spanCount > this.capacity - this.spans)
            {
                return false;
            }

            this.spans += spanCount;
            return true;
        }
    }

    /// <summary>Gives back room reserved by <see cref="TryReserve"/> for a batch that will not be queued.</summary>
    /// <param name="spanCount">The spans reserved.</param>
    public void CancelReservation(int spanCount)
    {
        lock (this.gate)
        {
            this.spans -= spanCount;
        }
    }

    /// <summary>Queues a batch whose room <see cref="TryReserve"/> reserved, for the worker.</summary>
    /// <param name="batch">The batch.</param>
    /// <returns><see langword="false"/> when the intake stopped since the reservation (the reservation is given back
    /// and the caller processes the batch itself).</returns>
    public bool Enqueue(IntakeBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        lock (this.gate)
        {
            if (this.stopped)
            {
                this.spans -= batch.Spans.Count;
                return false;
            }

            this.queue.Enqueue(batch);
            this.enqueued++;
            Monitor.PulseAll(this.gate);
            return true;
        }
    }

    /// <summary>Waits until every batch queued before the call was processed (or taken back by <see cref="Stop"/>);
    /// batches queued meanwhile are not waited for, so a steady stream of exports cannot make the wait endless.</summary>
    /// <param name="timeout">The longest wait (<see cref="Timeout.InfiniteTimeSpan"/> for no limit).</param>
    /// <returns><see langword="true"/> when they were.</returns>
    public bool WaitForQueued(TimeSpan timeout)
    {
        var infinite = timeout == Timeout.InfiniteTimeSpan;
        var deadline = infinite ? 0 : Environment.TickCount64 + (long)Math.Max(0, timeout.TotalMilliseconds);
        lock (this.gate)
        {
            var target = this.enqueued;
            while (this.finished < target)
            {
                if (infinite)
                {
                    Monitor.Wait(this.gate);
                    continue;
                }

                var left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    return false;
                }

                Monitor.Wait(this.gate, (int)Math.Min(int.MaxValue, left));
            }

            return true;
        }
    }

    /// <summary>For the processing callback: waits <paramref name="delay"/>, or less when the intake is stopping.</summary>
    /// <param name="delay">The wait.</param>
    /// <returns><see langword="false"/> when the intake is stopping: the callback gives up its batch.</returns>
    public bool Pause(TimeSpan delay)
    {
        lock (this.stopGate)
        {
            if (!Volatile.Read(ref this.stopped))
            {
                Monitor.Wait(this.stopGate, delay);
            }

            return !Volatile.Read(ref this.stopped);
        }
    }

    /// <summary>Takes no more batches: <see cref="TryReserve"/> answers <see langword="false"/> from now on. The
    /// worker goes on with what is queued.</summary>
    public void Close()
    {
        lock (this.gate)
        {
            this.closed = true;
        }
    }

    /// <summary>
    /// Closes the intake, stops the worker (a callback in <see cref="Pause"/> is woken and gives up its batch) and
    /// waits up to <paramref name="timeout"/> for it to finish the batch it holds, then returns the batches it did
    /// not take, oldest first. Later calls return nothing.
    /// </summary>
    /// <param name="timeout">The longest wait for the worker's current batch.</param>
    /// <returns>The batches not processed.</returns>
    public IReadOnlyList<IntakeBatch> Stop(TimeSpan timeout)
    {
        Thread? thread;
        List<IntakeBatch> left;
        lock (this.gate)
        {
            if (this.stopped)
            {
                return [];
            }

            this.closed = true;
            Volatile.Write(ref this.stopped, true);
            thread = this.worker;
            left = [.. this.queue];
            this.queue.Clear();
            foreach (var batch in left)
            {
                this.finished++;
                this.spans -= batch.Spans.Count;
            }

            Monitor.PulseAll(this.gate);
        }

        lock (this.stopGate)
        {
            Monitor.PulseAll(this.stopGate);
        }

        if (thread is not null && thread != Thread.CurrentThread)
        {
            thread.Join(timeout == Timeout.InfiniteTimeSpan ? timeout : TimeSpan.FromMilliseconds(Math.Max(0, timeout.TotalMilliseconds)));
        }

        return left;
    }

    /// <summary>Keeps the worker from taking batches until the returned scope is disposed (a batch it holds already
    /// is finished). Tests use it to fill the intake deterministically.</summary>
    /// <returns>The scope that releases the worker.</returns>
    internal IDisposable Hold()
    {
        lock (this.gate)
        {
            this.holds++;
        }

        return new HoldScope(this);
    }

    private void Run()
    {
        while (true)
        {
            IntakeBatch batch;
            lock (this.gate)
            {
                while (!this.stopped && (this.holds > 0 || this.queue.Count == 0))
                {
                    Monitor.Wait(this.gate);
                }

                if (this.stopped)
                {
                    return;
                }

                batch = this.queue.Dequeue();
            }

            try
            {
                this.process(batch);
            }
            catch (Exception ex)
            {
                // The callback counts and logs its own failures; this keeps a bug in it from ending the process.
                HoneyHiveExporterEventSource.Log.DeliveryFailed(ex);
            }
            finally
            {
                lock (this.gate)
                {
                    this.finished++;
                    this.spans -= batch.Spans.Count;
                    Monitor.PulseAll(this.gate);
                }
            }
        }
    }

    private sealed class HoldScope(SpanIntake owner) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref this.disposed, 1) == 0)
            {
                lock (owner.gate)
                {
                    owner.holds--;
                    Monitor.PulseAll(owner.gate);
                }
            }
        }
    }
}
