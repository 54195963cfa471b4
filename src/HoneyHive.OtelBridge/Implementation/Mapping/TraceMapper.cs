// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Implementation.Mapping;

/// <summary>
/// Turns a <see cref="TracePlan"/> into HoneyHive API calls, in the order they must be sent:
/// the session (<c>POST /v1/sessions</c>), then one event batch, then event updates. Pure.
/// </summary>
internal static class TraceMapper
{
    /// <summary>The thread's list for a resource's properties, reused trace after trace.</summary>
    [ThreadStatic]
    private static JsonFields? spareFields;

    /// <summary>Maps a plan to calls.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="options">The mapping options.</param>
    /// <returns>The calls.</returns>
    public static List<ApiCall> ToCalls(TracePlan plan, MappingOptions options)
    {
        var calls = new List<ApiCall>();
        switch (plan.SessionKind)
        {
            case SessionPlanKind.Root:
                calls.Add(new StartSessionCall(RootSession(plan.SessionSpan!, plan.SessionId, options)));
                break;
            case SessionPlanKind.Grouped:
                calls.Add(new StartSessionCall(GroupedSession(plan.SessionSpan!, plan.SessionId, options)));
                break;
            case SessionPlanKind.Partial:
                calls.Add(new StartSessionCall(PartialSession(plan.TraceId, plan.PartialSpans, plan.SessionId, options)));
                break;
            default:
                break;
        }

        var ids = new TraceEventIds(plan.TraceId, plan.Placeholders.Count + plan.Events.Count + plan.Updates.Count);
        var events = new List<EventRequest>();
        foreach (var placeholder in plan.Placeholders)
        {
            events.Add(Placeholder(plan, placeholder, options, ids));
        }

        foreach (var planned in plan.Events)
        {
            events.Add(Event(planned, plan.SessionId, options, ids));
        }

        if (events.Count > 0)
        {
            calls.Add(new SessionEventBatchCall(plan.SessionId, new SessionEventBatchRequest { Events = events }));
        }

        foreach (var span in plan.Updates)
        {
            calls.Add(new UpdateEventCall(plan.SessionId, ids.For(span.SpanId), Update(span, options)));
        }

        return calls;
    }

    /// <summary>
    /// The root span as the session. The session route takes no <c>metrics</c>, <c>feedback</c>
    /// or <c>error</c>: the root's values go to <c>metadata.metrics</c>, <c>metadata.feedback</c>
    /// and <c>metadata.error</c>. Resource attributes go to <c>metadata.resource</c>.
    /// </summary>
    /// <param name="root">The root span.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="options">The options.</param>
    /// <returns>The request.</returns>
    public static SessionStartRequest RootSession(SpanRecord root, string sessionId, MappingOptions options)
    {
        // The fields stay the mapper's properties (no JsonObject made): the session is written from them.
        var mapped = SpanMapper.Map(root, options);
        Span<KeyValuePair<string, FieldValue>> added = [default, default, default, default];
        var count = 0;
        if (mapped.MetricsField.Count > 0)
        {
            added[count++] = new("metrics", mapped.MetricsField);
        }

        if (mapped.FeedbackField.Count > 0)
        {
            added[count++] = new("feedback", mapped.FeedbackField);
        }

        if (mapped.Error is not null)
        {
            added[count++] = new("error", mapped.Error);
        }

        if (Resource(root, options) is { } resource)
        {
            added[count++] = new("resource", resource);
        }

        mapped.MetadataField.Set(added[..count]);
        return new SessionStartRequest
        {
            SessionId = sessionId,
            SessionName = mapped.SessionName ?? mapped.EventName,
            Source = mapped.Source,
            StartTime = mapped.StartTime,
            EndTime = mapped.EndTime,
            Duration = mapped.Duration,
            ConfigField = NullIfEmpty(mapped.ConfigField),
            InputsField = mapped.InputsField,
            OutputsField = NullIfEmpty(mapped.OutputsField),
            MetadataField = mapped.MetadataField,
            UserPropertiesField = NullIfEmpty(mapped.UserPropertiesField),
        };
    }

