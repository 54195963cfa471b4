// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Tests.Implementation.Api;

public class PooledByteBufferWriterTests
{
    [Fact]
    public void GetSpan_GrowsPastInitialCapacity_KeepsWrittenBytes()
    {
        // Arrange
        using var writer = new PooledByteBufferWriter(256);
        var expected = new List<byte>();

        // Act
        for (var i = 0; i < 1000; i++)
        {
            var span = writer.GetSpan(7);
            for (var j = 0; j < 7; j++)
            {
                span[j] = (byte)(i + j);
                expected.Add((byte)(i + j));
            }

            writer.Advance(7);
        }

        // Assert
        Assert.Equal(expected.ToArray(), writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Advance_PastEnd_Throws()
    {
        // Arrange
        using var writer = new PooledByteBufferWriter(256);
        var length = writer.GetSpan().Length;

        // Act
        var ex = Record.Exception(() => writer.Advance(length + 1));

        // Assert
        Assert.IsType<InvalidOperationException>(ex);
    }

    [Fact]
    public void GetSpan_AfterDispose_Throws()
    {
        // Arrange
        var writer = new PooledByteBufferWriter(256);
        writer.Dispose();

        // Act
        var ex = Record.Exception(() => writer.GetSpan());

        // Assert
        Assert.IsType<ObjectDisposedException>(ex);
    }

    [Fact]
    public void GetBodyUtf8_LargeBatch_SameBytesAsSerializer()
    {
        // Arrange: a body several times the initial buffer, so the buffer grows.
        var events = new List<EventRequest>();
        for (var i = 0; i < 200; i++)
        {
            events.Add(new EventRequest
            {
                EventId = "e" + i,
                EventName = new string('x', 500),
                Inputs = new JsonObject { ["chat_history"] = new JsonArray { "é✓" + i } },
                StartTime = 1_714_492_800_000 + i,
            });
        }

        var request = new SessionEventBatchRequest { Events = events };
        var call = new SessionEventBatchCall("s", request);

        // Act
        var body = call.GetBodyUtf8();

        // Assert
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(request, HoneyHiveJsonContext.Api.SessionEventBatchRequest), body);
        Assert.True(body.Length > 100_000);
    }
}
