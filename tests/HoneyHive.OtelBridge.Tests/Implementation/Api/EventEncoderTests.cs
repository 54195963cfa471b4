// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Tests.Shared;

namespace HoneyHive.OtelBridge.Tests.Implementation.Api;

public class EventEncoderTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(700)]
    public void Encode_RichEvent_TheBytesOfTheSourceGeneratedSerializer(int n)
    {
        // Arrange
        using var encoder = new EventEncoder();
        var request = TestEvents.Rich(n, "00000000-0000-4000-8000-000000000001");

        // Act
        var first = encoder.Encode(request);
        var second = encoder.Encode(TestEvents.Rich(n + 1, null));

        // Assert
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(request, HoneyHiveJsonContext.Api.EventRequest), first);
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(TestEvents.Rich(n + 1, null), HoneyHiveJsonContext.Api.EventRequest), second);
    }

    [Fact]
    public void EncodeWithSession_EventWithoutSession_WritesTheSessionWhereTheSerializerDoesAndLeavesTheEventAsItWas()
    {
        // Arrange
        using var encoder = new EventEncoder();
        var request = TestEvents.Rich(3, null);
        var expected = TestEvents.Rich(3, null);
        expected.SessionId = "00000000-0000-4000-8000-000000000009";

        // Act
        var json = encoder.EncodeWithSession(request, "00000000-0000-4000-8000-000000000009");

        // Assert
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(expected, HoneyHiveJsonContext.Api.EventRequest), json);
        Assert.Null(request.SessionId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("00000000-0000-4000-8000-000000000009")]
    public void EncodeRented_RichEvents_TheSerializerBytesAtTheStartOfEachArray(string? sessionId)
    {
        // Arrange
        using var encoder = new EventEncoder();
        var requests = Enumerable.Range(0, 20).Select(n => TestEvents.Rich(n, null)).ToList();
        var expected = requests.Select(r => sessionId is null ? encoder.Encode(r) : encoder.EncodeWithSession(r, sessionId)).ToList();

        // Act
        var rented = requests.Select(r =>
        {
            var array = sessionId is null ? encoder.EncodeRented(r, out var length) : encoder.EncodeWithSessionRented(r, sessionId, out length);
            return (Array: array, Length: length);
        }).ToList();

        // Assert
        Assert.Equal(expected, rented.Select(r => r.Array.AsSpan(0, r.Length).ToArray()));
        Assert.All(rented, r => Assert.True(r.Array.Length >= r.Length));
        Assert.All(requests, r => Assert.Null(r.SessionId));
    }
}