    /// <summary>
    /// A session named by a session attribute: it spans several traces, so only what belongs to the
    /// whole session is sent (name, source, start time, user properties); the trace's root
    /// carries the rest as a <c>chain</c> event. Re-posting merges, so every trace may send it.
    /// </summary>
    /// <param name="root">The trace's root span.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="options">The options.</param>
    /// <returns>The request.</returns>
    public static SessionStartRequest GroupedSession(SpanRecord root, string sessionId, MappingOptions options)
    {
        var mapped = SpanMapper.Map(root, options);
        return new SessionStartRequest
        {
            SessionId = sessionId,
            SessionName = mapped.SessionName ?? mapped.EventName,
            Source = mapped.Source,
            StartTime = mapped.StartTime,
            Inputs = [],
            UserProperties = NullIfEmpty(mapped.UserProperties),
        };
    }

    /// <summary>
    /// A session for a trace whose root has not arrived: named by <c>honeyhive.session_name</c> or
    /// the earliest span, timed from the earliest start to the latest end.
    /// </summary>
    /// <param name="traceId">The trace id.</param>
    /// <param name="spans">The spans that are there.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="options">The options.</param>
    /// <returns>The request.</returns>
    public static SessionStartRequest PartialSession(System.Diagnostics.ActivityTraceId traceId, IReadOnlyList<SpanRecord> spans, string sessionId, MappingOptions options)
    {
        // The earliest span (ties: the lowest span id, then list order), the first session name in
        // list order, the earliest start and the latest end, in one pass.
        var earliest = spans[0];
        string? sessionName = null;
        var end = spans[0].EndTimeUnixNano;
        foreach (var span in spans)
        {
            if (span.StartTimeUnixNano < earliest.StartTimeUnixNano
                || (span.StartTimeUnixNano == earliest.StartTimeUnixNano
                    && string.CompareOrdinal(span.SpanId.ToHexString(), earliest.SpanId.ToHexString()) < 0))
            {
                earliest = span;
            }

            sessionName ??= SpanMapper.SessionName(span, options);
            end = Math.Max(end, span.EndTimeUnixNano);
        }

        var start = earliest.StartTimeUnixNano;
        var mapped = SpanMapper.Map(earliest, options);
        var metadata = new JsonObject
        {
            ["trace_id"] = traceId.ToHexString(),
            ["root_span_missing"] = true,
        };
        AddResource(metadata, earliest, options);
        return new SessionStartRequest
        {
            SessionId = sessionId,
            SessionName = sessionName ?? mapped.EventName,
            Source = mapped.Source,
            StartTime = start / 1_000_000,
            EndTime = end / 1_000_000,
            Duration = Math.Max(0, end - start) / 1_000_000.0,
            Inputs = [],
            Metadata = metadata,
        };
    }

    /// <summary>
    /// A span as an event. Its message texts are parsed into pooled documents (<see cref="EventRequest.Documents"/>):
    /// whoever writes the event for the last time releases them (<see cref="EventRequest.ReleaseDocuments"/>:
    /// delivery once it has queued its encoded bytes, the map command once it has printed it); unreleased, they are left to the GC.
    /// </summary>
    /// <param name="planned">The span and its parent.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="options">The options.</param>
    /// <returns>The request.</returns>
    public static EventRequest Event(PlannedEvent planned, string sessionId, MappingOptions options) =>
        Event(planned, sessionId, options, new TraceEventIds(planned.Span.TraceId));

    private static EventRequest Event(PlannedEvent planned, string sessionId, MappingOptions options, TraceEventIds ids)
    {
        var span = planned.Span;
        var mapped = SpanMapper.Map(span, options, poolDocuments: true);
        var eventType = mapped.EventType;
        if (planned.AsRootEvent)
        {
            // A trace root inside a grouped (or already created) session is a chain, unless the
            // span says explicitly what it is.
            string? explicitType = null;
            foreach (var pair in span.Attributes)
            {
                if (pair.Key is "honeyhive_event_type" or "honeyhive.event_type")
                {
                    // The last such attribute wins.
                    explicitType = pair.Value as string;
                }
            }

            eventType = explicitType is EventTypes.Model or EventTypes.Tool ? explicitType : EventTypes.Chain;
            if (Resource(span, options) is { } resource)
            {
                mapped.MetadataField.Set([new("resource", resource)]);
            }
        }

        return new EventRequest
        {
            EventId = ids.For(span.SpanId),
            ParentId = planned.ParentId ?? ids.For(span.ParentSpanId),
            EventType = eventType,
            EventName = mapped.EventName,
            Source = mapped.Source,
            StartTime = mapped.StartTime,
            EndTime = mapped.EndTime,
            Duration = mapped.Duration,
            ConfigField = NullIfEmpty(mapped.ConfigField),
            InputsField = mapped.InputsField,
            OutputsField = NullIfEmpty(mapped.OutputsField),
            Error = mapped.Error,
            MetadataField = mapped.MetadataField,
            MetricsField = NullIfEmpty(mapped.MetricsField),
            FeedbackField = NullIfEmpty(mapped.FeedbackField),
            UserPropertiesField = NullIfEmpty(mapped.UserPropertiesField),
            Documents = mapped.Documents,
        };
    }

