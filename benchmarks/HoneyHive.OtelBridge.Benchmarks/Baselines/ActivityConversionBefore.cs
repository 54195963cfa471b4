// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Globalization;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Benchmarks.Baselines;

/// <summary>
/// <c>ActivityConversionExtensions.ToSpanRecord</c> as it was before the exact-size conversion (commit 8f98b5f: a
/// <see cref="List{T}"/> per span for its attributes, grown from 8, and per event and link): kept only as the baseline
/// of <c>ActivityConversionBenchmarks</c>.
/// </summary>
internal static class ActivityConversionBefore
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
    public static SpanRecord ToSpanRecord(Activity activity, IReadOnlyList<KeyValuePair<string, object?>> resourceAttributes)
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
        List<KeyValuePair<string, object?>>? attributes = null;
        foreach (ref readonly var tag in activity.EnumerateTagObjects())
        {
            switch (tag.Key)
            {
                case StatusCodeTag:
                    legacyStatusCode = tag.Value as string;
                    continue;
                case StatusDescriptionTag:
                    legacyStatusDescription = tag.Value as string;
                    continue;
                default:
                    (attributes ??= new List<KeyValuePair<string, object?>>(8)).Add(
                        new KeyValuePair<string, object?>(tag.Key, ToAttributeValue(tag.Value)));
                    break;
            }
        }

        return attributes is null ? SpanRecord.NoAttributes : attributes;
    }

    private static IReadOnlyList<SpanEventRecord> ExtractEvents(Activity activity)
    {
        List<SpanEventRecord>? events = null;
        foreach (ref readonly var activityEvent in activity.EnumerateEvents())
        {
            (events ??= new List<SpanEventRecord>(4)).Add(new SpanEventRecord(
                activityEvent.Name,
                (activityEvent.Timestamp.UtcTicks - UnixEpochTicks) * NanosecondsPerTick,
                ToAttributes(activityEvent.EnumerateTagObjects())));
        }

        return events is null ? NoEvents : events;
    }

    private static IReadOnlyList<SpanLinkRecord> ExtractLinks(Activity activity)
    {
        List<SpanLinkRecord>? links = null;
        foreach (ref readonly var link in activity.EnumerateLinks())
        {
            (links ??= new List<SpanLinkRecord>(2)).Add(new SpanLinkRecord(
                link.Context.TraceId,
                link.Context.SpanId,
                ToAttributes(link.EnumerateTagObjects())));
        }

        return links is null ? NoLinks : links;
    }

    private static IReadOnlyList<KeyValuePair<string, object?>> ToAttributes(Activity.Enumerator<KeyValuePair<string, object?>> tags)
    {
        List<KeyValuePair<string, object?>>? attributes = null;
        foreach (ref readonly var tag in tags)
        {
            (attributes ??= new List<KeyValuePair<string, object?>>(4)).Add(
                new KeyValuePair<string, object?>(tag.Key, ToAttributeValue(tag.Value)));
        }

        return attributes is null ? SpanRecord.NoAttributes : attributes;
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

    private static object? ToScalar(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b,
        long l => l,
        int i => (long)i,
        short s => (long)s,
        sbyte sb => (long)sb,
        byte b => (long)b,
        uint ui => (long)ui,
        ushort us => (long)us,
        ulong ul when ul <= long.MaxValue => (long)ul,
        double d => d,
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
