// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;

namespace HoneyHive.OtelBridge.Tests.Implementation.Mapping;

/// <summary>Lists the paths where two JSON documents differ (for golden-file failures).</summary>
internal static class JsonDiff
{
    public static IEnumerable<string> Describe(JsonNode? expected, JsonNode? actual, string path)
    {
        if (expected is JsonObject e && actual is JsonObject a)
        {
            foreach (var key in e.Select(p => p.Key).Union(a.Select(p => p.Key)))
            {
                if (!e.ContainsKey(key))
                {
                    yield return $"{path}.{key}: unexpected {a[key]?.ToJsonString()}";
                }
                else if (!a.ContainsKey(key))
                {
                    yield return $"{path}.{key}: missing, expected {e[key]?.ToJsonString()}";
                }
                else
                {
                    foreach (var line in Describe(e[key], a[key], path + "." + key))
                    {
                        yield return line;
                    }
                }
            }
        }
        else if (expected is JsonArray ea && actual is JsonArray aa && ea.Count == aa.Count)
        {
            for (var i = 0; i < ea.Count; i++)
            {
                foreach (var line in Describe(ea[i], aa[i], $"{path}[{i}]"))
                {
                    yield return line;
                }
            }
        }
        else if (!JsonNode.DeepEquals(expected, actual))
        {
            yield return $"{path}: expected {expected?.ToJsonString()}, got {actual?.ToJsonString()}";
        }
    }
}
