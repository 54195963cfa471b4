// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Tests.Implementation.Spans;

/// <summary>
/// Field-by-field equality of span records, attribute values compared by value and by type
/// (a <see cref="long"/> 1 is not a <see cref="double"/> 1; doubles by their bits), so a failure names the field.
/// </summary>
internal static class SpanRecordAssert
{
    public static void Equal(SpanRecord expected, SpanRecord actual)
    {
        var at = $"span {expected.SpanId.ToHexString()}";
        Assert.True(expected.TraceId == actual.TraceId, $"{at}: TraceId {expected.TraceId} != {actual.TraceId}");
        Assert.True(expected.SpanId == actual.SpanId, $"{at}: SpanId {expected.SpanId} != {actual.SpanId}");
        Assert.True(expected.ParentSpanId == actual.ParentSpanId, $"{at}: ParentSpanId {expected.ParentSpanId} != {actual.ParentSpanId}");
        Assert.Equal(expected.IsRoot, actual.IsRoot);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.StartTimeUnixNano, actual.StartTimeUnixNano);
        Assert.Equal(expected.EndTimeUnixNano, actual.EndTimeUnixNano);
        Assert.Equal(expected.StatusCode, actual.StatusCode);
        Assert.Equal(expected.StatusMessage, actual.StatusMessage);
        Assert.Equal(expected.ScopeName, actual.ScopeName);
        Assert.Equal(expected.ScopeVersion, actual.ScopeVersion);
        AttributesEqual(expected.Attributes, actual.Attributes, $"{at}.Attributes");
        AttributesEqual(expected.ResourceAttributes, actual.ResourceAttributes, $"{at}.ResourceAttributes");

        Assert.True(expected.Events.Count == actual.Events.Count, $"{at}: {expected.Events.Count} events != {actual.Events.Count}");
        for (var i = 0; i < expected.Events.Count; i++)
        {
            Assert.Equal(expected.Events[i].Name, actual.Events[i].Name);
            Assert.Equal(expected.Events[i].TimeUnixNano, actual.Events[i].TimeUnixNano);
            AttributesEqual(expected.Events[i].Attributes, actual.Events[i].Attributes, $"{at}.Events[{i}]");
        }

        Assert.True(expected.Links.Count == actual.Links.Count, $"{at}: {expected.Links.Count} links != {actual.Links.Count}");
        for (var i = 0; i < expected.Links.Count; i++)
        {
            Assert.True(expected.Links[i].TraceId == actual.Links[i].TraceId, $"{at}.Links[{i}].TraceId");
            Assert.True(expected.Links[i].SpanId == actual.Links[i].SpanId, $"{at}.Links[{i}].SpanId");
            AttributesEqual(expected.Links[i].Attributes, actual.Links[i].Attributes, $"{at}.Links[{i}]");
        }
    }

    public static void AttributesEqual(
        IReadOnlyList<KeyValuePair<string, object?>> expected,
        IReadOnlyList<KeyValuePair<string, object?>> actual,
        string path)
    {
        Assert.True(
            expected.Count == actual.Count,
            $"{path}: [{string.Join(", ", expected.Select(a => a.Key))}] != [{string.Join(", ", actual.Select(a => a.Key))}]");
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].Key == actual[i].Key, $"{path}[{i}]: key {expected[i].Key} != {actual[i].Key}");
            ValueEqual(expected[i].Value, actual[i].Value, $"{path}.{expected[i].Key}");
        }
    }

    public static void ValueEqual(object? expected, object? actual, string path)
    {
        switch (expected)
        {
            case null:
                Assert.True(actual is null, $"{path}: expected null, got {Describe(actual)}");
                return;
            case object?[] expectedArray:
                var actualArray = Assert.IsType<object?[]>(actual);
                Assert.True(expectedArray.Length == actualArray.Length, $"{path}: array length {expectedArray.Length} != {actualArray.Length}");
                for (var i = 0; i < expectedArray.Length; i++)
                {
                    ValueEqual(expectedArray[i], actualArray[i], $"{path}[{i}]");
                }

                return;
            case IReadOnlyList<KeyValuePair<string, object?>> expectedList:
                AttributesEqual(expectedList, Assert.IsAssignableFrom<IReadOnlyList<KeyValuePair<string, object?>>>(actual), path);
                return;
            case byte[] expectedBytes:
                Assert.Equal(expectedBytes, Assert.IsType<byte[]>(actual));
                return;
            case double expectedDouble:
                // By bits: -0.0 is not 0.0, and a NaN keeps its payload.
                Assert.True(
                    actual is double d && BitConverter.DoubleToInt64Bits(expectedDouble) == BitConverter.DoubleToInt64Bits(d),
                    $"{path}: expected {Describe(expected)}, got {Describe(actual)}");
                return;
            default:
                Assert.True(
                    actual is not null && expected.GetType() == actual.GetType() && expected.Equals(actual),
                    $"{path}: expected {Describe(expected)}, got {Describe(actual)}");
                return;
        }
    }

    private static string Describe(object? value)
        => value is null ? "null" : string.Create(CultureInfo.InvariantCulture, $"{value} ({value.GetType().Name})");
}
