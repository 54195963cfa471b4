// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Tests.Implementation.Api;

public class PooledJsonContentTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(200)]
    public async Task ReadAsByteArrayAsync_EventBatch_SendsTheCallBody(int eventCount)
    {
        // Arrange
        var events = Enumerable.Range(0, eventCount)
            .Select(i => new EventRequest { EventId = "event-" + i, EventName = new string('x', 500), Inputs = new JsonObject { ["i"] = i } })
            .ToList();
        var call = new SessionEventBatchCall("session-1", new SessionEventBatchRequest { Events = events });
        using var content = new PooledJsonContent(call);

        // Act
        var body = await content.ReadAsByteArrayAsync();

        // Assert
        Assert.Equal(call.GetBodyUtf8(), body);
        Assert.Equal(body.Length, content.Headers.ContentLength);
        var parsed = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(eventCount, parsed["events"]!.AsArray().Count);
        Assert.Equal("event-0", (string?)parsed["events"]![0]!["event_id"]);
    }

    [Fact]
    public async Task CopyToAsync_AfterDispose_Throws()
    {
        // Arrange
        var content = new PooledJsonContent(new StartSessionCall(new SessionStartRequest { SessionId = "s" }));
        content.Dispose();
        using var stream = new MemoryStream();

        // Act
        var error = await Record.ExceptionAsync(() => content.CopyToAsync(stream));

        // Assert
        Assert.IsType<ObjectDisposedException>(error);
        Assert.Equal(0, stream.Length);
    }
}
