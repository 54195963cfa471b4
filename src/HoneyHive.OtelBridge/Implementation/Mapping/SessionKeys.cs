// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Implementation.Mapping;

/// <summary>
/// Finds an explicit session on a span: <c>honeyhive.session_id</c>, then
/// <c>traceloop.association.properties.session_id</c>, then <c>session.id</c>, then
/// <c>gen_ai.conversation.id</c>; each looked up on the span, then on its resource.
/// </summary>
internal static class SessionKeys
{
    private static readonly string[] Keys =
    [
        "honeyhive.session_id",
        "traceloop.association.properties.session_id",
        "session.id",
        "gen_ai.conversation.id",
    ];

    /// <summary>Gets the explicit session value of a span, if any.</summary>
    /// <param name="span">The span.</param>
    /// <returns>The value, or <see langword="null"/>.</returns>
    public static string? Find(SpanRecord span)
    {
        foreach (var key in Keys)
        {
            if ((Lookup(span.Attributes, key) ?? Lookup(span.ResourceAttributes, key)) is { } value)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>Gets the session id a span names, if it names one.</summary>
    /// <param name="span">The span.</param>
    /// <returns>The session id, or <see langword="null"/>.</returns>
    public static string? SessionIdOf(SpanRecord span) =>
        Find(span) is { } value ? HoneyHiveIds.SessionIdForKey(value) : null;

    private static string? Lookup(IReadOnlyList<KeyValuePair<string, object?>> attributes, string key)
    {
        for (var i = attributes.Count - 1; i >= 0; i--)
        {
            if (attributes[i].Key == key && attributes[i].Value is string { Length: > 0 } value && !string.IsNullOrWhiteSpace(value))
            {
                return value;
            }
        }

        return null;
    }
}
