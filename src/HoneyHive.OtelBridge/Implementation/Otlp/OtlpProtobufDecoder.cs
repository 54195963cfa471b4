// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Implementation.Otlp;

/// <summary>
/// Reads the protobuf encoding of an OTLP <c>ExportTraceServiceRequest</c> straight into <see cref="SpanRecord"/>s:
/// the same result as <c>ExportTraceServiceRequest.Parser.ParseFrom(bytes).ToSpanRecords(limits)</c>
/// (<see cref="OtlpSpanConversionExtensions"/>), without building the generated messages, and with the short strings
/// every span repeats (attribute keys, names) taken from <see cref="Utf8StringCache.Shared"/>.
/// </summary>
/// <remarks>
/// Two passes. The first checks the whole request as Google.Protobuf's parser does (varints of at most ten bytes,
/// lengths within their message, no tag 0, wire types 0 to 5 with groups closed by their own end tag, at most 100
/// nested messages and groups, every string field valid UTF-8) and counts the spans; it reads nothing else. A field whose wire type does not match its
/// declaration is an unknown field there, skipped like any other. The second pass converts, following proto3's rules
/// as the generated code applies them: fields in any order, the last occurrence of a scalar wins, the occurrences of a
/// message field merge (which is the message parsed from their bytes concatenated), and a <c>oneof</c> takes its last
/// member (an array or key/value list merging with the same member before it). A request the first pass
/// refuses is handed to Google.Protobuf, which throws its <c>InvalidProtocolBufferException</c>.
/// </remarks>
internal static class OtlpProtobufDecoder
{
    /// <summary>Google.Protobuf's default recursion limit (nested messages and groups).</summary>
    internal const int RecursionLimit = 100;

    private const uint WireVarint = 0;
    private const uint WireFixed64 = 1;
    private const uint WireLengthDelimited = 2;
    private const uint WireStartGroup = 3;
    private const uint WireEndGroup = 4;
    private const uint WireFixed32 = 5;

    // Tags (field number << 3 | wire type) of the fields the conversion reads.
    private const uint Field1Bytes = (1 << 3) | WireLengthDelimited;
    private const uint Field2Bytes = (2 << 3) | WireLengthDelimited;
    private const uint SpanParentSpanId = (4 << 3) | WireLengthDelimited;
    private const uint SpanName = (5 << 3) | WireLengthDelimited;
    private const uint SpanKind = (6 << 3) | WireVarint;
    private const uint SpanStartTime = (7 << 3) | WireFixed64;
    private const uint SpanEndTime = (8 << 3) | WireFixed64;
    private const uint SpanAttributes = (9 << 3) | WireLengthDelimited;
    private const uint SpanEvents = (11 << 3) | WireLengthDelimited;
    private const uint SpanLinks = (13 << 3) | WireLengthDelimited;
    private const uint SpanStatus = (15 << 3) | WireLengthDelimited;
    private const uint StatusCode = (3 << 3) | WireVarint;
    private const uint EventTime = (1 << 3) | WireFixed64;
    private const uint EventAttributes = (3 << 3) | WireLengthDelimited;
    private const uint LinkAttributes = (4 << 3) | WireLengthDelimited;
    private const uint AnyString = (1 << 3) | WireLengthDelimited;
    private const uint AnyBool = (2 << 3) | WireVarint;
    private const uint AnyInt = (3 << 3) | WireVarint;
    private const uint AnyDouble = (4 << 3) | WireFixed64;
    private const uint AnyArray = (5 << 3) | WireLengthDelimited;
    private const uint AnyKvlist = (6 << 3) | WireLengthDelimited;
    private const uint AnyBytes = (7 << 3) | WireLengthDelimited;

    private static readonly object True = true;
    private static readonly object False = false;

    private enum WireMessage : byte
    {
        None,
        Request,
        ResourceSpans,
        Resource,
        ScopeSpans,
        Scope,
        Span,
        Event,
        Link,
        Status,
        KeyValue,
        AnyValue,
        ArrayValue,
        KeyValueList,
    }

