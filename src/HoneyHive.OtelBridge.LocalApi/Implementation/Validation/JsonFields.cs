// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.LocalApi.Implementation.Http;

namespace HoneyHive.OtelBridge.LocalApi.Implementation.Validation;

/// <summary>Checks a request object against a closed field list (<c>additionalProperties: false</c>).</summary>
internal static class JsonFields
{
    private static readonly HashSet<string> EventTypes = new(StringComparer.Ordinal) { "chain", "model", "tool", "session" };

    /// <summary>Rejects an unknown field or a field of the wrong JSON type.</summary>
    /// <param name="body">The request object.</param>
    /// <param name="schema">The allowed fields and their kinds.</param>
    /// <param name="where">What the object is, for the message (e.g. <c>event at index 3</c>).</param>
    /// <exception cref="ApiException">400 naming the field.</exception>
    public static void Check(JsonObject body, IReadOnlyDictionary<string, FieldKind> schema, string where)
    {
        foreach (var (name, value) in body)
        {
            if (!schema.TryGetValue(name, out var kind))
            {
                throw ApiException.BadRequest($"Invalid {where}: unknown field '{name}' is not allowed.");
            }

            if (!IsOfKind(value, kind))
            {
                throw ApiException.BadRequest($"Invalid {where}: field '{name}' must be {Describe(kind)}.");
            }
        }
    }

    /// <summary>Rejects the object when a required field is absent.</summary>
    /// <param name="body">The request object.</param>
    /// <param name="name">The required field.</param>
    /// <param name="where">What the object is, for the message.</param>
    public static void Require(JsonObject body, string name, string where)
    {
        if (!body.ContainsKey(name))
        {
            throw ApiException.BadRequest($"Invalid {where}: missing required field '{name}'.");
        }
    }

    public static bool IsUuid(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.String && IsUuid(v.GetValue<string>());

    public static bool IsUuid(string value) => value.Length == 36 && Guid.TryParseExact(value, "D", out _);

    public static JsonValueKind KindOf(JsonNode? value) => value?.GetValueKind() ?? JsonValueKind.Null;

    private static bool IsOfKind(JsonNode? value, FieldKind kind)
    {
        var json = KindOf(value);
        return kind switch
        {
            FieldKind.String => json == JsonValueKind.String,
            FieldKind.Uuid => IsUuid(value),
            FieldKind.NullableString => json is JsonValueKind.String or JsonValueKind.Null,
            FieldKind.Object => json == JsonValueKind.Object,
            FieldKind.StringArray => value is JsonArray array && array.All(item => KindOf(item) == JsonValueKind.String),
            FieldKind.Number => json == JsonValueKind.Number,
            FieldKind.Boolean => json is JsonValueKind.True or JsonValueKind.False,
            FieldKind.EventType => json == JsonValueKind.String && EventTypes.Contains(value!.GetValue<string>()),
            _ => true,
        };
    }

    private static string Describe(FieldKind kind) => kind switch
    {
        FieldKind.String => "a string",
        FieldKind.Uuid => "a UUID string",
        FieldKind.NullableString => "a string or null",
        FieldKind.Object => "an object",
        FieldKind.StringArray => "an array of strings",
        FieldKind.Number => "a number",
        FieldKind.Boolean => "a boolean",
        FieldKind.EventType => "one of chain, model, tool, session",
        _ => "valid",
    };
}
