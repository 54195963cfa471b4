// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Tests.Implementation.Api;

public sealed class HoneyHiveJsonContextTests
{
    [Fact]
    public void Api_Options_TheAttributesOptionsWithTheBodiesEncoder()
    {
        // Act
        var api = HoneyHiveJsonContext.Api.Options;
        var generated = HoneyHiveJsonContext.Default.Options;

        // Assert: Api states the [JsonSourceGenerationOptions] again (it cannot copy Default's in a static initializer).
        Assert.Equal(
            (generated.DefaultIgnoreCondition, generated.NumberHandling, generated.WriteIndented),
            (api.DefaultIgnoreCondition, api.NumberHandling, api.WriteIndented));
        Assert.Same(ApiJsonWriterOptions.Encoder, api.Encoder);
    }

    [Fact]
    public void SessionStartRequest_AbsentValues_AreOmittedAndTimesAreNumbers()
    {
        // Arrange
        var request = new SessionStartRequest
        {
            SessionId = "caf77ace-3417-4da4-944d-f4a0688f3c23",
            SessionName = "my-agent-run",
            StartTime = 1714492800123,
        };

        // Act
        var json = JsonSerializer.Serialize(request, HoneyHiveJsonContext.Api.SessionStartRequest);

        // Assert
        Assert.Equal(
            "{\"session_id\":\"caf77ace-3417-4da4-944d-f4a0688f3c23\",\"session_name\":\"my-agent-run\",\"start_time\":1714492800123}",
            json);
    }

    [Fact]
    public void EventRequest_Default_HasEventTypeAndObjectInputs()
    {
        // Arrange
        var request = new EventRequest { EventType = EventTypes.Tool, Duration = 1.5 };

        // Act
        var node = JsonNode.Parse(JsonSerializer.Serialize(request, HoneyHiveJsonContext.Api.EventRequest))!.AsObject();

        // Assert
        Assert.Equal(["event_type", "inputs", "duration"], node.Select(p => p.Key));
        Assert.Equal("tool", (string?)node["event_type"]);
        Assert.IsType<JsonObject>(node["inputs"]);
        Assert.Equal(JsonValueKind.Number, node["duration"]!.GetValueKind());
    }
}
