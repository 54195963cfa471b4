// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Globalization;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Implementation.Activities;

/// <summary>
/// Turns a finished <see cref="Activity"/> into a <see cref="SpanRecord"/> (the exporter's front
/// door). Gives the same record as the OTLP front door for the same span.
/// </summary>
/// <remarks>
/// Tag values become <see cref="SpanRecord"/> attribute types: integers to <see cref="long"/>,
/// <see cref="float"/>/<see cref="decimal"/> to <see cref="double"/>, arrays to
/// <see cref="object"/>?[] (elements converted the same way; an element that is itself a
/// collection becomes its invariant string), <see cref="byte"/>[] stays bytes, anything else
/// becomes its invariant <see cref="object.ToString"/>. The legacy <c>otel.status_code</c> /
/// <c>otel.status_description</c> tags set the status when <see cref="Activity.Status"/> is unset,
/// and are never copied as attributes.
/// </remarks>
internal static class ActivityConversionExtensions
{
    internal const string StatusCodeTag = "otel.status_code";
    internal const string StatusDescriptionTag = "otel.status_description";

    private const long NanosecondsPerTick = 100;
    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;
    private static readonly SpanEventRecord[] NoEvents = [];
    private static readonly SpanLinkRecord[] NoLinks = [];

    /// <summary>Converts a finished activity.</summary>
    /// <param name="activity">The activity (stopped, so its duration is known).</param>
    /// <param name="resourceAttributes">The attributes of the resource of the tracer provider.</param>
    /// <returns>The span record.</returns>
    public static SpanRecord ToSpanRecord(this Activity activity, IReadOnlyList<KeyValuePair<string, object?>> resourceAttributes)
    {
        ArgumentNullException.ThrowIfNull(activity);
        ArgumentNullException.ThrowIfNull(resourceAttributes);

        var startTimeUnixNano = (activity.StartTimeUtc.Ticks - UnixEpochTicks) * NanosecondsPerTick;
        var attributes = ExtractAttributes(activity, out var legacyStatusCode, out var legacyStatusDescription);

        var statusCode = activity.Status;
        var statusMessage = activity.StatusDescription;
        if (statusCode == ActivityStatusCode.Unset && legacyStatusCode is not null)
        {
            statusCode = ParseLegacyStatusCode(legacyStatusCode);
            statusMessage = legacyStatusDescription;
        }

        return new SpanRecord
        {
            TraceId = activity.TraceId,
            SpanId = activity.SpanId,
            ParentSpanId = activity.ParentSpanId,
            Name = activity.DisplayName,
            Kind = activity.Kind,
            StartTimeUnixNano = startTimeUnixNano,
            EndTimeUnixNano = startTimeUnixNano + (activity.Duration.Ticks * NanosecondsPerTick),
            StatusCode = statusCode,

            // Only an error carries a description (as Activity.SetStatus and the OTel spec do).
            StatusMessage = statusCode == ActivityStatusCode.Error && !string.IsNullOrEmpty(statusMessage) ? statusMessage : null,
            Attributes = attributes,
            Events = ExtractEvents(activity),
            Links = ExtractLinks(activity),
            ResourceAttributes = resourceAttributes,
            ScopeName = NullIfEmpty(activity.Source.Name),
            ScopeVersion = NullIfEmpty(activity.Source.Version),
        };
    }

    /// <summary>Converts one tag value to a <see cref="SpanRecord"/> attribute value.</summary>
    /// <param name="value">The tag value.</param>
    /// <returns>The attribute value.</returns>
    internal static object? ToAttributeValue(object? value) => value switch
    {
        string text => text,
        Array array when array is not byte[] => ToArray(array),
        _ => ToScalar(value),
    };

    private static IReadOnlyList<KeyValuePair<string, object?>> ExtractAttributes(
        Activity activity,
        out string? legacyStatusCode,
        out string? legacyStatusDescription)
    {
        legacyStatusCode = null;
        legacyStatusDescription = null;

        // Counted first (the enumerator is a struct over the activity's own list), so the record gets one exact-size
        // array instead of a list grown from 8 (20 tags left arrays of 8, 16 and 32 behind).
        var count = 0;
        foreach (ref readonly var tag in activity.EnumerateTagObjects())
        {
            switch (tag.Key)
            {
                case StatusCodeTag:
                    legacyStatusCode = tag.Value as string;
                    break;
                case StatusDescriptionTag:
                    legacyStatusDescription = tag.Value as string;
                    break;
                default:
                    count++;
                    break;
            }
        }

        if (count == 0)
        {
            return SpanRecord.NoAttributes;
        }

        var attributes = new KeyValuePair<string, object?>[count];
        var i = 0;
        foreach (ref readonly var tag in activity.EnumerateTagObjects())
        {
            if (tag.Key is not (StatusCodeTag or StatusDescriptionTag) && i < attributes.Length)
            {
                attributes[i++] = new KeyValuePair<string, object?>(tag.Key, ToAttributeValue(tag.Value));
            }
        }

        return i == attributes.Length ? attributes : attributes[..i];
    }

