// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Assembly;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Implementation.Spans;
using HoneyHive.OtelBridge.Tests.Implementation.Mapping;

namespace HoneyHive.OtelBridge.Tests.Implementation.Assembly;

/// <summary>
/// Random span trees, random arrival orders (spans split into random export batches, some
/// traces with the root dropped or delayed past the wait): the invariants hold in every case.
/// </summary>
public sealed class TraceAssemblerPropertyTests
{
    private static readonly string[][] AttributeSets =
    [
        [],
        ["gen_ai.operation.name", "chat", "gen_ai.request.model", "gpt-4o"],
        ["gen_ai.operation.name", "execute_tool", "gen_ai.tool.name", "search"],
        ["openinference.span.kind", "RETRIEVER", "input.value", "q"],
        ["honeyhive_event_type", "tool", "honeyhive_inputs.x", "1"],
    ];

    [Property(MaxTest = 500)]
    public Property TopologicalOrder_AnyForestWithCyclesAndSelfParents_SameOrderWithoutDictionaries()
    {
        return Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            // Arrange: up to the small-trace bound, spans whose parent is a root marker, themselves, another of them
            // (cycles included) or a span that is not there; start times that tie.
            var random = new Random(seed);
            var count = random.Next(1, TraceAssembler.SmallTraceSpans + 1);
            var spans = new List<SpanRecord>(count);
            for (var i = 1; i <= count; i++)
            {
                var parent = random.Next(6) switch
                {
                    0 => 0,
                    1 => i,
                    2 => count + 1 + random.Next(3),
                    _ => random.Next(1, count + 1),
                };
                var span = TestSpans.Span(i, parent, "s" + i);
                spans.Add(new SpanRecord
                {
                    TraceId = span.TraceId,
                    SpanId = span.SpanId,
                    ParentSpanId = span.ParentSpanId,
                    Name = span.Name,
                    StartTimeUnixNano = TestSpans.BaseNanos + random.Next(4),
                    EndTimeUnixNano = TestSpans.BaseNanos + 10,
                });
            }

            var sorted = spans.OrderBy(s => s.StartTimeUnixNano).ThenBy(s => s.SpanId.ToHexString(), StringComparer.Ordinal).ToList();
            var byId = sorted.ToDictionary(s => s.SpanId);

            // Act
            var small = TraceAssembler.TopologicalOrder(sorted, byId).Select(s => s.Name).ToList();
            var indexed = TraceAssembler.TopologicalOrderIndexed(sorted, byId).Select(s => s.Name).ToList();

            // Assert
            return small.SequenceEqual(indexed).Label($"seed {seed}: {string.Join(",", small)} vs {string.Join(",", indexed)}")
                .And((small.Count == count).Label("every span once"));
        });
    }

    [Property(MaxTest = 150)]
    public Property Add_AnyTreeAnyOrder_SessionFirstNoDanglingParentAllSpansDelivered()
    {
        return Prop.ForAll(Arb.From(Scenarios()), scenario =>
        {
            // Arrange
            var time = new ManualTimeProvider();
            var sink = new CollectingSink();
            var assembler = new TraceAssembler(sink, new TraceAssemblerOptions { RootWait = TimeSpan.FromSeconds(30), MaxHeldSpans = scenario.Cap }, time);

            // Act
            foreach (var batch in scenario.Batches)
            {
                assembler.Add(batch);
                time.Advance(TimeSpan.FromSeconds(scenario.SecondsBetweenBatches));
                assembler.EmitExpired();
            }

            foreach (var late in scenario.LateRoots)
            {
                assembler.Add(late);
            }

            assembler.FlushAll();

            // Assert
            var violation = CallInvariants.FirstViolation(sink.Calls);
            var delivered = Delivered(sink.Calls);
            var missing = scenario.AllSpans.Where(s => !delivered.Contains((s.TraceId, s.SpanId))).ToList();
            return (violation is null).Label("invariant: " + violation)
                .And((missing.Count == 0).Label("spans not delivered: " + missing.Count))
                .And((assembler.MappingFailures == 0).Label("mapping failures"));
        });
    }

    [Property(MaxTest = 100)]
    public Property Add_RootWithinWait_OutputDoesNotDependOnOrder()
    {
        return Prop.ForAll(Arb.From(Trees()), Arb.From(Gen.Choose(0, int.MaxValue)), (tree, seed) =>
        {
            // Arrange: the tree in creation order, and the same spans shuffled into random batches.
            var inOrder = Run(tree.Select(s => (IReadOnlyList<SpanRecord>)[s]));
            var random = new Random(seed);
            var shuffled = tree.OrderBy(_ => random.Next()).ToList();
            var batches = new List<IReadOnlyList<SpanRecord>>();
            for (var i = 0; i < shuffled.Count;)
            {
                var size = random.Next(1, 4);
                batches.Add(shuffled.Skip(i).Take(size).ToList());
                i += size;
            }

            // Act
            var reordered = Run(batches);

            // Assert: the same sessions and the same events (ids, parents, bodies); no updates needed.
            var sameSessions = CallInvariants.SessionBodies(inOrder).SetEquals(CallInvariants.SessionBodies(reordered));
            var a = CallInvariants.EventsById(inOrder);
            var b = CallInvariants.EventsById(reordered);
            var sameEvents = a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && v == p.Value);
            var noUpdates = !inOrder.Concat(reordered).OfType<UpdateEventCall>().Any();
            return sameSessions.Label("sessions differ").And(sameEvents.Label("events differ")).And(noUpdates.Label("updates"));
        });
    }

    [Property(MaxTest = 50)]
    public Property Add_SameSpansTwiceIntoFreshAssemblers_SameIds()
    {
        return Prop.ForAll(Arb.From(Trees()), tree =>
        {
            // Act
            var first = Run([tree]);
            var second = Run([tree]);

            // Assert
            var ids = (IEnumerable<ApiCall> calls) => string.Join(",", calls.Select(c => c.Path + (c is SessionEventBatchCall b ? string.Join("|", b.Request.Events.Select(e => e.EventId + ">" + e.ParentId)) : string.Empty)));
            return ids(first) == ids(second);
        });
    }

    private static List<ApiCall> Run(IEnumerable<IReadOnlyList<SpanRecord>> batches)
    {
        var sink = new CollectingSink();
        var assembler = new TraceAssembler(sink, new TraceAssemblerOptions { RootWait = Timeout.InfiniteTimeSpan });
        foreach (var batch in batches)
        {
            assembler.Add(batch);
        }

        assembler.FlushAll();
        return sink.Calls;
    }

    private static HashSet<(ActivityTraceId, ActivitySpanId)> Delivered(List<ApiCall> calls)
    {
        var byEventId = new HashSet<string>(calls.OfType<SessionEventBatchCall>().SelectMany(b => b.Request.Events).Where(e => e.Metadata?["placeholder"] is null).Select(e => e.EventId!));
        byEventId.UnionWith(calls.OfType<UpdateEventCall>().Select(u => u.EventId));
        var roots = calls.OfType<StartSessionCall>()
            .Where(s => s.Request.Metadata?["span_id"] is not null)
            .Select(s => ((string)s.Request.Metadata!["trace_id"]!, (string)s.Request.Metadata!["span_id"]!))
            .ToHashSet();
        var result = new HashSet<(ActivityTraceId, ActivitySpanId)>();
        foreach (var call in calls.OfType<SessionEventBatchCall>())
        {
            foreach (var e in call.Request.Events.Where(e => e.Metadata?["placeholder"] is null))
            {
                result.Add((ActivityTraceId.CreateFromString((string)e.Metadata!["trace_id"]!), ActivitySpanId.CreateFromString((string)e.Metadata!["span_id"]!)));
            }
        }

        foreach (var (trace, span) in roots)
        {
            result.Add((ActivityTraceId.CreateFromString(trace), ActivitySpanId.CreateFromString(span)));
        }

        foreach (var update in calls.OfType<UpdateEventCall>())
        {
            result.Add((ActivityTraceId.CreateFromString((string)update.Request.Metadata!["trace_id"]!), ActivitySpanId.CreateFromString((string)update.Request.Metadata!["span_id"]!)));
        }

        return result;
    }

    /// <summary>A random tree of 1-12 spans of one random trace; the root may name a session.</summary>
    private static Gen<List<SpanRecord>> Trees() =>
        from size in Gen.Choose(1, 12)
        from seed in Gen.Choose(0, int.MaxValue)
        from traceNumber in Gen.Choose(1, 1_000_000)
        select Tree(ActivityTraceId.CreateFromString(traceNumber.ToString("x32")), size, new Random(seed));

    private static List<SpanRecord> Tree(ActivityTraceId trace, int size, Random random)
    {
        var spans = new List<SpanRecord>();
        for (var i = 1; i <= size; i++)
        {
            var parent = i == 1 ? 0 : random.Next(1, i);
            var set = AttributeSets[random.Next(AttributeSets.Length)];
            var attributes = new List<(string, object?)>();
            for (var k = 0; k < set.Length; k += 2)
            {
                attributes.Add((set[k], set[k + 1]));
            }

            if (i == 1 && random.Next(4) == 0)
            {
                attributes.Add(("session.id", "conversation-" + random.Next(3)));
            }

            spans.Add(TestSpans.Span(trace, i, parent, "span" + i, [.. attributes]));
        }

        return spans;
    }

    private static Gen<Scenario> Scenarios() =>
        from traceCount in Gen.Choose(1, 4)
        from seed in Gen.Choose(0, int.MaxValue)
        from cap in Gen.Elements(3, 10, 1000)
        from gap in Gen.Elements(0, 5, 31)
        select MakeScenario(traceCount, new Random(seed), cap, gap);

    private static Scenario MakeScenario(int traceCount, Random random, int cap, int gap)
    {
        var all = new List<SpanRecord>();
        var early = new List<SpanRecord>();
        var lateRoots = new List<IReadOnlyList<SpanRecord>>();
        for (var t = 0; t < traceCount; t++)
        {
            var tree = Tree(ActivityTraceId.CreateFromString(random.Next(1, 1_000_000).ToString("x32")), random.Next(1, 10), random);
            if (all.Any(s => s.TraceId == tree[0].TraceId))
            {
                continue;
            }

            all.AddRange(tree);
            switch (random.Next(3))
            {
                case 0: // the root comes after everything else, past the wait
                    early.AddRange(tree.Skip(1));
                    lateRoots.Add([tree[0]]);
                    break;
                case 1: // a middle span (maybe the root) comes late
                    var lateIndex = random.Next(tree.Count);
                    early.AddRange(tree.Where((_, i) => i != lateIndex));
                    lateRoots.Add([tree[lateIndex]]);
                    break;
                default:
                    early.AddRange(tree);
                    break;
            }
        }

        var shuffled = early.OrderBy(_ => random.Next()).ToList();
        var batches = new List<IReadOnlyList<SpanRecord>>();
        for (var i = 0; i < shuffled.Count;)
        {
            var size = random.Next(1, 5);
            batches.Add(shuffled.Skip(i).Take(size).ToList());
            i += size;
        }

        return new Scenario(all, batches, lateRoots, cap, gap);
    }

    internal sealed record Scenario(
        List<SpanRecord> AllSpans,
        List<IReadOnlyList<SpanRecord>> Batches,
        List<IReadOnlyList<SpanRecord>> LateRoots,
        int Cap,
        int SecondsBetweenBatches)
    {
        public override string ToString() =>
            $"{this.AllSpans.Count} spans, {this.Batches.Count} batches, {this.LateRoots.Count} late, cap {this.Cap}, gap {this.SecondsBetweenBatches}s: "
            + string.Join(" ", this.AllSpans.Select(s => s.TraceId.ToHexString()[^4..] + "/" + s.SpanId.ToHexString()[^2..] + "<" + (s.IsRoot ? "-" : s.ParentSpanId.ToHexString()[^2..])));
    }
}
