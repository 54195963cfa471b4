// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;

namespace HoneyHive.OtelBridge.Implementation.Otlp;

/// <summary>
/// Reads and writes the OTLP/JSON encoding of trace export requests and responses.
/// </summary>
/// <remarks>
/// <para>
/// OTLP/JSON is the proto3 JSON mapping with one difference that matters: trace and span ids
/// (<c>traceId</c>, <c>spanId</c>, <c>parentSpanId</c> on spans and links) are hex strings, not
/// base64. Parsing rewrites those ids from hex to base64 in a <see cref="JsonNode"/> tree and then
/// hands the text to Google.Protobuf's <see cref="JsonParser"/> with unknown fields ignored.
/// </para>
/// <para>
/// Why not a hand-written <c>Utf8JsonReader</c> parser: Google.Protobuf already implements every
/// rule of the proto3 JSON mapping OTLP relies on (lowerCamelCase and proto field names, 64-bit
/// integers as strings or numbers, enums as names or integers, <c>"NaN"</c>/<c>"Infinity"</c>
/// doubles, base64 <c>bytesValue</c>, oneofs), and it stays right when the protos gain fields.
/// The price is a second pass over the text, paid only on the OTLP/HTTP JSON path (gRPC and
/// OTLP/HTTP protobuf never come here).
/// </para>
/// <para>
/// Every parse error surfaces as a <see cref="FormatException"/> whose message says where the
/// input is wrong; a receiver answers it with HTTP 400 / gRPC <c>INVALID_ARGUMENT</c>.
/// </para>
/// </remarks>
internal static class OtlpJsonSerializer
{
    /// <summary>The JSON nesting depth accepted; the protobuf recursion limit (100 messages) binds first.</summary>
    internal const int MaxJsonDepth = 512;

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    private static readonly JsonFormatter Formatter = new(
        JsonFormatter.Settings.Default.WithFormatDefaultValues(false).WithFormatEnumsAsIntegers(true));

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = MaxJsonDepth,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
    };

    private static readonly string[] ResourceSpansNames = ["resourceSpans", "resource_spans"];
    private static readonly string[] ScopeSpansNames = ["scopeSpans", "scope_spans"];
    private static readonly string[] SpansNames = ["spans"];
    private static readonly string[] LinksNames = ["links"];
    private static readonly string[] SpanIdFieldNames = ["traceId", "trace_id", "spanId", "span_id", "parentSpanId", "parent_span_id"];
    private static readonly string[] LinkIdFieldNames = ["traceId", "trace_id", "spanId", "span_id"];

    // The 64-bit integer fields of a trace request. Google.Protobuf reads a JSON number through a
    // double, which loses precision above 2^53 (every nanosecond timestamp); such numbers are
    // quoted before parsing, so a sender that writes numbers instead of strings loses nothing.
    private static readonly HashSet<string> Int64FieldNames = new(StringComparer.Ordinal)
    {
        "intValue", "int_value", "startTimeUnixNano", "start_time_unix_nano",
        "endTimeUnixNano", "end_time_unix_nano", "timeUnixNano", "time_unix_nano",
    };

    /// <summary>Parses one OTLP/JSON trace export request.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The request.</returns>
    /// <exception cref="FormatException">The text is not valid OTLP/JSON.</exception>
    public static ExportTraceServiceRequest ParseRequest(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, nodeOptions: null, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Invalid OTLP/JSON: {ex.Message}", ex);
        }

        return ParseTree(root);
    }

    /// <summary>Parses one OTLP/JSON trace export request from UTF-8 bytes (an HTTP body).</summary>
    /// <param name="utf8Json">The UTF-8 JSON bytes.</param>
    /// <returns>The request.</returns>
    /// <exception cref="FormatException">The bytes are not valid OTLP/JSON.</exception>
    public static ExportTraceServiceRequest ParseRequest(ReadOnlySpan<byte> utf8Json)
    {
        JsonNode? root;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions
            {
                MaxDepth = MaxJsonDepth,
                AllowTrailingCommas = false,
                CommentHandling = JsonCommentHandling.Disallow,
            });
            root = JsonNode.Parse(ref reader);

            // JsonNode.Parse(ref reader) reads one value; anything after it is an error.
            if (reader.Read())
            {
                throw new FormatException(
                    $"Invalid OTLP/JSON: unexpected content after the request at byte {reader.TokenStartIndex.ToString(CultureInfo.InvariantCulture)}.");
            }
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Invalid OTLP/JSON: {ex.Message}", ex);
        }

        return ParseTree(root);
    }

    /// <summary>
    /// Parses OTLP/JSON requests from text that holds either one whole document (which may span
    /// many lines) or several documents, one per line (what the Collector's <c>file</c> exporter
    /// writes). Blank lines are skipped. Requests are yielded as they are read.
    /// </summary>
    /// <param name="reader">The text to read.</param>
    /// <returns>The requests, in order.</returns>
    /// <exception cref="FormatException">A document is not valid OTLP/JSON; the message names its line.</exception>
    public static IEnumerable<ExportTraceServiceRequest> ParseLines(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return ParseLinesIterator(reader);
    }

    /// <summary>Formats a request as OTLP/JSON: lowerCamelCase names, hex ids, enums as integers, 64-bit integers as strings.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The JSON text, on one line.</returns>
    public static string FormatRequest(ExportTraceServiceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var root = JsonNode.Parse(Formatter.Format(request), nodeOptions: null, DocumentOptions);
        RewriteIds(root, static (value, _) => Convert.ToHexString(Convert.FromBase64String(value)).ToLowerInvariant());
        return root!.ToJsonString();
    }

    /// <summary>
    /// Formats a response as OTLP/JSON. A response without <c>partial_success</c> is <c>{}</c>;
    /// otherwise <c>{"partialSuccess":{"rejectedSpans":"N","errorMessage":"..."}}</c>.
    /// </summary>
    /// <param name="response">The response.</param>
    /// <returns>The JSON text.</returns>
    public static string FormatResponse(ExportTraceServiceResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Formatter.Format(response);
    }

    private static IEnumerable<ExportTraceServiceRequest> ParseLinesIterator(TextReader reader)
    {
        var splitter = new OtlpJsonDocumentSplitter(reader);
        while (splitter.TryReadDocument(out var document, out var line))
        {
            ExportTraceServiceRequest request;
            try
            {
                request = ParseRequest(document);
            }
            catch (FormatException ex)
            {
                throw new FormatException(
                    $"Line {line.ToString(CultureInfo.InvariantCulture)}: {ex.Message}", ex);
            }

            yield return request;
        }
    }

    private static ExportTraceServiceRequest ParseTree(JsonNode? root)
    {
        if (root is not JsonObject)
        {
            throw new FormatException("Invalid OTLP/JSON: the request must be a JSON object.");
        }

        RewriteIds(root, HexToBase64);
        QuoteInt64Numbers(root);

        try
        {
            return Parser.Parse<ExportTraceServiceRequest>(root.ToJsonString());
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidJsonException or FormatException or ArgumentException)
        {
            throw new FormatException($"Invalid OTLP/JSON: {ex.Message}", ex);
        }
    }

    private static string HexToBase64(string value, string path)
    {
        if (value.Length % 2 != 0)
        {
            throw new FormatException($"Invalid OTLP/JSON: {path} \"{Truncate(value)}\" is not a hex string (odd length).");
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(value);
        }
        catch (FormatException ex)
        {
            throw new FormatException($"Invalid OTLP/JSON: {path} \"{Truncate(value)}\" is not a hex string.", ex);
        }

        return Convert.ToBase64String(bytes);
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 64), "...");

    private static void RewriteIds(JsonNode? root, Func<string, string, string> convert)
    {
        var resourceSpans = Child(root, ResourceSpansNames, out var resourceSpansName);
        if (resourceSpans is not JsonArray resourceSpansArray)
        {
            return;
        }

        for (var r = 0; r < resourceSpansArray.Count; r++)
        {
            var scopeSpans = Child(resourceSpansArray[r], ScopeSpansNames, out var scopeSpansName);
            if (scopeSpans is not JsonArray scopeSpansArray)
            {
                continue;
            }

            for (var s = 0; s < scopeSpansArray.Count; s++)
            {
                if (Child(scopeSpansArray[s], SpansNames, out _) is not JsonArray spans)
                {
                    continue;
                }

                for (var i = 0; i < spans.Count; i++)
                {
                    if (spans[i] is not JsonObject span)
                    {
                        continue;
                    }

                    var spanPath = string.Create(
                        CultureInfo.InvariantCulture,
                        $"{resourceSpansName}[{r}].{scopeSpansName}[{s}].spans[{i}]");
                    RewriteFields(span, SpanIdFieldNames, spanPath, convert);

                    if (Child(span, LinksNames, out _) is not JsonArray links)
                    {
                        continue;
                    }

                    for (var l = 0; l < links.Count; l++)
                    {
                        if (links[l] is JsonObject link)
                        {
                            RewriteFields(link, LinkIdFieldNames, string.Create(CultureInfo.InvariantCulture, $"{spanPath}.links[{l}]"), convert);
                        }
                    }
                }
            }
        }
    }

    private static void QuoteInt64Numbers(JsonNode root)
    {
        // Iterative walk: the depth is bounded by MaxJsonDepth, but a stack costs nothing here.
        var pending = new Stack<JsonNode>();
        pending.Push(root);
        List<KeyValuePair<string, string>>? replacements = null;
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            if (node is JsonArray array)
            {
                foreach (var item in array)
                {
                    if (item is JsonObject or JsonArray)
                    {
                        pending.Push(item);
                    }
                }

                continue;
            }

            if (node is not JsonObject obj)
            {
                continue;
            }

            replacements?.Clear();
            foreach (var property in obj)
            {
                if (property.Value is JsonObject or JsonArray)
                {
                    pending.Push(property.Value);
                }
                else if (property.Value is JsonValue value
                    && Int64FieldNames.Contains(property.Key)
                    && value.TryGetValue<JsonElement>(out var element)
                    && element.ValueKind == JsonValueKind.Number)
                {
                    var raw = element.GetRawText();
                    if (raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0)
                    {
                        (replacements ??= []).Add(new(property.Key, raw));
                    }
                }
            }

            if (replacements is not null)
            {
                foreach (var replacement in replacements)
                {
                    obj[replacement.Key] = replacement.Value;
                }
            }
        }
    }

    private static JsonNode? Child(JsonNode? node, string[] names, out string name)
    {
        name = names[0];
        if (node is not JsonObject obj)
        {
            return null;
        }

        foreach (var candidate in names)
        {
            if (obj.TryGetPropertyValue(candidate, out var child))
            {
                name = candidate;
                return child;
            }
        }

        return null;
    }

    private static void RewriteFields(JsonObject obj, string[] fieldNames, string path, Func<string, string, string> convert)
    {
        foreach (var field in fieldNames)
        {
            if (!obj.TryGetPropertyValue(field, out var value) || value is null)
            {
                continue;
            }

            if (value is not JsonValue jsonValue || !jsonValue.TryGetValue<string>(out var text))
            {
                throw new FormatException($"Invalid OTLP/JSON: {path}.{field} must be a hex string.");
            }

            obj[field] = convert(text, $"{path}.{field}");
        }
    }

    /// <summary>
    /// Splits text into top-level JSON object documents, whether they sit one per line or one
    /// document spans several lines, without buffering more than one document.
    /// </summary>
    private sealed class OtlpJsonDocumentSplitter
    {
        private readonly TextReader reader;
        private readonly StringBuilder buffer = new();
        private int line = 1;

        public OtlpJsonDocumentSplitter(TextReader reader)
        {
            this.reader = reader;
        }

        public bool TryReadDocument(out string document, out int startLine)
        {
            document = string.Empty;
            startLine = this.line;
            this.buffer.Clear();

            var depth = 0;
            var inString = false;
            var escaped = false;
            int next;
            while ((next = this.reader.Read()) >= 0)
            {
                var c = (char)next;
                if (depth == 0)
                {
                    if (c == '\n')
                    {
                        this.line++;
                        continue;
                    }

                    if (char.IsWhiteSpace(c) || c == '\uFEFF')
                    {
                        continue;
                    }

                    if (c != '{')
                    {
                        throw new FormatException(
                            $"Line {this.line.ToString(CultureInfo.InvariantCulture)}: Invalid OTLP/JSON: expected '{{' to start a request, found '{c}'.");
                    }

                    startLine = this.line;
                }

                this.buffer.Append(c);
                if (c == '\n')
                {
                    this.line++;
                }

                if (inString)
                {
                    if (escaped)
                    {
                        escaped = false;
                    }
                    else if (c == '\\')
                    {
                        escaped = true;
                    }
                    else if (c == '"')
                    {
                        inString = false;
                    }

                    continue;
                }

                switch (c)
                {
                    case '"':
                        inString = true;
                        break;
                    case '{':
                    case '[':
                        depth++;
                        break;
                    case '}':
                    case ']':
                        depth--;
                        break;
                    default:
                        break;
                }

                if (depth == 0)
                {
                    document = this.buffer.ToString();
                    return true;
                }
            }

            if (this.buffer.Length > 0)
            {
                throw new FormatException(
                    $"Line {startLine.ToString(CultureInfo.InvariantCulture)}: Invalid OTLP/JSON: the request is not terminated.");
            }

            return false;
        }
    }
}
