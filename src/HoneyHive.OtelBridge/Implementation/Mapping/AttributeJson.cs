// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Implementation.Mapping;

/// <summary>
/// Turns span attribute values into JSON: arrays and key/value lists become JSON arrays and
/// objects, bytes become base64 strings, NaN and the infinities become the strings
/// <c>"NaN"</c>, <c>"Infinity"</c> and <c>"-Infinity"</c> (JSON has no such numbers), and a
/// string longer than the limit is cut with a visible marker and its original length recorded.
/// </summary>
internal sealed class AttributeJson
{
#if !NET10_0_OR_GREATER
    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

#endif
    private readonly MappingOptions options;
    private readonly bool poolDocuments;
    private List<JsonDocument>? documents;

    /// <summary>Initializes a new instance of the <see cref="AttributeJson"/> class.</summary>
    /// <param name="options">The mapping options.</param>
    /// <param name="poolDocuments">
    /// Whether <see cref="Parse"/> parses into pooled documents: only for a span whose mapped request is released
    /// once written (<see cref="EventRequest.ReleaseDocuments"/>); a pooled document nobody disposes costs more than an
    /// unpooled one (the pool's arrays are rounded up to a power of two, and the text's is three bytes a character).
    /// </param>
    public AttributeJson(MappingOptions options, bool poolDocuments = false)
    {
        this.options = options;
        this.poolDocuments = poolDocuments;
    }

    /// <summary>
    /// Gets the documents whose elements this span's fields hold (<see cref="Own"/>), or <see langword="null"/> when
    /// there are none. The mapped event takes them (<see cref="EventRequest.Documents"/>).
    /// </summary>
    public IReadOnlyList<JsonDocument>? Documents => this.documents;

    /// <summary>
    /// Gets the original lengths of the strings that were truncated, by attribute key, or
    /// <see langword="null"/> while nothing was truncated.
    /// </summary>
    public JsonObject? Truncated { get; private set; }

    /// <summary>
    /// Parses <paramref name="text"/> as <c>JsonNode.Parse</c> does (one JSON value, default options; invalid UTF-16
    /// throws <see cref="ArgumentException"/>, anything after the value <see cref="JsonException"/>). With pooled
    /// documents (see the constructor) the text's UTF-8 and its index are in arrays rented from the shared pool:
    /// <paramref name="document"/> is set, and the caller either keeps it with the span (<see cref="Own"/>) when it
    /// keeps anything read from it, or disposes it. Otherwise the element owns exact copies and
    /// <paramref name="document"/> is <see langword="null"/>.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="document">The pooled document, to keep or dispose; <see langword="null"/> when not pooled.</param>
    /// <returns>The value.</returns>
    public JsonElement Parse(string text, out JsonDocument? document)
    {
        if (this.poolDocuments)
        {
            document = JsonDocument.Parse(text);
            return document.RootElement;
        }

        document = null;
#if NET10_0_OR_GREATER
        return JsonElement.Parse(text);
#else
        // Strict UTF-8 (a lone surrogate throws, as JsonNode.Parse does), one value and nothing after it.
        var reader = new Utf8JsonReader(StrictUtf8.GetBytes(text));
        var root = JsonElement.ParseValue(ref reader);
        return reader.Read() ? throw new JsonException("Text after the JSON value.") : root;
#endif
    }

    /// <summary>
    /// Keeps a pooled document from <see cref="Parse"/> with the span's mapping: its elements, and nodes made of them,
    /// may be read until it is disposed. Whoever writes the mapped event for the last time disposes it
    /// (<see cref="EventRequest.ReleaseDocuments"/>); one nobody disposes is left to the GC.
    /// </summary>
    /// <param name="document">The document; <see langword="null"/> (not pooled): nothing to keep.</param>
    public void Own(JsonDocument? document)
    {
        if (document is not null)
        {
            (this.documents ??= []).Add(document);
        }
    }

    /// <summary>Converts an attribute value to JSON.</summary>
    /// <param name="key">The attribute key (recorded when a string is truncated).</param>
    /// <param name="value">The value.</param>
    /// <returns>The JSON node, or <see langword="null"/> for an empty value.</returns>
    public JsonNode? ToJson(TruncationKey key, object? value)
    {
        switch (value)
        {
            case null:
                return null;
            case string s:
                return JsonValue.Create(this.Truncate(key, s));
            case bool b:
                return JsonValue.Create(b);
            case double d:
                return FromDouble(d);
            case float f:
                return FromDouble(f);
            case decimal m:
                return JsonValue.Create(m);
            case long or int or short or sbyte or ulong or uint or ushort:
                return JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture));
            case byte u8:
                return JsonValue.Create((long)u8);
            case byte[] bytes:
                return JsonValue.Create(this.Truncate(key, Convert.ToBase64String(bytes)));
            case JsonNode node:
                return node.DeepClone();
            case IReadOnlyList<KeyValuePair<string, object?>> list:
                var obj = new JsonObject();
                foreach (var pair in list)
                {
                    obj[pair.Key] = this.ToJson(key, pair.Value);
                }

                return obj;
            case IEnumerable sequence:
                var array = new JsonArray();
                foreach (var item in sequence)
                {
                    array.Add(this.ToJson(key, item));
                }

