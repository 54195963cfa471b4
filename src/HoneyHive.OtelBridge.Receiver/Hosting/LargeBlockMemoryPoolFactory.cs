// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
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
/// against 1,944 durable-log writes with Kestrel's pool, 60,103 against 3,442 with this one (4.2× fewer receives for
/// the same work); alternated load runs of the same build with and without it (three pairs) gave 0.83× the CPU per
/// span at saturation (benchmarks/README.md, fourteenth pass).
/// </para>
/// <para>
/// The blocks come from <see cref="ArrayPool{T}.Shared"/>: Kestrel's default pool pins its blocks (on the pinned
/// object heap) for Windows' overlapped I/O; on Linux a receive pins its buffer only for the call. An idle connection
/// holds no block (Kestrel waits for data with a zero-byte receive before it asks for memory). Kestrel's
/// <c>Microsoft.AspNetCore.MemoryPool</c> metrics do not see these blocks.
/// </para>
/// </remarks>
internal sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    /// <summary>The size of a block: below the 85,000 bytes from which an array goes to the large object heap.</summary>
    public const int BlockSize = 64 * 1024;

    /// <inheritdoc/>
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();

    /// <summary>Rents blocks of at least <see cref="BlockSize"/> bytes (more when asked for more).</summary>
    internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
    {
        /// <inheritdoc/>
        public override int MaxBufferSize => BlockSize;

        /// <inheritdoc/>
        public override IMemoryOwner<byte> Rent(int minBufferSize = -1) =>
            new Block(ArrayPool<byte>.Shared.Rent(Math.Max(minBufferSize, BlockSize)));

        /// <inheritdoc/>
        protected override void Dispose(bool disposing)
        {
            // The blocks belong to the shared array pool; one still rented goes back to it when its owner disposes it.
        }
    }

    private sealed class Block(byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? array = array;

        public Memory<byte> Memory => this.array ?? throw new ObjectDisposedException(nameof(Block));

        public void Dispose()
        {
            // Once: a block given back twice would be handed to two renters.
            if (Interlocked.Exchange(ref this.array, null) is { } returned)
            {
                ArrayPool<byte>.Shared.Return(returned);
            }
        }
    }
}
