// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Spans;
using HoneyHive.OtelBridge.Tests.Shared;

namespace HoneyHive.OtelBridge.Tests.Implementation.Spans;

public sealed class BoxedInt64Tests
{
    [Theory]
    [InlineData(0L)]
    [InlineData(443L)]
    [InlineData(BoxedInt64.MaxCached)]
    public void Box_SmallValue_OneSharedBoxNothingAllocated(long value)
    {
        // Arrange
        var first = BoxedInt64.Box(value);

        // Act
        var (second, allocated) = Allocations.OfSecondCall(() => BoxedInt64.Box(value));

        // Assert
        Assert.Same(first, second);
        Assert.Equal(0, allocated);
        Assert.Equal(value, Assert.IsType<long>(second));
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(BoxedInt64.MaxCached + 1)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    public void Box_OtherValue_ItsOwnBoxOfTheValue(long value)
    {
        // Act
        var boxed = BoxedInt64.Box(value);

        // Assert
        Assert.Equal(value, Assert.IsType<long>(boxed));
        Assert.NotSame(boxed, BoxedInt64.Box(value));
    }
}
