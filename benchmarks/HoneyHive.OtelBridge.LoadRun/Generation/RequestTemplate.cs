// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using Google.Protobuf;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Common.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Resource.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Trace.V1;

namespace HoneyHive.OtelBridge.LoadRun.Generation;

/// <summary>
/// One OTLP export request serialized once, with placeholder trace ids whose byte offsets are known, so a request with
/// new trace ids costs a copy and a few 16-byte writes (the generator must stay cheap next to what it measures). Slot
/// groups: <see cref="Complete"/> traces (all 10 spans), <see cref="First"/> halves (the first children of a trace) and
/// <see cref="Second"/> halves (the rest and the root, of a trace whose first half went in an earlier request).
/// </summary>
internal sealed class RequestTemplate
{
    private readonly byte[] bytes;
    private readonly int[][] offsets;

    public RequestTemplate(int complete, int first, int second)
    {
        this.Complete = complete;
        this.First = first;
        this.Second = second;
        var slots = complete + first + second;
        var baseNanos = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000L;
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "Microsoft.Extensions.AI", Version = "9.5.0" } };
        for (var slot = 0; slot < slots; slot++)
        {
            var traceId = ByteString.CopyFrom(Placeholder(slot));
            var order = LoadTraces.SendOrder;
            var (from, to) = slot < complete ? (0, order.Length)
                : slot < complete + first ? (0, LoadTraces.FirstPartSpans)
                : (LoadTraces.FirstPartSpans, order.Length);
            for (var i = from; i < to; i++)
            {
                scope.Spans.Add(LoadTraces.Build(traceId, order[i], baseNanos));
            }
        }

        var resource = new Resource
        {
            Attributes =
            {
                new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "checkout-assistant" } },
                new KeyValue { Key = "service.version", Value = new AnyValue { StringValue = "1.4.2" } },
                new KeyValue { Key = "telemetry.sdk.language", Value = new AnyValue { StringValue = "dotnet" } },
            },
        };
        var request = new ExportTraceServiceRequest { ResourceSpans = { new ResourceSpans { Resource = resource, ScopeSpans = { scope } } } };
        this.Spans = scope.Spans.Count;
        this.bytes = request.ToByteArray();
        this.offsets = new int[slots][];
        for (var slot = 0; slot < slots; slot++)
        {
            this.offsets[slot] = FindAll(this.bytes, Placeholder(slot));
        }
    }

    public int Complete { get; }

    public int First { get; }

    public int Second { get; }

    /// <summary>Gets the number of spans in the request.</summary>
    public int Spans { get; }

    /// <summary>Gets the size of the request in bytes.</summary>
    public int Length => this.bytes.Length;

    /// <summary>Writes a request with the given trace ids (slot order: complete, first, second).</summary>
    public byte[] Render(ReadOnlySpan<byte> traceIds)
    {
        var copy = (byte[])this.bytes.Clone();
        for (var slot = 0; slot < this.offsets.Length; slot++)
        {
            var id = traceIds.Slice(slot * 16, 16);
            foreach (var offset in this.offsets[slot])
            {
                id.CopyTo(copy.AsSpan(offset, 16));
            }
        }

        return copy;
    }

    private static byte[] Placeholder(int slot) =>
        [0xA5, 0x5A, 0xC3, 0x3C, 0x96, 0x69, 0xF0, 0x0F, 0xE1, 0x1E, 0xD2, 0x2D, 0xB4, 0x4B, 0x87, (byte)slot];

    private static int[] FindAll(byte[] haystack, byte[] needle)
    {
        var found = new List<int>();
        var start = 0;
        int index;
        while ((index = haystack.AsSpan(start).IndexOf(needle)) >= 0)
        {
            found.Add(start + index);
            start += index + needle.Length;
        }

        return [.. found];
    }
}
