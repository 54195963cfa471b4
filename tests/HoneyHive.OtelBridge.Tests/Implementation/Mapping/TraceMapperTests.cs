// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Assembly;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Implementation.Otlp;
using HoneyHive.OtelBridge.Implementation.Spans;
using Xunit.Abstractions;

namespace HoneyHive.OtelBridge.Tests.Implementation.Mapping;

public sealed class TraceMapperTests(ITestOutputHelper output)
{
    private static readonly string GoldenDirectory = Path.Combine(AppContext.BaseDirectory, "Implementation", "Mapping", "Golden");

    /// <summary>Gets the names of the golden traces (<c>Golden/&lt;name&gt;.otlp.json</c> and <c>.golden.json</c>).</summary>
    public static TheoryData<string> GoldenTraces =>
        ["genai-agent", "semantic-kernel", "openinference", "openllmetry", "honeyhive-sdk", "web-request", "failing-tool", "conversation"];

    [Theory]
    [MemberData(nameof(GoldenTraces))]
    public void ToCalls_GoldenTrace_MatchesGoldenFile(string name)
    {
        // Arrange
        using var input = new StreamReader(Path.Combine(GoldenDirectory, name + ".otlp.json"));
        var expected = File.ReadAllLines(Path.Combine(GoldenDirectory, name + ".golden.json"))
            .Where(l => l.Length > 0)
            .Select(l => JsonNode.Parse(l))
            .ToList();
        var sink = new CollectingSink();
        var assembler = new TraceAssembler(sink, new TraceAssemblerOptions { RootWait = Timeout.InfiniteTimeSpan });

        // Act
        foreach (var request in OtlpJsonSerializer.ParseLines(input))
        {
            assembler.Add(request.ToSpanRecords().Spans);
        }

        assembler.FlushAll();
        var actual = sink.Calls.Select(c => (JsonNode?)TestSpans.Line(c)).ToList();

        // Assert
        Assert.Equal(0, assembler.MappingFailures);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            if (!JsonNode.DeepEquals(expected[i], actual[i]))
            {
                output.WriteLine($"call {i} differs:");
                foreach (var line in JsonDiff.Describe(expected[i], actual[i], "$"))
                {
                    output.WriteLine("  " + line);
                }

                output.WriteLine("actual: " + actual[i]!.ToJsonString());
            }

            Assert.True(JsonNode.DeepEquals(expected[i], actual[i]), $"call {i} of {name} differs from the golden file (diff in the test output)");
        }
    }

    [Theory]
    [MemberData(nameof(GoldenTraces))]
    public void ToCalls_GoldenTrace_EventsReleasedAfterWriting_SessionsAndUpdatesWriteTheSame(string name)
    {
        // Arrange: what delivery does once it has encoded an event batch (its events' pooled documents go back),
        // while the session creates and updates of the same traces are written later, possibly again and again.
        using var input = new StreamReader(Path.Combine(GoldenDirectory, name + ".otlp.json"));
        var sink = new CollectingSink();
        var assembler = new TraceAssembler(sink, new TraceAssemblerOptions { RootWait = Timeout.InfiniteTimeSpan });
        foreach (var request in OtlpJsonSerializer.ParseLines(input))
        {
            assembler.Add(request.ToSpanRecords().Spans);
        }

        assembler.FlushAll();
        var before = sink.Calls.Select(c => TestSpans.Line(c).ToJsonString()).ToList();

        // Act
        var released = 0;
        foreach (var batch in sink.Calls.OfType<SessionEventBatchCall>())
        {
            foreach (var request in batch.Request.Events)
            {
                released += request.Documents?.Count ?? 0;
                request.ReleaseDocuments();
            }
        }

        // Assert
        var others = sink.Calls.Select((call, i) => (call, i)).Where(p => p.call is not SessionEventBatchCall).ToList();
        Assert.NotEmpty(others);
        Assert.All(others, p => Assert.Equal(before[p.i], TestSpans.Line(p.call).ToJsonString()));
        if (name is "genai-agent" or "conversation")
        {
            Assert.True(released > 0, "the chat spans' messages were parsed into pooled documents");
        }
    }

    [Fact]
    public void RootSession_RootWithMetricsFeedbackError_MovesThemToMetadataAndSendsOnlyAllowedFields()
    {
        // Arrange
        var root = TestSpans.WithStatus(
            TestSpans.Span(1, 0, "root", ("honeyhive_metrics.score", 0.5), ("honeyhive_feedback.ok", true)),
            System.Diagnostics.ActivityStatusCode.Error,
            "boom");

        // Act
        var body = TestSpans.Body(new StartSessionCall(TraceMapper.RootSession(root, "s", MappingOptions.Default)));

        // Assert
        string[] allowed = ["session_id", "session_name", "event_name", "source", "start_time", "end_time", "duration", "config", "inputs", "outputs", "metadata", "user_properties", "children_ids"];
        Assert.All(body, p => Assert.Contains(p.Key, allowed));
        Assert.Equal(0.5, (double)body["metadata"]!["metrics"]!["score"]!);
        Assert.True((bool)body["metadata"]!["feedback"]!["ok"]!);
        Assert.Equal("boom", (string?)body["metadata"]!["error"]);
    }

    [Fact]
    public void PartialSession_TiedStartsAndALaterNamedSpan_EarliestByStartThenSpanIdAndFirstNameInListOrder()
    {
        // Arrange: span 5 and span 3 start together (span 3 wins the tie by its lower id); only the
        // last span in the list, which starts later, names the session.
        static SpanRecord At(int id, long start, long end, params (string Key, object? Value)[] attributes) => new()
        {
            TraceId = TestSpans.Trace,
            SpanId = TestSpans.Id(id),
            ParentSpanId = TestSpans.Id(1),
            Name = "span " + id,
            StartTimeUnixNano = start,
            EndTimeUnixNano = end,
            Attributes = [.. attributes.Select(a => KeyValuePair.Create(a.Key, a.Value))],
        };

        SpanRecord[] spans =
        [
            At(5, 2_000_000_000, 3_000_000_000, ("honeyhive.source", "five")),
            At(3, 2_000_000_000, 2_500_000_000, ("honeyhive.source", "three")),
            At(7, 4_000_000_000, 9_000_000_000, ("honeyhive.session_name", "named"), ("honeyhive.source", "seven")),
        ];

        // Act
        var named = TraceMapper.PartialSession(TestSpans.Trace, spans, "s", MappingOptions.Default);
        var unnamed = TraceMapper.PartialSession(TestSpans.Trace, spans[..2], "s", MappingOptions.Default);

        // Assert
        Assert.Equal("named", named.SessionName);
        Assert.Equal("three", named.Source);
        Assert.Equal(2_000, named.StartTime);
        Assert.Equal(9_000, named.EndTime);
        Assert.Equal("span 3", unnamed.SessionName);
        Assert.Equal(3_000, unnamed.EndTime);
    }
}
