// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using HoneyHive.OtelBridge.Receiver.Hosting;
using HoneyHive.OtelBridge.Receiver.Tests.Otlp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace HoneyHive.OtelBridge.Receiver.Tests.Hosting;

public sealed class LargeBlockMemoryPoolFactoryTests
{
    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(4096)]
    public void Rent_UpToABlock_AWholeBlock(int minBufferSize)
    {
        // Arrange
        using var pool = new LargeBlockMemoryPoolFactory().Create();

        // Act
        using var block = pool.Rent(minBufferSize);

        // Assert: a receive into it reads up to 64 KiB, not 4 KiB.
        Assert.True(block.Memory.Length >= LargeBlockMemoryPoolFactory.BlockSize, block.Memory.Length.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(LargeBlockMemoryPoolFactory.BlockSize, pool.MaxBufferSize);
    }

    [Fact]
    public void Rent_MoreThanABlock_AsMuchAsAskedFor()
    {
        // Arrange
        using var pool = new LargeBlockMemoryPoolFactory().Create();

        // Act
        using var block = pool.Rent(200_000);

        // Assert
        Assert.True(block.Memory.Length >= 200_000);
    }

    [Fact]
    public void Rent_AfterABlockWasGivenBack_TheSameBlockAgain()
    {
        // Arrange
        using var pool = new LargeBlockMemoryPoolFactory().Create();
        var block = pool.Rent();
        var array = ArrayOf(block);

        // Act
        block.Dispose();
        using var again = pool.Rent();

        // Assert: kept and handed out again, not left to the GC.
        Assert.Same(array, ArrayOf(again));
    }

    [Fact]
    public void Dispose_Twice_GivenBackOnce()
    {
        // Arrange
        using var pool = (LargeBlockMemoryPoolFactory.LargeBlockMemoryPool)new LargeBlockMemoryPoolFactory().Create();
        var block = pool.Rent();

        // Act
        block.Dispose();
        block.Dispose();
        using var first = pool.Rent();
        using var second = pool.Rent();

        // Assert: given back twice, the block would go to both renters.
        Assert.NotSame(ArrayOf(first), ArrayOf(second));
        Assert.Equal(0, pool.FreeCount);
        Assert.Throws<ObjectDisposedException>(() => block.Memory);
    }

    [Fact]
    public void Dispose_MoreThanTheBound_KeepsTheBound()
    {
        // Arrange
        using var pool = (LargeBlockMemoryPoolFactory.LargeBlockMemoryPool)new LargeBlockMemoryPoolFactory().Create();
        var blocks = Enumerable.Range(0, LargeBlockMemoryPoolFactory.MaxFreeBlocks + 10).Select(_ => pool.Rent()).ToList();

        // Act
        blocks.ForEach(block => block.Dispose());

        // Assert: the overload's peak is not kept for good.
        Assert.Equal(LargeBlockMemoryPoolFactory.MaxFreeBlocks, pool.FreeCount);
    }

    [Fact]
    public async Task ReceiverHost_KestrelConnections_ReadIntoLargeBlocks()
    {
        // Arrange: the receiver's real Kestrel host on loopback, with one more endpoint that reports the memory pool of
        // the connection it is called on.
        var (app, _, http) = OtlpReceiverHost.Build(new OtlpReceiverOptions { GrpcPort = 0, HttpPort = 0 }, new RecordingSpanIngress(), null);
        app.MapGet("/pool", (HttpContext context) =>
            context.Features.Get<IMemoryPoolFeature>()?.MemoryPool.MaxBufferSize.ToString(CultureInfo.InvariantCulture) ?? "none");
        await using (app)
        {
            await app.StartAsync();
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http!.IPEndPoint!.Port}") };

            // Act
            var maxBufferSize = await client.GetStringAsync("/pool");

            // Assert: Kestrel's default pool would say 4096.
            Assert.Equal("65536", maxBufferSize);
            await app.StopAsync();
        }
    }

    private static byte[] ArrayOf(IMemoryOwner<byte> block) =>
        MemoryMarshal.TryGetArray<byte>(block.Memory, out var segment) ? segment.Array! : throw new InvalidOperationException("not an array");
}
