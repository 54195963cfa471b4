// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.LocalApi.Tests;

public sealed class FaultInjectorTests
{
    [Fact]
    public async Task Enqueue_InjectionDisabled_ThrowsAndNothingIsQueued()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync();

        // Act
        var exception = Record.Exception(() => server.Api.Faults.Enqueue(new InjectedFault { StatusCode = 503 }));

        // Assert
        Assert.IsType<InvalidOperationException>(exception);
        Assert.False(server.Api.Faults.IsEnabled);
        Assert.Equal(0, server.Api.Faults.Pending);
    }

    [Theory]
    [InlineData(0, 503)]
    [InlineData(1, 600)]
    [InlineData(1, 99)]
    public async Task Enqueue_OutOfRange_Throws(int count, int status)
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync(o => o.EnableFaultInjection = true);

        // Act
        var exception = Record.Exception(() => server.Api.Faults.Enqueue(new InjectedFault { StatusCode = status, Count = count }));

        // Assert
        Assert.IsType<ArgumentOutOfRangeException>(exception);
    }

    [Fact]
    public async Task Pending_AfterEnqueues_CountsRequestsStillFaulted()
    {
        // Arrange
        await using var server = await LocalApiTestServer.StartAsync(o => o.EnableFaultInjection = true);

        // Act
        server.Api.Faults.Enqueue(new InjectedFault { StatusCode = 503, Count = 3 });
        server.Api.Faults.Enqueue(new InjectedFault { StatusCode = 429 });
        await server.PostAsync("/v1/sessions", "{}");

        // Assert
        Assert.Equal(3, server.Api.Faults.Pending);
    }
}
