// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using HoneyHive.OtelBridge.Benchmarks.Workloads;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Benchmarks.Implementation.Mapping;

/// <summary>
/// Mapping one span to one event, through <see cref="TraceMapper.Event"/>: the per-span entry
/// <see cref="TraceMapper.ToCalls"/> (and so the assembler) calls. Each category has a floor as its
/// baseline: for the chat span, parsing its two message attributes into JSON nodes (work any
/// mapping of them must do); for the HTTP span, copying its attributes into one JSON object; for the
/// tool span, parsing its arguments and result.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class TraceMapperBenchmarks
{
    private readonly MappingOptions options = MappingOptions.Default;
    private SpanRecord chat = null!;
    private SpanRecord http = null!;
    private PlannedEvent chatEvent = null!;
    private PlannedEvent httpEvent = null!;
    private PlannedEvent toolEvent = null!;
    private string toolArguments = null!;
    private string toolResult = null!;
    private string inputMessages = null!;
    private string outputMessages = null!;
    private string sessionId = null!;

    [GlobalSetup]
    public void Setup()
    {
        var trace = BenchmarkSpans.TraceId(1);
        this.sessionId = HoneyHiveIds.SessionIdForTrace(trace);
        this.chat = BenchmarkSpans.ChatSpan(trace, 3, 2);
        this.http = BenchmarkSpans.HttpServerSpan(trace, 10, 2);
        this.chatEvent = new PlannedEvent(this.chat, HoneyHiveIds.EventIdForSpan(trace, this.chat.ParentSpanId), AsRootEvent: false);
        this.httpEvent = new PlannedEvent(this.http, HoneyHiveIds.EventIdForSpan(trace, this.http.ParentSpanId), AsRootEvent: false);
        var tool = BenchmarkSpans.ToolSpan(trace, 4, 2);
        this.toolEvent = new PlannedEvent(tool, HoneyHiveIds.EventIdForSpan(trace, tool.ParentSpanId), AsRootEvent: false);
        this.toolArguments = (string)tool.Attributes.Single(a => a.Key == "gen_ai.tool.call.arguments").Value!;
        this.toolResult = (string)tool.Attributes.Single(a => a.Key == "gen_ai.tool.call.result").Value!;
        this.inputMessages = (string)this.chat.Attributes.Single(a => a.Key == "gen_ai.input.messages").Value!;
        this.outputMessages = (string)this.chat.Attributes.Single(a => a.Key == "gen_ai.output.messages").Value!;
    }

    [BenchmarkCategory("chat")]
    [Benchmark(Baseline = true)]
    public object ChatSpan_ParseMessagesOnly() =>
        new JsonArray { JsonNode.Parse(this.inputMessages), JsonNode.Parse(this.outputMessages) };

    [BenchmarkCategory("chat")]
    [Benchmark]
    public object ChatSpan_Map()
    {
        // Released as whoever writes the event does (delivery, once encoded): the mapping's own bytes.
        var mapped = TraceMapper.Event(this.chatEvent, this.sessionId, this.options);
        mapped.ReleaseDocuments();
        return mapped;
    }

    [BenchmarkCategory("http")]
    [Benchmark(Baseline = true)]
    public object HttpSpan_CopyAttributesOnly()
    {
        var metadata = new JsonObject();
        foreach (var pair in this.http.Attributes)
        {
            metadata[pair.Key] = pair.Value switch
            {
                string s => JsonValue.Create(s),
                long l => JsonValue.Create(l),
                _ => null,
            };
        }

        return metadata;
    }

    [BenchmarkCategory("http")]
    [Benchmark]
    public object HttpSpan_Map() => TraceMapper.Event(this.httpEvent, this.sessionId, this.options);

    [BenchmarkCategory("tool")]
    [Benchmark(Baseline = true)]
    public object ToolSpan_ParseArgumentsAndResultOnly() =>
        new JsonArray { JsonNode.Parse(this.toolArguments), JsonNode.Parse(this.toolResult) };

    [BenchmarkCategory("tool")]
    [Benchmark]
    public object ToolSpan_Map()
    {
        var mapped = TraceMapper.Event(this.toolEvent, this.sessionId, this.options);
        mapped.ReleaseDocuments();
        return mapped;
    }
}
