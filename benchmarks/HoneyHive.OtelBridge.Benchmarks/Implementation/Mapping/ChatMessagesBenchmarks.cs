// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using HoneyHive.OtelBridge.Benchmarks.Baselines;
using HoneyHive.OtelBridge.Benchmarks.Workloads;
using HoneyHive.OtelBridge.Implementation.Mapping;

namespace HoneyHive.OtelBridge.Benchmarks.Implementation.Mapping;

/// <summary>
/// Parsing the chat span's <c>gen_ai.input.messages</c> and <c>gen_ai.output.messages</c> (2 KB
/// of text each, OTel GenAI parts format) and normalizing them to role/content messages: the
/// implementation before the change (deep copies, text joined through a StringBuilder) is the
/// baseline, in the same run as the tree taken over and rewritten (<c>ToList</c>, now the general path),
/// the one-pass read of the usual shape (<see cref="ChatMessages.FromAttribute"/>, what the mapper calls) and,
/// as a floor, the parse alone.
/// </summary>
[MemoryDiagnoser]
public class ChatMessagesBenchmarks
{
    private readonly AttributeJson json = new(MappingOptions.Default);
    private string input = null!;
    private string output = null!;

    [GlobalSetup]
    public void Setup()
    {
        var chat = BenchmarkSpans.ChatSpan(BenchmarkSpans.TraceId(1), 3, 2);
        this.input = (string)chat.Attributes.Single(a => a.Key == "gen_ai.input.messages").Value!;
        this.output = (string)chat.Attributes.Single(a => a.Key == "gen_ai.output.messages").Value!;
    }

    [Benchmark(Baseline = true)]
    public object Before_DeepCopy() =>
        new JsonArray { ChatMessagesBefore.ToList(JsonNode.Parse(this.input)), ChatMessagesBefore.ToList(JsonNode.Parse(this.output)) };

    [Benchmark]
    public object Current_TakeOver() =>
        new JsonArray { ChatMessages.ToList(JsonNode.Parse(this.input)), ChatMessages.ToList(JsonNode.Parse(this.output)) };

    /// <summary>The mapper's way: both lists read from their documents, not made into trees (delivery writes them from
    /// the documents).</summary>
    [Benchmark]
    public object OnePass_FromAttribute() =>
        new object?[]
        {
            ChatMessages.FromAttribute(this.json, "gen_ai.input.messages", this.input),
            ChatMessages.FromAttribute(this.json, "gen_ai.output.messages", this.output),
        };

    [Benchmark]
    public object ParseOnly() =>
        new JsonArray { JsonNode.Parse(this.input), JsonNode.Parse(this.output) };
}
