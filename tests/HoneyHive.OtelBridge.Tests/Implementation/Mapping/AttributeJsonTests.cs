// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Tests.Shared;

namespace HoneyHive.OtelBridge.Tests.Implementation.Mapping;

public sealed class AttributeJsonTests
{
    public static TheoryData<object> PlainValues => ["gpt-4o", true, 512L, 7, 0.2];

    [Theory]
    [MemberData(nameof(PlainValues))]
    public void ToField_StringNumberOrBoolean_HeldAsItIsWithoutANode(object attribute)
    {
        // Arrange: a span's metadata is mostly such values, one per attribute; each used to be made into a JsonValue
        // (the arms of one switch expression took JsonNode as their common type).
        var json = new AttributeJson(MappingOptions.Default);
        var expected = json.ToJson("k", attribute)!.ToJsonString();

        // Act
        var (field, allocated) = Allocations.OfSecondCall(() => json.ToField("k", attribute));

        // Assert: nothing allocated, and the value is the JSON the node would have been.
        Assert.Equal(0, allocated);
        Assert.True(field.IsValue);
        Assert.Equal(expected, field.ToNode()!.ToJsonString());
    }
}