    /// <summary>
    /// The fields of a late span that fills its placeholder. <c>PUT /v1/events/{id}</c> changes
    /// outputs, config, metadata, metrics, feedback, user properties and duration; what it cannot
    /// change (name, type, inputs, error, times) goes to <c>metadata.late_span</c>.
    /// </summary>
    /// <param name="span">The span.</param>
    /// <param name="options">The options.</param>
    /// <returns>The update.</returns>
    public static EventUpdateRequest Update(SpanRecord span, MappingOptions options)
    {
        var mapped = SpanMapper.Map(span, options);
        var late = new JsonObject
        {
            ["event_name"] = mapped.EventName,
            ["event_type"] = span.IsRoot ? EventTypes.Chain : mapped.EventType,
            ["inputs"] = mapped.Inputs,
            ["start_time"] = mapped.StartTime,
            ["end_time"] = mapped.EndTime,
        };
        if (mapped.Error is not null)
        {
            late["error"] = mapped.Error;
        }

        mapped.Metadata["late_span"] = late;
        mapped.Metadata["placeholder"] = false;
        return new EventUpdateRequest
        {
            Outputs = mapped.Outputs,
            Config = NullIfEmpty(mapped.Config),
            Metadata = mapped.Metadata,
            Metrics = NullIfEmpty(mapped.Metrics),
            Feedback = NullIfEmpty(mapped.Feedback),
            UserProperties = NullIfEmpty(mapped.UserProperties),
            Duration = mapped.Duration,
        };
    }

    private static EventRequest Placeholder(TracePlan plan, PlannedPlaceholder placeholder, MappingOptions options, TraceEventIds ids)
    {
        var hex = placeholder.SpanId.ToHexString();
        return new EventRequest
        {
            EventId = ids.For(placeholder.SpanId),
            ParentId = plan.SessionId,
            EventType = EventTypes.Chain,
            EventName = "missing span " + hex,
            Source = options.Source,
            StartTime = placeholder.StartTimeUnixNano / 1_000_000,
            EndTime = placeholder.EndTimeUnixNano / 1_000_000,
            Duration = Math.Max(0, placeholder.EndTimeUnixNano - placeholder.StartTimeUnixNano) / 1_000_000.0,
            Inputs = [],
            Metadata = new JsonObject
            {
                ["trace_id"] = plan.TraceId.ToHexString(),
                ["span_id"] = hex,
                ["placeholder"] = true,
            },
        };
    }

    private static void AddResource(JsonObject metadata, SpanRecord span, MappingOptions options)
    {
        if (Resource(span, options) is { } resource)
        {
            metadata["resource"] = resource.Object;
        }
    }

    /// <summary>
    /// The span's resource attributes as <c>metadata.resource</c> (a repeated key keeps its first place and takes its
    /// last value, as setting them one by one on a <see cref="JsonObject"/> does), or <see langword="null"/> when it
    /// has none.
    /// </summary>
    private static FieldObject? Resource(SpanRecord span, MappingOptions options)
    {
        if (span.ResourceAttributes.Count == 0)
        {
            return null;
        }

        var json = new AttributeJson(options);
        var fields = spareFields ?? new JsonFields();
        spareFields = null;
        foreach (var pair in span.ResourceAttributes)
        {
            fields[pair.Key] = json.ToField(new TruncationKey("resource", pair.Key), pair.Value);
        }

        var resource = fields.ToField();
        spareFields = fields;
        return resource;
    }

    private static JsonObject? NullIfEmpty(JsonObject value) => value.Count == 0 ? null : value;

    private static FieldObject? NullIfEmpty(FieldObject value) => value.Count == 0 ? null : value;
}