    private enum ValueCase : byte
    {
        None,
        String,
        Bool,
        Int,
        Double,
        Array,
        Kvlist,
        Bytes,
    }

    /// <summary>Converts every span of a protobuf-encoded export request within limits.</summary>
    /// <param name="request">The protobuf bytes of an <c>ExportTraceServiceRequest</c>.</param>
    /// <param name="limits">The limits.</param>
    /// <returns>The spans taken, and the count and reasons of those rejected.</returns>
    /// <exception cref="Google.Protobuf.InvalidProtocolBufferException">The bytes are not a valid request.</exception>
    public static OtlpConversionResult Decode(ReadOnlySpan<byte> request, OtlpConversionLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return TryDecode(request, limits, out var result)
            ? result
            : ExportTraceServiceRequest.Parser.ParseFrom(request).ToSpanRecords(limits);
    }

    /// <summary>Throws what Google.Protobuf's parser throws when the bytes are not a valid request.</summary>
    /// <param name="request">The protobuf bytes of an <c>ExportTraceServiceRequest</c>.</param>
    /// <exception cref="Google.Protobuf.InvalidProtocolBufferException">The bytes are not a valid request.</exception>
    public static void ThrowIfInvalid(ReadOnlySpan<byte> request)
    {
        if (!IsValid(request, out _))
        {
            _ = ExportTraceServiceRequest.Parser.ParseFrom(request);
        }
    }

    /// <summary>Converts a request, or tells that it is not a valid one.</summary>
    /// <param name="request">The protobuf bytes.</param>
    /// <param name="limits">The limits.</param>
    /// <param name="result">The result, when valid.</param>
    /// <returns><see langword="false"/> when Google.Protobuf's parser would refuse the bytes.</returns>
    internal static bool TryDecode(ReadOnlySpan<byte> request, OtlpConversionLimits limits, [NotNullWhen(true)] out OtlpConversionResult? result)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (!IsValid(request, out var spanCount))
        {
            result = null;
            return false;
        }

