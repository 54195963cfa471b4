// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Benchmarks.Baselines;

/// <summary>
/// <see cref="Workloads.EncodingSink"/>'s work where delivery did it before the events were encoded on the mapping
/// thread (main at 3d069a8): in <c>HoneyHiveDelivery.TrySubmit</c>, so under the assembler's one-at-a-time submission.
/// It prepares nothing (the interface's default), and encodes the events of each event batch into rented arrays when
/// the calls are submitted, then gives the arrays back. Kept only as the baseline of
/// <c>TraceAssemblerConcurrencyBenchmarks</c>.
/// </summary>
internal sealed class EncodeOnSubmitSink : IApiCallSink
{
    public int Calls { get; private set; }

    public void Submit(IReadOnlyList<ApiCall> calls)
    {
        foreach (var call in calls)
        {
            if (call is SessionEventBatchCall batch)
            {
                var (_, events, _, withSession, _) = EncodedEvents.EncodeRented(batch);
                foreach (var array in events.Concat(withSession?.OfType<byte[]>() ?? []))
                {
                    EventEncoder.RentedArrays.Return(array);
                }

                batch.ReleaseDocuments();
            }
        }

        this.Calls += calls.Count;
    }
}
