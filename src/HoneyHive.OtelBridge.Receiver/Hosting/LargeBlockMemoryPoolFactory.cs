// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace HoneyHive.OtelBridge.Receiver.Hosting;

/// <summary>
/// The memory Kestrel's connections read into and write from: blocks of <see cref="BlockSize"/> bytes instead of the
/// 4 KiB of its default pool. Kestrel's socket transport receives into the free part of the last block of a
/// connection's pipe, at most one block a call, and each receive is followed by a flush that wakes the HTTP/2 reader
/// to parse what came: with 4 KiB blocks an OTLP export of about 250 KB (100 GenAI spans) took at least 60 receives,
/// with 64 KiB blocks at least 4.
/// </summary>
/// <remarks>
/// <para>
/// Measured with <c>perf trace -s</c> on <c>serve</c> under the load run, 5 s each: 144,616 <c>recvfrom</c> calls
/// against 1,944 durable-log writes with Kestrel's pool, 60,103 against 3,442 with 64 KiB blocks (4.2× fewer receives
/// for the same work); alternated load runs with and without them: 0.83× the CPU per span at saturation
/// (benchmarks/README.md, fourteenth pass).
/// </para>
/// <para>
/// Like Kestrel's own pool, it keeps the blocks given back and hands them out again, on the pinned object heap; unlike
/// it, it keeps at most <see cref="MaxFreeBlocks"/> and does not give them back to the GC when idle. Blocks from
/// <see cref="ArrayPool{T}.Shared"/> instead, which keeps only a few dozen arrays of a size, left the overload's
/// blocks to the GC: under the load run's 10× overload (second half, two alternated runs each) 444 / 495 MiB against
/// 397 / 417 with Kestrel's pool and 385 / 387 with this one. An idle connection holds no block (Kestrel waits for data
/// with a zero-byte receive before it asks for memory). Kestrel's <c>Microsoft.AspNetCore.MemoryPool</c> metrics do not
/// see these blocks.
/// </para>
/// </remarks>
internal sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    /// <summary>The size of a block: below the 85,000 bytes from which an array goes to the large object heap.</summary>
    public const int BlockSize = 64 * 1024;

    /// <summary>The most free blocks a pool keeps for reuse (64 MiB); a block given back beyond them is left to the
    /// GC.</summary>
    public const int MaxFreeBlocks = 1024;

    /// <inheritdoc/>
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();

    /// <summary>Rents blocks of <see cref="BlockSize"/> bytes (an array of its own when asked for more), and keeps up to
    /// <see cref="MaxFreeBlocks"/> of those given back for the next renters.</summary>
    internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
    {
        private readonly ConcurrentQueue<byte[]> free = new();
        private int freeCount;

        /// <inheritdoc/>
        public override int MaxBufferSize => BlockSize;

        /// <summary>Gets the number of free blocks kept for reuse.</summary>
        public int FreeCount => Volatile.Read(ref this.freeCount);

        /// <inheritdoc/>
        public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
        {
            if (minBufferSize > BlockSize)
            {
                return new Block(null, new byte[minBufferSize]);
            }

            if (this.free.TryDequeue(out var array))
            {
                Interlocked.Decrement(ref this.freeCount);
                return new Block(this, array);
            }

            // Pinned, as Kestrel's own blocks are: a block is kept for reuse (up to the bound), so it may as well never move.
            return new Block(this, GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true));
        }

        /// <inheritdoc/>
        protected override void Dispose(bool disposing)
        {
            this.free.Clear();
            Volatile.Write(ref this.freeCount, 0);
        }

        internal void Return(byte[] array)
        {
            if (Interlocked.Increment(ref this.freeCount) <= MaxFreeBlocks)
            {
                this.free.Enqueue(array);
            }
            else
            {
                Interlocked.Decrement(ref this.freeCount);
            }
        }
    }

    /// <summary>One rent: a new owner each time, so that a stale owner disposed again cannot give back a block that was
    /// rented since.</summary>
    private sealed class Block(LargeBlockMemoryPool? pool, byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? array = array;

        public Memory<byte> Memory => this.array ?? throw new ObjectDisposedException(nameof(Block));

        public void Dispose()
        {
            // Once: a block given back twice would be handed to two renters.
            if (Interlocked.Exchange(ref this.array, null) is { } returned)
            {
                pool?.Return(returned);
            }
        }
    }
}
