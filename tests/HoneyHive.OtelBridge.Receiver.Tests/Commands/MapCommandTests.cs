// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Receiver.Commands;

namespace HoneyHive.OtelBridge.Receiver.Tests.Commands;

public sealed class MapCommandTests
{
    private const string ChildThenRoot =
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"a000000000000002\",\"parentSpanId\":\"a000000000000001\",\"name\":\"chat\",\"startTimeUnixNano\":\"1714492800010000000\",\"endTimeUnixNano\":\"1714492800600500000\",\"attributes\":[{\"key\":\"gen_ai.operation.name\",\"value\":{\"stringValue\":\"chat\"}}]}]}]}]}\n"
        + "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"a000000000000001\",\"name\":\"agent\",\"startTimeUnixNano\":\"1714492800000000000\",\"endTimeUnixNano\":\"1714492801000000000\"}]}]}]}\n";

    [Fact]
    public void Run_JsonLinesInput_PrintsSessionThenEventBatch()
    {
        // Arrange
        using var output = new StringWriter();

        // Act
        var exitCode = MapCommand.Run(new StringReader(ChildThenRoot), output, new MappingOptions { Source = "test" });
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();

        // Assert
        Assert.Equal(0, exitCode);
        Assert.Equal(2, lines.Count);
        Assert.Equal("POST", (string?)lines[0]["method"]);
        Assert.Equal("/v1/sessions", (string?)lines[0]["path"]);
        Assert.Equal("6978174f-81ba-42bc-bc74-4ad2a0f385b8", (string?)lines[0]["body"]!["session_id"]);
        Assert.Equal("test", (string?)lines[0]["body"]!["source"]);
        Assert.Equal("/v1/sessions/6978174f-81ba-42bc-bc74-4ad2a0f385b8/events/batch", (string?)lines[1]["path"]);
        Assert.Equal("model", (string?)lines[1]["body"]!["events"]![0]!["event_type"]);
        Assert.Equal(590.5, (double)lines[1]["body"]!["events"]![0]!["duration"]!);
    }

    [Fact]
    public void Invoke_FileArgument_ParsesAndPrints()
    {
        // Arrange
        var path = Path.GetTempFileName();
        File.WriteAllText(path, ChildThenRoot);
        using var output = new StringWriter();
        var root = Program.BuildRootCommand();

        try
        {
            // Act
            var exitCode = root.Parse(["map", path]).Invoke(new System.CommandLine.InvocationConfiguration { Output = output });

            // Assert
            Assert.Equal(0, exitCode);
            Assert.Equal(2, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Invoke_InvalidJson_ExitCodeOneAndMessage()
    {
        // Arrange
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "{not json");
        using var output = new StringWriter();
        using var error = new StringWriter();

        try
        {
            // Act
            var exitCode = Program.BuildRootCommand().Parse(["map", path]).Invoke(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });

            // Assert
            Assert.Equal(1, exitCode);
            Assert.Contains("map:", error.ToString(), StringComparison.Ordinal);
            Assert.Empty(output.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
