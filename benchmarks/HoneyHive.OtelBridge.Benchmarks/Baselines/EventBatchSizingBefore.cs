// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Benchmarks.Baselines;

/// <summary>
/// How <c>HoneyHiveDelivery.QueuedCall.Create</c> took a session event batch before the events were encoded once
/// (main at 771c6ac): each event serialized into one pooled buffer, cleared between events, only to keep its length;
/// the <see cref="EventRequest"/> trees stayed queued and the body was serialized from them again for every send.
/// Kept only as the baseline of <c>EventBatchDeliveryBenchmarks</c>.
/// </summary>
internal static class EventBatchSizingBefore
{
    private const int SizingBufferBytes = 16 * 1024;

    public static int[] Sizes(SessionEventBatchCall batch)
    {
        var sizes = new int[batch.Request.Events.Count];
        using var buffer = new PooledByteBufferWriter(SizingBufferBytes);
        using var writer = new Utf8JsonWriter(buffer);
        for (var i = 0; i < sizes.Length; i++)
        {
            JsonSerializer.Serialize(writer, batch.Request.Events[i], HoneyHiveJsonContext.Default.EventRequest);
            writer.Flush();
            sizes[i] = buffer.WrittenSpan.Length;
            writer.Reset();
            buffer.Clear();
        }

        return sizes;
    }
}
