// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Mapping;

namespace HoneyHive.OtelBridge.Tests.Implementation.Mapping;

public sealed class JsonFieldsTests
{
    public static TheoryData<int> Fillers => [0, JsonFields.IndexThreshold + 3];

    [Theory]
    [MemberData(nameof(Fillers))]
    public void Operations_AsOnAJsonObject_SameObject(int fillers)
    {
        // Arrange: the same operations on the fields and on a JsonObject, below and past the index threshold.
        var fields = new JsonFields();
        var expected = new JsonObject();
        void Both(Action<JsonFields> onFields, Action<JsonObject> onObject)
        {
            onFields(fields);
            onObject(expected);
        }

        // Act
        Both(f => f["a"] = 1, o => o["a"] = 1);
        for (var i = 0; i < fillers; i++)
        {
            var key = "filler." + i;
            Both(f => f.TryAdd(key, i), o => o.TryAdd(key, i));
        }

        Both(f => f["b"] = "first", o => o["b"] = "first");
        Both(f => f["a"] = 2, o => o["a"] = 2);
        var addedTwice = fields.TryAdd("b", "second");
        expected.TryAdd("b", "second");
        Both(f => f["n"] = (JsonNode?)null, o => o["n"] = null);
        var missing = fields.Find("absent");
        var hasN = fields.ContainsKey("n");
        var count = fields.Count;
        var actual = fields.ToField().Object;

        // Assert
        Assert.False(addedTwice);
        Assert.True(missing.IsNull);
        Assert.True(hasN);
        Assert.Equal(expected.Count, count);
        Assert.Equal(expected.ToJsonString(), actual.ToJsonString());
        Assert.Equal(0, fields.Count);
        Assert.True(fields.Find("a").IsNull);
    }

    [Fact]
    public void ToField_NoFields_EmptyObjectAndReusable()
    {
        // Arrange
        var fields = new JsonFields();

        // Act
        var empty = fields.ToField().Object;
        fields["k"] = "v";
        var next = fields.ToField().Object;

        // Assert
        Assert.Equal("{}", empty.ToJsonString());
        Assert.Equal("""{"k":"v"}""", next.ToJsonString());
    }
}
