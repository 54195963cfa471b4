// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers.Binary;
using System.Diagnostics;

namespace HoneyHive.OtelBridge.LoadRun.Generation;

/// <summary>
/// One client's stream of export requests with unique trace ids: each request carries
/// <see cref="CompletePerRequest"/> whole traces, the first halves (children only) of as many new traces, and the
/// second halves (the remaining children and the root) of the traces split in the previous request. Steady state: 100
/// spans a request, half the traces sent in one request and half in two, children before the root.
/// </summary>
internal sealed class TraceStream
{
    public const int CompletePerRequest = 5;

    public const int SplitPerRequest = 5;

    private static readonly RequestTemplate Opening = new(CompletePerRequest, SplitPerRequest, 0);
    private static readonly RequestTemplate Steady = new(CompletePerRequest, SplitPerRequest, SplitPerRequest);
    private static readonly RequestTemplate Closing = new(0, 0, SplitPerRequest);

    private readonly ulong prefix;
    private readonly ushort client;
    private ulong counter;
    private ActivityTraceId[] pendingSecond = [];

    public TraceStream(ulong prefix, ushort client)
    {
        this.prefix = prefix;
        this.client = client;
    }

    /// <summary>Gets the size of a steady-state request in bytes.</summary>
    public static int SteadyRequestBytes => Steady.Length;

    /// <summary>Gets the number of spans of a steady-state request.</summary>
    public static int SteadyRequestSpans => Steady.Spans;

    /// <summary>Makes the next request.</summary>
    public LoadRequest Next()
    {
        var template = this.pendingSecond.Length == 0 ? Opening : Steady;
        return this.Make(template);
    }

    /// <summary>Makes the request that sends the pending second halves, or <see langword="null"/> when none are pending.</summary>
    public LoadRequest? Close() => this.pendingSecond.Length == 0 ? null : this.Make(Closing);

    private LoadRequest Make(RequestTemplate template)
    {
        var complete = this.NewIds(template.Complete);
        var first = this.NewIds(template.First);
        var second = template.Second == 0 ? [] : this.pendingSecond;
        Span<byte> ids = stackalloc byte[(complete.Length + first.Length + second.Length) * 16];
        var at = 0;
        foreach (var id in complete.Concat(first).Concat(second))
        {
            id.CopyTo(ids.Slice(at, 16));
            at += 16;
        }

        this.pendingSecond = template.First == 0 ? [] : first;
        return new LoadRequest(template.Render(ids), template.Spans, complete, first, second);
    }

    private ActivityTraceId[] NewIds(int count)
    {
        var ids = new ActivityTraceId[count];
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(bytes, this.prefix);
            BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], ((ulong)this.client << 48) | ++this.counter);
            ids[i] = ActivityTraceId.CreateFromBytes(bytes);
        }

        return ids;
    }
}