    private static SpanEventRecord[] ExtractEvents(Activity activity) =>
        ToExactArray(
            activity.EnumerateEvents(),
            static e => new SpanEventRecord(e.Name, (e.Timestamp.UtcTicks - UnixEpochTicks) * NanosecondsPerTick, ToAttributes(e.EnumerateTagObjects())))
        ?? NoEvents;

    private static SpanLinkRecord[] ExtractLinks(Activity activity) =>
        ToExactArray(
            activity.EnumerateLinks(),
            static link => new SpanLinkRecord(link.Context.TraceId, link.Context.SpanId, ToAttributes(link.EnumerateTagObjects())))
        ?? NoLinks;

    private static IReadOnlyList<KeyValuePair<string, object?>> ToAttributes(Activity.Enumerator<KeyValuePair<string, object?>> tags) =>
        ToExactArray(tags, static tag => new KeyValuePair<string, object?>(tag.Key, ToAttributeValue(tag.Value)))
        ?? SpanRecord.NoAttributes;

    /// <summary>
    /// Converts what an activity enumerator yields into one exact-size array: counted first (the enumerator is a
    /// struct over the activity's own list), so no list is grown and left behind.
    /// </summary>
    /// <returns>The array, or <see langword="null"/> when there is nothing.</returns>
    private static TOut[]? ToExactArray<TIn, TOut>(Activity.Enumerator<TIn> items, Func<TIn, TOut> convert)
    {
        var count = 0;
        foreach (ref readonly var item in items)
        {
            count++;
        }

        if (count == 0)
        {
            return null;
        }

        var result = new TOut[count];
        var i = 0;
        foreach (ref readonly var item in items)
        {
            if (i == result.Length)
            {
                break;
            }

            result[i++] = convert(item);
        }

        return i == result.Length ? result : result[..i];
    }

    private static object?[] ToArray(Array array)
    {
        var result = new object?[array.Length];
        var i = 0;
        foreach (var item in array)
        {
            // One level only: attribute arrays hold primitives; a nested collection (or an array
            // that contains itself) becomes a string rather than a recursion.
            result[i++] = item is System.Collections.IEnumerable and not string and not byte[]
                ? ToInvariantString(item)
                : ToScalar(item);
        }

        return result;
    }

    /// <remarks>
    /// A value already of a record type is returned as it is: an arm such as <c>long l =&gt; l</c> would box the number
    /// again (the expression's type is <see cref="object"/>), 24 bytes for every numeric or boolean tag.
    /// </remarks>
    private static object? ToScalar(object? value) => value switch
    {
        null => null,
        string or bool or long or double => value,
        int i => BoxedInt64.Box(i),
        short s => BoxedInt64.Box(s),
        sbyte sb => BoxedInt64.Box(sb),
        byte b => BoxedInt64.Box(b),
        uint ui => BoxedInt64.Box(ui),
        ushort us => BoxedInt64.Box(us),
        ulong ul when ul <= long.MaxValue => BoxedInt64.Box((long)ul),
        float f => (double)f,
        decimal m => (double)m,
        char c => c.ToString(),
        byte[] bytes => bytes,
        _ => ToInvariantString(value),
    };

    private static string ToInvariantString(object value)
    {
        try
        {
            return (value is IFormattable formattable
                ? formattable.ToString(null, CultureInfo.InvariantCulture)
                : value.ToString()) ?? string.Empty;
        }
#pragma warning disable CA1031 // A tag whose ToString throws must not cost the span (or the batch).
        catch (Exception)
#pragma warning restore CA1031
        {
            return value.GetType().FullName ?? "?";
        }
    }

    private static ActivityStatusCode ParseLegacyStatusCode(string code)
    {
        if (string.Equals(code, "ERROR", StringComparison.OrdinalIgnoreCase))
        {
            return ActivityStatusCode.Error;
        }

        return string.Equals(code, "OK", StringComparison.OrdinalIgnoreCase) ? ActivityStatusCode.Ok : ActivityStatusCode.Unset;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
