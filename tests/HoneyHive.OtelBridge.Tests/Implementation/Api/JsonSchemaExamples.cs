// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;

namespace HoneyHive.OtelBridge.Tests.Implementation.Api;

/// <summary>
/// Builds an example instance from a generated JSON Schema (not from the C# description), filling
/// every listed property, so a test sees exactly what the printed schema promises. Fields named
/// <c>*_id</c> / <c>*_ids</c> get UUIDs, which is what the API expects of them.
/// Also linked into the receiver tests.
/// </summary>
internal static class JsonSchemaExamples
{
    public static JsonNode Build(JsonObject schema) => BuildValue(schema, "value");

    private static JsonNode BuildValue(JsonObject schema, string name)
    {
        if (schema["enum"] is JsonArray values)
        {
            return values[0]!.DeepClone();
        }

        var type = schema["type"] switch
        {
            JsonArray types => (string)types[0]!,
            JsonNode single => (string)single!,
            null => throw new InvalidOperationException("Schema of " + name + " has no type."),
        };

        switch (type)
        {
            case "object":
                var result = new JsonObject();
                if (schema["properties"] is JsonObject properties)
                {
                    foreach (var property in properties)
                    {
                        result[property.Key] = BuildValue(property.Value!.AsObject(), property.Key);
                    }
                }
                else
                {
                    result["example_key"] = "example value for " + name;
                }

                return result;
            case "array":
                var item = schema["items"] as JsonObject ?? new JsonObject { ["type"] = "string" };
                return new JsonArray(BuildValue(item, name));
            case "string":
                return name.EndsWith("_id", StringComparison.Ordinal) || name.EndsWith("_ids", StringComparison.Ordinal)
                    ? Guid.NewGuid().ToString()
                    : "example " + name;
            case "integer":
                return 1714492800123;
            case "number":
                return 700.5;
            case "boolean":
                return true;
            default:
                throw new InvalidOperationException("Schema of " + name + " has unsupported type " + type + ".");
        }
    }
}
