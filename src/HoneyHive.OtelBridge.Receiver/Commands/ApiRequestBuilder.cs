// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Receiver.Commands;

/// <summary>
/// Builds the request object of a command from its <c>--filename</c> file and its field flags (a flag wins over
/// the file), and checks it against the <see cref="ApiObjectSchema"/> before anything is sent. Every problem is
/// a <see cref="CommandUsageException"/> that names the flag or the file field.
/// </summary>
internal static class ApiRequestBuilder
{
    /// <summary>Builds and validates the request object.</summary>
    /// <param name="schema">The request schema.</param>
    /// <param name="fileName">The <c>--filename</c> path, or <see langword="null"/>.</param>
    /// <param name="fileText">The file contents, when <paramref name="fileName"/> is set.</param>
    /// <param name="flags">The field flags given, with their raw text.</param>
    /// <returns>The request object, valid against <paramref name="schema"/>.</returns>
    public static JsonObject Build(ApiObjectSchema schema, string? fileName, string? fileText, IReadOnlyList<KeyValuePair<ApiField, string>> flags)
    {
        var request = fileName is null ? [] : ParseFile(schema, fileName, fileText ?? string.Empty);
        foreach (var (field, text) in flags)
        {
            request[field.Name] = ParseFlag(field, text);
        }

        var errors = ApiSchemaValidator.Validate(schema, request);
        if (errors.Count > 0)
        {
            throw new CommandUsageException(string.Join(Environment.NewLine, errors.Select(error => Explain(schema, error, fileName))));
        }

        return request;
    }

    /// <summary>Parses the text of one field flag into its JSON value, checked against the field's type.</summary>
    /// <param name="field">The field.</param>
    /// <param name="text">The flag's text.</param>
    /// <returns>The JSON value.</returns>
    public static JsonNode? ParseFlag(ApiField field, string text)
    {
        var flag = "--" + field.FlagName;
        JsonNode? value;
        switch (field.Kind)
        {
            case ApiValueKind.String:
            case ApiValueKind.NullableString:
                return JsonValue.Create(text);
            case ApiValueKind.Integer:
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
                {
                    return JsonValue.Create(whole);
                }

                if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) &&
                    decimal.Truncate(number) == number && number >= long.MinValue && number <= long.MaxValue)
                {
                    return JsonValue.Create((long)number);
                }

                throw new CommandUsageException(flag + " takes a whole number of Unix milliseconds, e.g. 1714492800123; got '" + text + "'.");
            case ApiValueKind.Number:
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real))
                {
                    return JsonValue.Create(real);
                }

                throw new CommandUsageException(flag + " takes a number, e.g. 700 or 12.5; got '" + text + "'.");
            default:
                try
                {
                    value = JsonNode.Parse(text);
                }
                catch (JsonException ex)
                {
                    throw new CommandUsageException(flag + " holds invalid JSON (" + ex.Message + "). It takes " + Expected(field) + ".", ex);
                }

                var errors = ApiSchemaValidator.ValidateValue(field, value, flag);
                if (errors.Count > 0)
                {
                    throw new CommandUsageException(string.Join(Environment.NewLine, errors));
                }

                return value;
        }
    }

    private static JsonObject ParseFile(ApiObjectSchema schema, string fileName, string fileText)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(fileText, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new CommandUsageException("--filename " + fileName + " holds invalid JSON (" + ex.Message + ").", ex);
        }

        if (node is not JsonObject request)
        {
            throw new CommandUsageException("--filename " + fileName + " must hold a JSON object (the whole " + schema.Title + "; see --show-file-schema).");
        }

        // Unknown fields are refused before the flags are applied, so the message points into the file.
        var unknown = request.Select(p => p.Key).Where(key => schema.FindField(key) is null).ToList();
        if (unknown.Count > 0)
        {
            throw new CommandUsageException(string.Create(
                CultureInfo.InvariantCulture,
                $"--filename {fileName}: unknown field{(unknown.Count > 1 ? "s" : string.Empty)} {string.Join(", ", unknown.Select(k => "\"" + k + "\""))} (allowed: {string.Join(", ", schema.Fields.Select(f => f.Name))})."));
        }

        return request;
    }

    private static string Explain(ApiObjectSchema schema, string error, string? fileName)
    {
        // Flag values were checked as they were parsed, so what is left comes from the file, or is missing.
        const string Missing = ": required field is missing";
        if (error.EndsWith(Missing, StringComparison.Ordinal) && schema.FindField(error[..^Missing.Length]) is { } field)
        {
            return "--" + field.FlagName + " is required" + (fileName is null ? string.Empty : " (or \"" + field.Name + "\" in the --filename file)") + ".";
        }

        return (fileName is null ? string.Empty : "--filename " + fileName + ": ") + error;
    }

    private static string Expected(ApiField field) => field.Kind switch
    {
        ApiValueKind.Object => "a JSON object, e.g. '{\"key\": \"value\"}'",
        ApiValueKind.StringArray => "a JSON array of strings, e.g. '[\"id-1\", \"id-2\"]'",
        ApiValueKind.ObjectArray => "a JSON array of objects, e.g. '[{\"event_type\": \"tool\", \"inputs\": {}}]'",
        _ => "JSON",
    };
}
