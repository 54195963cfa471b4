// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over arrays rented from <see cref="ArrayPool{T}.Shared"/>:
/// growing returns the old array to the pool instead of leaving it to the GC. Dispose returns the
/// last one. Not thread-safe; the written bytes are valid until the next write or dispose.
/// </summary>
internal sealed class PooledByteBufferWriter : IBufferWriter<byte>, IDisposable
{
    private byte[] buffer;
    private int written;

    public PooledByteBufferWriter(int initialCapacity)
    {
        this.buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 256));
    }

    /// <summary>Gets the bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => this.buffer.AsSpan(0, this.written);

    /// <summary>Gets the bytes written so far as memory.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => this.buffer.AsMemory(0, this.written);

    /// <summary>Forgets what was written and keeps the rented array for the next writes.</summary>
    public void Clear() => this.written = 0;

    /// <inheritdoc/>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > this.buffer.Length - this.written)
        {
            throw new InvalidOperationException("Cannot advance past the end of the buffer.");
        }

        this.written += count;
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        this.Ensure(sizeHint);
        return this.buffer.AsMemory(this.written);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        this.Ensure(sizeHint);
        return this.buffer.AsSpan(this.written);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        var rented = this.buffer;
        this.buffer = [];
        this.written = 0;
        if (rented.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void Ensure(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(this.buffer.Length == 0, this);
        var needed = Math.Max(sizeHint, 1);
        if (this.buffer.Length - this.written >= needed)
        {
            return;
        }

        var size = (int)Math.Min(Array.MaxLength, Math.Max((long)this.buffer.Length * 2, (long)this.written + needed));
        if (size - this.written < needed)
        {
            throw new InvalidOperationException("The JSON body is larger than the largest array.");
        }

        var larger = ArrayPool<byte>.Shared.Rent(size);
        this.buffer.AsSpan(0, this.written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(this.buffer);
        this.buffer = larger;
    }
}