                return array;
            default:
                return JsonValue.Create(this.Truncate(key, Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty));
        }
    }

    /// <summary>
    /// Converts an attribute value as <see cref="ToJson"/> does, keeping a string, a finite number or a boolean as a
    /// <see cref="FieldValue"/> instead of a node (the same JSON once written).
    /// </summary>
    /// <param name="key">The attribute key (recorded when a string is truncated).</param>
    /// <param name="value">The value.</param>
    /// <returns>The value; JSON <c>null</c> for an empty value.</returns>
    public FieldValue ToField(TruncationKey key, object? value)
    {
        // Statements, not one switch expression: JsonNode converts implicitly from string, bool, long and double, so
        // it was the arms' common type, and every value was made into a node before it became a FieldValue.
        switch (value)
        {
            case string s:
                return this.Truncate(key, s);
            case bool b:
                return b;
            case long l:
                return l;
            case int i:
                return (long)i;
            case double d when double.IsFinite(d):
                return d;
            default:
                return this.ToJson(key, value);
        }
    }

    /// <summary>
    /// Converts a value that may hold JSON text (messages, tool arguments): a string that parses
    /// as a JSON object or array becomes that structure; anything else is converted as usual. A
    /// string longer than the limit is not parsed: it is truncated like any other string.
    /// </summary>
    /// <param name="key">The attribute key.</param>
    /// <param name="value">The value.</param>
    /// <returns>The JSON node.</returns>
    public JsonNode? ToJsonParsingText(TruncationKey key, object? value)
    {
        if (value is string s && this.IsParsedAsText(s))
        {
            try
            {
                var parsed = JsonNode.Parse(s);
                if (parsed is JsonObject or JsonArray)
                {
                    return parsed;
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: keep the text.
            }
        }

        return this.ToJson(key, value);
    }

    /// <summary>
    /// Tells whether <see cref="ToJsonParsingText"/> tries to parse <paramref name="s"/> (it is not
    /// longer than the limit and starts, after white space, with <c>{</c> or <c>[</c>); a string it
    /// does not try is converted as text, with the truncation that implies.
    /// </summary>
    /// <param name="s">The string.</param>
    /// <returns><see langword="true"/> when the string is parsed.</returns>
    public bool IsParsedAsText(string s) => s.Length <= this.options.MaxStringLength && LooksLikeJson(s);

    /// <summary>
    /// Converts a value that is JSON-serialized as a whole (OpenLLMetry's
    /// <c>traceloop.entity.input</c>/<c>output</c>): any JSON value, a quoted string included, is
    /// decoded; text that is not JSON is kept as it is.
    /// </summary>
    /// <param name="key">The attribute key.</param>
    /// <param name="value">The value.</param>
    /// <returns>The JSON node.</returns>
    public JsonNode? ToJsonDecoding(TruncationKey key, object? value)
    {
        if (value is string s && s.Length <= this.options.MaxStringLength)
        {
            try
            {
                if (JsonNode.Parse(s) is { } parsed)
                {
                    return parsed is JsonValue v && v.GetValueKind() == JsonValueKind.String
                        ? JsonValue.Create(this.Truncate(key, v.GetValue<string>()))
                        : parsed;
                }
            }
            catch (JsonException)
            {
                // Not JSON: keep the text.
            }
        }

        return this.ToJson(key, value);
    }

    /// <summary>Converts a value to a string (for names and messages).</summary>
    /// <param name="key">The attribute key.</param>
    /// <param name="value">The value.</param>
    /// <returns>The string, or <see langword="null"/>.</returns>
    public string? ToText(TruncationKey key, object? value) => value switch
    {
        null => null,
        string s => this.Truncate(key, s),
        _ => this.ToJson(key, value) is { } node
            ? (node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString())
            : null,
    };

    /// <summary>Cuts a string longer than the limit, marking it and recording its length.</summary>
    /// <param name="key">The key recorded in <see cref="Truncated"/>.</param>
    /// <param name="value">The string.</param>
    /// <returns>The string, cut if needed.</returns>
    public string Truncate(TruncationKey key, string value)
    {
        var max = this.options.MaxStringLength;
        if (value.Length <= max)
        {
            return value;
        }

        var keep = Math.Max(0, max - MappingOptions.TruncationMarker.Length);
        if (keep > 0 && char.IsHighSurrogate(value[keep - 1]))
        {
            keep--;
        }

        var truncated = this.Truncated ??= [];
        var name = key.ToString();
        if (truncated[name] is not JsonValue previous || previous.GetValue<long>() < value.Length)
        {
            truncated[name] = value.Length;
        }

        return string.Concat(value.AsSpan(0, keep), MappingOptions.TruncationMarker);
    }

    private static JsonValue FromDouble(double d)
    {
        if (double.IsNaN(d))
        {
            return JsonValue.Create("NaN");
        }

        if (double.IsPositiveInfinity(d))
        {
            return JsonValue.Create("Infinity");
        }

        if (double.IsNegativeInfinity(d))
        {
            return JsonValue.Create("-Infinity");
        }

        return JsonValue.Create(d);
    }

    private static bool LooksLikeJson(string s)
    {
        var t = s.AsSpan().TrimStart();
        return t.Length > 0 && (t[0] == '{' || t[0] == '[');
    }
}
