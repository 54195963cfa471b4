// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Benchmarks.Workloads;

/// <summary>
/// A sink that does delivery's work on the calls without I/O, where delivery now does it: the events of each event
/// batch are encoded into rented arrays in <see cref="Prepare"/> (on the assembler's mapping thread), and a submission
/// only takes them (here: gives the arrays back, as delivery does once a request is sent).
/// </summary>
internal sealed class EncodingSink : IApiCallSink
{
    public int Calls { get; private set; }

    public void Submit(IReadOnlyList<ApiCall> calls) => this.Submit(this.Prepare(calls));

    public PreparedCalls Prepare(IReadOnlyList<ApiCall> calls)
    {
        var encoded = new List<byte[]>();
        foreach (var call in calls)
        {
            if (call is SessionEventBatchCall batch)
            {
                var (_, events, _, _) = EncodedEvents.EncodeSpliceable(batch, rent: true);
                encoded.AddRange(events);
                batch.ReleaseDocuments();
            }
        }

        return new Encoded(calls, encoded);
    }

    public void Submit(PreparedCalls prepared)
    {
        this.Calls += prepared.Calls.Count;
        prepared.Abandon();
    }

    private sealed class Encoded(IReadOnlyList<ApiCall> calls, List<byte[]> arrays) : PreparedCalls(calls)
    {
        public override void Abandon()
        {
            foreach (var array in arrays)
            {
                EventEncoder.RentedArrays.Return(array);
            }
        }
    }
}
