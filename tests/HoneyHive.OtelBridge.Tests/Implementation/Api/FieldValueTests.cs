// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Tests.Implementation.Api;

/// <summary>
/// What the mapper asks of a property without making its node (<see cref="FieldValue.IsValue"/>,
/// <see cref="FieldValue.TryGetInt64"/>, <see cref="FieldValue.Copy"/>) against what it asked of the node before.
/// </summary>
public sealed class FieldValueTests
{
    public static TheoryData<string> Kinds => [.. Values().Keys];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Queries_EachKind_SameAsTheNodesAnswers(string kind)
    {
        // Arrange
        var value = Values()[kind];
        var node = value.ToNode();

        // Act
        var isValue = value.IsValue;
        var isWhole = value.TryGetInt64(out var whole);
        var copy = value.Copy();

        // Assert
        Assert.Equal(node is JsonValue, isValue);
        var nodeIsWhole = node is JsonValue v && v.TryGetValue(out long nodeWhole) ? nodeWhole : (long?)null;
        Assert.Equal(nodeIsWhole, isWhole ? whole : null);
        Assert.Equal(node?.ToJsonString(), copy.ToNode()?.ToJsonString());
        if (node is not null && value.ToNode() is { } again && ReferenceEquals(node, again))
        {
            // A node is its own value: the copy is another node, free to go under another parent.
            Assert.NotSame(node, copy.ToNode());
            _ = new JsonObject { ["a"] = node, ["b"] = copy.ToNode() };
        }
    }

    private static Dictionary<string, FieldValue> Values() => new()
    {
        ["long"] = 512L,
        ["negative long"] = long.MinValue,
        ["whole double"] = 5.0,
        ["fraction"] = 2.5,
        ["boolean"] = true,
        ["string"] = "5",
        ["null"] = (JsonNode?)null,
        ["long node"] = JsonValue.Create(7L),
        ["double node"] = JsonValue.Create(7.0),
        ["parsed whole"] = JsonNode.Parse("9"),
        ["parsed fraction"] = JsonNode.Parse("9.5"),
        ["parsed string"] = JsonNode.Parse("\"x\""),
        ["object"] = new JsonObject { ["k"] = 1 },
        ["array"] = new JsonArray(1, 2),
    };
}
