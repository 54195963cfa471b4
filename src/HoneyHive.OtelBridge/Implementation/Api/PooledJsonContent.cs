// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Net;
using System.Text.Json;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// The JSON body of one <see cref="ApiCall"/>, written once into a buffer rented from the shared array pool and sent
/// from there: no body-sized array is left to the GC per request (a 100-event batch is ~250 KB, a large-object-heap
/// allocation that only a gen-2 collection frees). Disposing the request returns the buffer; if the handler is
/// still writing the body at that moment, the buffer is left to the GC instead, so a reused array is never sent.
/// </summary>
internal sealed class PooledJsonContent : HttpContent
{
    private readonly object gate = new();
    private PooledByteBufferWriter? buffer;
    private int writers;
    private bool disposed;

    public PooledJsonContent(ApiCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var pooled = new PooledByteBufferWriter(call.BodySizeHint);
        try
        {
            using (var writer = new Utf8JsonWriter(pooled, ApiJsonWriterOptions.Value))
            {
                call.WriteBody(writer);
            }
        }
        catch
        {
            pooled.Dispose();
            throw;
        }

        this.buffer = pooled;
        this.Length = pooled.WrittenMemory.Length;
    }

    /// <summary>Gets the number of body bytes.</summary>
    public int Length { get; }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        this.SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> body;
        lock (this.gate)
        {
            ObjectDisposedException.ThrowIf(this.disposed, this);
            body = this.buffer!.WrittenMemory;
            this.writers++;
        }

        try
        {
            await stream.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            this.ReleaseWriter();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = this.Length;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            PooledByteBufferWriter? toReturn = null;
            lock (this.gate)
            {
                this.disposed = true;
                if (this.writers == 0)
                {
                    toReturn = this.buffer;
                    this.buffer = null;
                }
            }

            toReturn?.Dispose();
        }

        base.Dispose(disposing);
    }

    private void ReleaseWriter()
    {
        lock (this.gate)
        {
            this.writers--;

            // Disposed while a write was in flight: the array may still be in use below us, so it is not returned.
            if (this.disposed && this.writers == 0)
            {
                this.buffer = null;
            }
        }
    }
}
