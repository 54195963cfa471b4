// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// Checks a JSON request object against its <see cref="ApiObjectSchema"/> before anything is sent:
/// unknown fields, missing required fields and wrong JSON types, each named by its path
/// (<c>events[0].inputs</c>).
/// </summary>
internal static class ApiSchemaValidator
{
    /// <summary>Validates a whole request object.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="value">The object.</param>
    /// <returns>The problems found, in document order; empty when the object is valid.</returns>
    public static IReadOnlyList<string> Validate(ApiObjectSchema schema, JsonObject value)
    {
        var errors = new List<string>();
        ValidateObject(schema, value, string.Empty, errors);
        return errors;
    }

    /// <summary>Validates the value of one field.</summary>
    /// <param name="field">The field.</param>
    /// <param name="value">The value.</param>
    /// <param name="path">The name the problems are reported under.</param>
    /// <returns>The problems found; empty when the value is valid.</returns>
    public static IReadOnlyList<string> ValidateValue(ApiField field, JsonNode? value, string path)
    {
        var errors = new List<string>();
        ValidateField(field, value, path, errors);
        return errors;
    }

    private static void ValidateObject(ApiObjectSchema schema, JsonObject value, string prefix, List<string> errors)
    {
        foreach (var property in value)
        {
            var path = prefix + property.Key;
            var field = schema.FindField(property.Key);
            if (field is null)
            {
                errors.Add(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{path}: unknown field (not in {schema.Title}; allowed: {string.Join(", ", schema.Fields.Select(f => f.Name))})"));
                continue;
            }

            ValidateField(field, property.Value, path, errors);
        }

        foreach (var field in schema.Fields)
        {
            if (field.Required && !value.ContainsKey(field.Name))
            {
                errors.Add(prefix + field.Name + ": required field is missing");
            }
        }
    }

    private static void ValidateField(ApiField field, JsonNode? value, string path, List<string> errors)
    {
        var kind = value?.GetValueKind() ?? JsonValueKind.Null;
        switch (field.Kind)
        {
            case ApiValueKind.String:
            case ApiValueKind.NullableString:
                if (kind == JsonValueKind.Null && field.Kind == ApiValueKind.NullableString)
                {
                    return;
                }

                if (kind != JsonValueKind.String)
                {
                    errors.Add(path + ": must be a string" + (field.Kind == ApiValueKind.NullableString ? " or null" : string.Empty) + ", not " + Describe(kind));
                }
                else if (field.EnumValues.Count > 0 && !field.EnumValues.Contains(value!.GetValue<string>(), StringComparer.Ordinal))
                {
                    errors.Add(path + ": must be one of " + string.Join(", ", field.EnumValues) + ", not \"" + value!.GetValue<string>() + "\"");
                }

                return;
            case ApiValueKind.Number:
                if (kind != JsonValueKind.Number)
                {
                    errors.Add(path + ": must be a number, not " + Describe(kind));
                }

                return;
            case ApiValueKind.Integer:
                if (kind != JsonValueKind.Number)
                {
                    errors.Add(path + ": must be a number (Unix milliseconds), not " + Describe(kind));
                }
                else if (!IsWholeInt64(value!))
                {
                    errors.Add(path + ": must be a whole number of Unix milliseconds (no fraction or exponent), not " + value!.ToJsonString());
                }

                return;
            case ApiValueKind.Object:
                if (kind != JsonValueKind.Object)
                {
                    errors.Add(path + ": must be a JSON object, not " + Describe(kind));
                }

                return;
            case ApiValueKind.StringArray:
                if (kind != JsonValueKind.Array)
                {
                    errors.Add(path + ": must be a JSON array of strings, not " + Describe(kind));
                    return;
                }

                var strings = value!.AsArray();
                for (var i = 0; i < strings.Count; i++)
                {
                    var itemKind = strings[i]?.GetValueKind() ?? JsonValueKind.Null;
                    if (itemKind != JsonValueKind.String)
                    {
                        errors.Add(string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]: must be a string, not {Describe(itemKind)}"));
                    }
                }

                return;
            case ApiValueKind.ObjectArray:
                if (kind != JsonValueKind.Array)
                {
                    errors.Add(path + ": must be a JSON array of objects, not " + Describe(kind));
                    return;
                }

                var items = value!.AsArray();
                for (var i = 0; i < items.Count; i++)
                {
                    var itemPath = string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]");
                    if (items[i] is JsonObject item)
                    {
                        ValidateObject(field.Items!, item, itemPath + ".", errors);
                    }
                    else
                    {
                        errors.Add(itemPath + ": must be a JSON object, not " + Describe(items[i]?.GetValueKind() ?? JsonValueKind.Null));
                    }
                }

                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(field), field.Kind, "Unknown value kind.");
        }
    }

    private static bool IsWholeInt64(JsonNode value)
    {
        // The models hold times as long: 1714492800123.0 would not deserialize, so only a number
        // written without a fraction or exponent counts as whole.
        using var document = JsonDocument.Parse(value.ToJsonString());
        return document.RootElement.TryGetInt64(out _);
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