        result = Convert(request, limits, spanCount);
        return true;
    }

    /// <summary>Converts a request that <see cref="ThrowIfInvalid"/> accepted (the gRPC marshaller checks each request
    /// as it arrives): the same result as <see cref="Decode"/> without checking the bytes a second time. Only for bytes
    /// so checked: on others the result is undefined.</summary>
    /// <param name="request">The protobuf bytes, checked.</param>
    /// <param name="limits">The limits.</param>
    /// <returns>The spans taken, and the count and reasons of those rejected.</returns>
    internal static OtlpConversionResult DecodeChecked(ReadOnlySpan<byte> request, OtlpConversionLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var spanCount = 0;
        var reader = new FieldReader(request);
        while (reader.Next())
        {
            if (reader.Tag == Field1Bytes)
            {
                var resourceSpans = new FieldReader(reader.Bytes);
                while (resourceSpans.Next())
                {
                    if (resourceSpans.Tag == Field2Bytes)
                    {
                        spanCount += CountFields(resourceSpans.Bytes, Field2Bytes);
                    }
                }
            }
        }

        return Convert(request, limits, spanCount);
    }

    /// <summary>Checks the bytes as Google.Protobuf's parser does, and counts the spans.</summary>
    /// <param name="request">The protobuf bytes.</param>
    /// <param name="spanCount">The number of spans.</param>
    /// <returns><see langword="false"/> when the parser would refuse the bytes.</returns>
    internal static bool IsValid(ReadOnlySpan<byte> request, out int spanCount)
    {
        spanCount = 0;
        return Check(request, WireMessage.Request, 0, ref spanCount);
    }

    private static OtlpConversionResult Convert(ReadOnlySpan<byte> request, OtlpConversionLimits limits, int spanCount)
    {
        var builder = new OtlpConversionBuilder(limits, spanCount);
        var reader = new FieldReader(request);
        var r = 0;
        while (reader.Next())
        {
            if (reader.Tag == Field1Bytes)
            {
                DecodeResourceSpans(reader.Bytes, r++, builder);
            }
        }

        return builder.ToResult();
    }

    /// <summary>Reads a field's tag; <see langword="false"/> when it runs past the end or names field 0.</summary>
    private static bool TryReadTag(ReadOnlySpan<byte> data, ref int position, out uint tag)
    {
        if (!TryReadVarint(data, ref position, out var raw))
        {
            tag = 0;
            return false;
        }

        tag = (uint)raw;
        return tag >> 3 != 0;
    }

    /// <summary>Skips the value of a varint, fixed64 or fixed32 field; <see langword="false"/> when it runs past the end.</summary>
    private static bool TrySkipScalar(ReadOnlySpan<byte> data, ref int position, uint wireType)
    {
        if (wireType == WireVarint)
        {
            return TryReadVarint(data, ref position, out _);
        }

        var size = wireType == WireFixed64 ? 8 : 4;
        if (data.Length - position < size)
        {
            return false;
        }

        position += size;
        return true;
    }

    private static bool Check(ReadOnlySpan<byte> data, WireMessage message, int depth, ref int spanCount)
    {
        var position = 0;
        while (position < data.Length)
        {
            if (!TryReadTag(data, ref position, out var tag))
            {
                return false;
            }

            switch (tag & 7)
            {
                case WireVarint:
                case WireFixed64:
                case WireFixed32:
                    if (!TrySkipScalar(data, ref position, tag & 7))
                    {
                        return false;
                    }

                    break;
                case WireLengthDelimited:
                    if (!TryReadLength(data, ref position, out var length))
                    {
                        return false;
                    }

                    var child = ChildOf(message, tag >> 3);
                    if (child == WireMessage.None)
                    {
                        if (IsString(message, tag >> 3) && !Utf8.IsValid(data.Slice(position, length)))
                        {
                            return false;
                        }
                    }
                    else
                    {
                        if (depth >= RecursionLimit || !Check(data.Slice(position, length), child, depth + 1, ref spanCount))
                        {
                            return false;
                        }

                        if (child == WireMessage.Span)
                        {
                            spanCount++;
                        }
                    }

                    position += length;
                    break;
                case WireStartGroup:
                    if (!SkipGroup(data, ref position, tag, depth))
                    {
                        return false;
                    }

                    break;
                default:
                    // An end-group tag outside a group, or wire type 6 or 7.
                    return false;
            }
        }

        return true;
    }

    // Skips an unknown group (its start tag read); false when it is malformed or nested too deep.
    private static bool SkipGroup(ReadOnlySpan<byte> data, ref int position, uint startTag, int depth)
    {
        if (depth >= RecursionLimit)
        {
            return false;
        }

        var endTag = (startTag & ~7u) | WireEndGroup;
        while (position < data.Length)
        {
            if (!TryReadTag(data, ref position, out var tag))
            {
                return false;
            }

            switch (tag & 7)
            {
                case WireVarint:
                case WireFixed64:
                case WireFixed32:
                    if (!TrySkipScalar(data, ref position, tag & 7))
                    {
                        return false;
                    }

                    break;
                case WireLengthDelimited:
                    if (!TryReadLength(data, ref position, out var length))
                    {
                        return false;
                    }

                    position += length;
                    break;
                case WireStartGroup:
                    if (!SkipGroup(data, ref position, tag, depth + 1))
                    {
                        return false;
                    }

                    break;
                case WireEndGroup:
                    return tag == endTag;
                default:
                    return false;
            }
        }

        return false;
    }

    private static WireMessage ChildOf(WireMessage message, uint field) => (message, field) switch
    {
        (WireMessage.Request, 1) => WireMessage.ResourceSpans,
        (WireMessage.ResourceSpans, 1) => WireMessage.Resource,
        (WireMessage.ResourceSpans, 2) => WireMessage.ScopeSpans,
        (WireMessage.Resource, 1) => WireMessage.KeyValue,
        (WireMessage.ScopeSpans, 1) => WireMessage.Scope,
        (WireMessage.ScopeSpans, 2) => WireMessage.Span,
        (WireMessage.Scope, 3) => WireMessage.KeyValue,
        (WireMessage.Span, 9) => WireMessage.KeyValue,
        (WireMessage.Span, 11) => WireMessage.Event,
        (WireMessage.Span, 13) => WireMessage.Link,
        (WireMessage.Span, 15) => WireMessage.Status,
        (WireMessage.Event, 3) => WireMessage.KeyValue,
        (WireMessage.Link, 4) => WireMessage.KeyValue,
        (WireMessage.KeyValue, 2) => WireMessage.AnyValue,
        (WireMessage.AnyValue, 5) => WireMessage.ArrayValue,
        (WireMessage.AnyValue, 6) => WireMessage.KeyValueList,
        (WireMessage.ArrayValue, 1) => WireMessage.AnyValue,
        (WireMessage.KeyValueList, 1) => WireMessage.KeyValue,
        _ => WireMessage.None,
    };

    // The string fields: Google.Protobuf refuses one that is not valid UTF-8.
    private static bool IsString(WireMessage message, uint field) => (message, field) switch
    {
        (WireMessage.ResourceSpans, 3) => true,
        (WireMessage.ScopeSpans, 3) => true,
        (WireMessage.Scope, 1 or 2) => true,
        (WireMessage.Span, 3 or 5) => true,
        (WireMessage.Status, 2) => true,
        (WireMessage.Event, 2) => true,
        (WireMessage.Link, 3) => true,
        (WireMessage.KeyValue, 1) => true,
        (WireMessage.AnyValue, 1) => true,
        _ => false,
    };

    // Varints of at most ten bytes; bits past the 64th are dropped, as Google.Protobuf does.
    private static bool TryReadVarint(ReadOnlySpan<byte> data, ref int position, out ulong value)
    {
        // Tags and most lengths and numbers fit one byte.
        if ((uint)position < (uint)data.Length && data[position] < 0x80)
        {
            value = data[position++];
            return true;
        }

        return TryReadLongVarint(data, ref position, out value);
    }

    private static bool TryReadLongVarint(ReadOnlySpan<byte> data, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (position >= data.Length)
            {
                return false;
            }

            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }

    // A length is a 32-bit varint read as a signed int: negative or past the end is refused.
    private static bool TryReadLength(ReadOnlySpan<byte> data, ref int position, out int length)
    {
        if (!TryReadVarint(data, ref position, out var raw))
        {
            length = 0;
            return false;
        }

        length = (int)(uint)raw;
        return length >= 0 && length <= data.Length - position;
    }

    private static void DecodeResourceSpans(ReadOnlySpan<byte> data, int r, OtlpConversionBuilder builder)
    {
        var hasResource = false;
        var count = 0;
        var reader = new FieldReader(data);
        while (reader.Next())
        {
            if (reader.Tag == Field1Bytes)
            {
                hasResource = true;
                count += CountFields(reader.Bytes, Field1Bytes);
            }
        }

        IReadOnlyList<KeyValuePair<string, object?>> resourceAttributes = SpanRecord.NoAttributes;
        var maxDepth = builder.Limits.MaxAttributeDepth;
        if (hasResource)
        {
            var attributes = count == 0 ? [] : new KeyValuePair<string, object?>[count];
            var n = 0;
            reader = new FieldReader(data);
            while (reader.Next())
            {
                if (reader.Tag == Field1Bytes)
                {
                    n = FillKeyValues(reader.Bytes, Field1Bytes, attributes, n, 1, maxDepth);
                }
            }

            resourceAttributes = attributes;
        }

        var s = 0;
        reader = new FieldReader(data);
        while (reader.Next())
        {
            if (reader.Tag == Field2Bytes)
            {
                DecodeScopeSpans(reader.Bytes, r, s++, resourceAttributes, builder);
            }
        }
    }

    private static void DecodeScopeSpans(ReadOnlySpan<byte> data, int r, int s, IReadOnlyList<KeyValuePair<string, object?>> resourceAttributes, OtlpConversionBuilder builder)
    {
        ReadOnlySpan<byte> name = default;
        ReadOnlySpan<byte> version = default;
        var reader = new FieldReader(data);
        while (reader.Next())
        {
            if (reader.Tag == Field1Bytes)
            {
                var scope = new FieldReader(reader.Bytes);
                while (scope.Next())
                {
                    if (scope.Tag == Field1Bytes)
                    {
                        name = scope.Bytes;
                    }
                    else if (scope.Tag == Field2Bytes)
                    {
                        version = scope.Bytes;
                    }
                }
            }
        }

        var scopeName = name.IsEmpty ? null : Utf8StringCache.Shared.GetString(name);
        var scopeVersion = version.IsEmpty ? null : Utf8StringCache.Shared.GetString(version);
        var i = 0;
        reader = new FieldReader(data);
        while (reader.Next())
        {
            if (reader.Tag == Field2Bytes)
            {
                var span = DecodeSpan(reader.Bytes, r, s, i++, resourceAttributes, scopeName, scopeVersion, builder);
                if (span is not null)
                {
                    builder.Add(span);
                }
            }
        }
    }

    private static SpanRecord? DecodeSpan(
        ReadOnlySpan<byte> data,
        int r,
        int s,
        int i,
        IReadOnlyList<KeyValuePair<string, object?>> resourceAttributes,
        string? scopeName,
        string? scopeVersion,
        OtlpConversionBuilder builder)
    {
        ReadOnlySpan<byte> traceId = default;
        ReadOnlySpan<byte> spanId = default;
        ReadOnlySpan<byte> parentSpanId = default;
        ReadOnlySpan<byte> name = default;
        ReadOnlySpan<byte> statusMessage = default;
        var kind = 0;
        var statusCode = 0;
        ulong startTime = 0;
        ulong endTime = 0;
        var attributeCount = 0;
        var eventCount = 0;
        var linkCount = 0;
        var reader = new FieldReader(data);
        while (reader.Next())
        {
            switch (reader.Tag)
            {
                case Field1Bytes:
                    traceId = reader.Bytes;
                    break;
                case Field2Bytes:
                    spanId = reader.Bytes;
                    break;
                case SpanParentSpanId:
                    parentSpanId = reader.Bytes;
                    break;
                case SpanName:
                    name = reader.Bytes;
                    break;
                case SpanKind:
                    kind = (int)(uint)reader.Value;
                    break;
                case SpanStartTime:
                    startTime = reader.Value;
                    break;
                case SpanEndTime:
                    endTime = reader.Value;
                    break;
                case SpanAttributes:
                    attributeCount++;
                    break;
                case SpanEvents:
                    eventCount++;
                    break;
                case SpanLinks:
                    linkCount++;
                    break;
                case SpanStatus:
                    var status = new FieldReader(reader.Bytes);
                    while (status.Next())
                    {
                        if (status.Tag == Field2Bytes)
                        {
                            statusMessage = status.Bytes;
                        }
                        else if (status.Tag == StatusCode)
                        {
                            statusCode = (int)(uint)status.Value;
                        }
                    }

                    break;
                default:
                    break;
            }
        }

        if (!builder.TryTake(r, s, i, traceId, spanId, parentSpanId.Length, startTime, attributeCount, out var ids))
        {
            return null;
        }

        var start = OtlpConversionBuilder.ToInt64(startTime);
        var end = OtlpConversionBuilder.ToInt64(endTime);
        var clamped = end < start;
        if (clamped)
        {
            end = start;
        }

        var maxDepth = builder.Limits.MaxAttributeDepth;
        var attributeLength = attributeCount + (clamped ? 1 : 0);
        var attributes = attributeLength == 0 ? [] : new KeyValuePair<string, object?>[attributeLength];
        var events = eventCount == 0 ? [] : new SpanEventRecord[eventCount];
        var links = linkCount == 0 ? [] : new SpanLinkRecord[linkCount];
        int a = 0, e = 0, l = 0;
        reader = new FieldReader(data);
        while (reader.Next())
        {
            switch (reader.Tag)
            {
                case SpanAttributes:
                    attributes[a++] = DecodeKeyValue(reader.Bytes, 1, maxDepth);
                    break;
                case SpanEvents:
                    events[e++] = DecodeEvent(reader.Bytes, maxDepth);
                    break;
                case SpanLinks:
                    if (DecodeLink(reader.Bytes, maxDepth) is { } link)
                    {
                        links[l++] = link;
                    }

                    break;
                default:
                    break;
            }
        }

        if (clamped)
        {
            attributes[^1] = OtlpSpanConversionExtensions.EndTimeClamped;
        }

        if (l < links.Length)
        {
            Array.Resize(ref links, l);
        }

        return new SpanRecord
        {
            TraceId = ids.TraceId,
            SpanId = ids.SpanId,
            ParentSpanId = OtlpConversionBuilder.ToParentSpanId(parentSpanId),
            Name = Utf8StringCache.Shared.GetString(name),
            Kind = OtlpConversionBuilder.ToActivityKind(kind),
            StartTimeUnixNano = start,
            EndTimeUnixNano = end,
            StatusCode = OtlpConversionBuilder.ToStatusCode(statusCode),
            StatusMessage = statusMessage.IsEmpty ? null : Encoding.UTF8.GetString(statusMessage),
            Attributes = attributes,
            Events = events,
            Links = links,
            ResourceAttributes = resourceAttributes,
            ScopeName = scopeName,
            ScopeVersion = scopeVersion,
        };
    }

    private static SpanEventRecord DecodeEvent(ReadOnlySpan<byte> data, int maxDepth)
    {
        ReadOnlySpan<byte> name = default;
        ulong time = 0;
        var count = 0;
        var reader = new FieldReader(data);
        while (reader.Next())
        {
            switch (reader.Tag)
            {
                case EventTime:
                    time = reader.Value;
                    break;
                case Field2Bytes:
                    name = reader.Bytes;
                    break;
                case EventAttributes:
                    count++;
                    break;
                default:
                    break;
            }
        }

        var attributes = count == 0 ? [] : new KeyValuePair<string, object?>[count];
        if (count > 0)
        {
            FillKeyValues(data, EventAttributes, attributes, 0, 1, maxDepth);
        }

        return new SpanEventRecord(Utf8StringCache.Shared.GetString(name), OtlpConversionBuilder.ToInt64(time), attributes);
    }

    private static SpanLinkRecord? DecodeLink(ReadOnlySpan<byte> data, int maxDepth)
    {
        ReadOnlySpan<byte> traceId = default;
        ReadOnlySpan<byte> spanId = default;
        var count = 0;
        var reader = new FieldReader(data);
        while (reader.Next())
        {
            switch (reader.Tag)
            {
                case Field1Bytes:
                    traceId = reader.Bytes;
                    break;
                case Field2Bytes:
                    spanId = reader.Bytes;
                    break;
                case LinkAttributes:
                    count++;
                    break;
                default:
                    break;
            }
        }

        if (!OtlpConversionBuilder.IsValidLink(traceId, spanId))
        {
            return null;
        }

        var attributes = count == 0 ? [] : new KeyValuePair<string, object?>[count];
        if (count > 0)
        {
            FillKeyValues(data, LinkAttributes, attributes, 0, 1, maxDepth);
        }

        return new SpanLinkRecord(
            System.Diagnostics.ActivityTraceId.CreateFromBytes(traceId),
            System.Diagnostics.ActivitySpanId.CreateFromBytes(spanId),
            attributes);
    }

    private static int CountFields(ReadOnlySpan<byte> data, uint tag)
    {
        var count = 0;
        var reader = new FieldReader(data);
        while (reader.Next())
        {
            if (reader.Tag == tag)
            {
                count++;
            }
        }

        return count;
    }

    // Converts the KeyValue fields with the given tag into the array from index n; returns the next index.
    private static int FillKeyValues(ReadOnlySpan<byte> data, uint tag, KeyValuePair<string, object?>[] into, int n, int depth, int maxDepth)
    {
        var reader = new FieldReader(data);
        while (reader.Next())
        {
            if (reader.Tag == tag)
            {
                into[n++] = DecodeKeyValue(reader.Bytes, depth, maxDepth);
            }
        }

        return n;
    }

    private static KeyValuePair<string, object?> DecodeKeyValue(ReadOnlySpan<byte> data, int depth, int maxDepth)
    {
        ReadOnlySpan<byte> key = default;
        ReadOnlySpan<byte> value = default;
        var valueCount = 0;
        var valueLength = 0;
        var reader = new FieldReader(data);
        while (reader.Next())
        {
            if (reader.Tag == Field1Bytes)
            {
                key = reader.Bytes;
            }
            else if (reader.Tag == Field2Bytes)
            {
                value = reader.Bytes;
                valueCount++;
                valueLength += value.Length;
            }
        }

        object? converted = null;
        if (valueCount == 1)
        {
            converted = DecodeAnyValue(value, depth, maxDepth);
        }
        else if (valueCount > 1)
        {
            // A message field given more than once is the merge of its occurrences: the message their bytes make
            // together. Rare (no exporter writes it), so the bytes are copied.
            var merged = new byte[valueLength];
            var n = 0;
            reader = new FieldReader(data);
            while (reader.Next())
            {
                if (reader.Tag == Field2Bytes)
                {
                    reader.Bytes.CopyTo(merged.AsSpan(n));
                    n += reader.Bytes.Length;
                }
            }

            converted = DecodeAnyValue(merged, depth, maxDepth);
        }

        return new KeyValuePair<string, object?>(Utf8StringCache.Shared.GetString(key), converted);
    }

    // Recursion is bounded by maxDepth: a value deeper than that is replaced, never descended into.
    private static object? DecodeAnyValue(ReadOnlySpan<byte> data, int depth, int maxDepth)
    {
        var valueCase = ValueCase.None;
        ReadOnlySpan<byte> bytes = default;
        ulong scalar = 0;
        var run = 0;
        var reader = new FieldReader(data);
        while (reader.Next())
        {
            switch (reader.Tag)
            {
                case AnyString:
                    valueCase = ValueCase.String;
                    bytes = reader.Bytes;
                    break;
                case AnyBool:
                    valueCase = ValueCase.Bool;
                    scalar = reader.Value;
                    break;
                case AnyInt:
                    valueCase = ValueCase.Int;
                    scalar = reader.Value;
                    break;
                case AnyDouble:
                    valueCase = ValueCase.Double;
                    scalar = reader.Value;
                    break;
                case AnyArray:
                    // An array merges with the array before it, unless another member came in between.
                    if (valueCase != ValueCase.Array)
                    {
                        valueCase = ValueCase.Array;
                        run = reader.Start;
                    }

                    break;
                case AnyKvlist:
                    if (valueCase != ValueCase.Kvlist)
                    {
                        valueCase = ValueCase.Kvlist;
                        run = reader.Start;
                    }

                    break;
                case AnyBytes:
                    valueCase = ValueCase.Bytes;
                    bytes = reader.Bytes;
                    break;
                default:
                    break;
            }
        }

        switch (valueCase)
        {
            case ValueCase.String:
                return Encoding.UTF8.GetString(bytes);
            case ValueCase.Bool:
                return scalar != 0 ? True : False;
            case ValueCase.Int:
                return BoxedInt64.Box((long)scalar);
            case ValueCase.Double:
                return BitConverter.UInt64BitsToDouble(scalar);
            case ValueCase.Bytes:
                return bytes.ToArray();
            case ValueCase.Array:
                return depth >= maxDepth ? OtlpSpanConversionExtensions.DepthLimitMarker : DecodeArray(data[run..], depth, maxDepth);
            case ValueCase.Kvlist:
                return depth >= maxDepth ? OtlpSpanConversionExtensions.DepthLimitMarker : DecodeKvlist(data[run..], depth, maxDepth);
            case ValueCase.None:
            default:
                return null;
        }
    }

    // The elements of the array_value fields of a run (nothing but array_value and unknown fields).
    private static object?[] DecodeArray(ReadOnlySpan<byte> run, int depth, int maxDepth)
    {
        var count = 0;
        var reader = new FieldReader(run);
        while (reader.Next())
        {
            if (reader.Tag == AnyArray)
            {
                count += CountFields(reader.Bytes, Field1Bytes);
            }
        }

        if (count == 0)
        {
            return [];
        }

        var array = new object?[count];
        var n = 0;
        reader = new FieldReader(run);
        while (reader.Next())
        {
            if (reader.Tag == AnyArray)
            {
                var values = new FieldReader(reader.Bytes);
                while (values.Next())
                {
                    if (values.Tag == Field1Bytes)
                    {
                        array[n++] = DecodeAnyValue(values.Bytes, depth + 1, maxDepth);
                    }
                }
            }
        }

        return array;
    }

    private static KeyValuePair<string, object?>[] DecodeKvlist(ReadOnlySpan<byte> run, int depth, int maxDepth)
    {
        var count = 0;
        var reader = new FieldReader(run);
        while (reader.Next())
        {
            if (reader.Tag == AnyKvlist)
            {
                count += CountFields(reader.Bytes, Field1Bytes);
            }
        }

        if (count == 0)
        {
            return [];
        }

        var list = new KeyValuePair<string, object?>[count];
        var n = 0;
        reader = new FieldReader(run);
        while (reader.Next())
        {
            if (reader.Tag == AnyKvlist)
            {
                n = FillKeyValues(reader.Bytes, Field1Bytes, list, n, depth + 1, maxDepth);
            }
        }

        return list;
    }

    /// <summary>Reads the fields of a message already checked by <see cref="Check"/> (so nothing here can fail).</summary>
    private ref struct FieldReader
    {
        private readonly ReadOnlySpan<byte> data;
        private int position;

        public FieldReader(ReadOnlySpan<byte> data)
        {
            this.data = data;
        }

        /// <summary>Gets where the current field's tag starts.</summary>
        public int Start { get; private set; }

        /// <summary>Gets the current field's tag.</summary>
        public uint Tag { get; private set; }

        /// <summary>Gets the current field's value (varint, fixed64 or fixed32).</summary>
        public ulong Value { get; private set; }

        /// <summary>Gets the current field's bytes (length-delimited).</summary>
        public ReadOnlySpan<byte> Bytes { get; private set; }

        public bool Next()
        {
            if (this.position >= this.data.Length)
            {
                return false;
            }

            this.Start = this.position;
            _ = TryReadVarint(this.data, ref this.position, out var tag);
            this.Tag = (uint)tag;
            switch (this.Tag & 7)
            {
                case WireVarint:
                    _ = TryReadVarint(this.data, ref this.position, out var value);
                    this.Value = value;
                    break;
                case WireFixed64:
                    this.Value = BinaryPrimitives.ReadUInt64LittleEndian(this.data.Slice(this.position, 8));
                    this.position += 8;
                    break;
                case WireFixed32:
                    this.Value = BinaryPrimitives.ReadUInt32LittleEndian(this.data.Slice(this.position, 4));
                    this.position += 4;
                    break;
                case WireLengthDelimited:
                    _ = TryReadLength(this.data, ref this.position, out var length);
                    this.Bytes = this.data.Slice(this.position, length);
                    this.position += length;
                    break;
                default:
                    _ = SkipGroup(this.data, ref this.position, this.Tag, 0);
                    break;
            }

            return true;
        }
    }
}
