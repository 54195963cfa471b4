// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Benchmarks.Baselines;

/// <summary>
/// <c>SpanMapper</c> as it was before its attribute lookups went through a known-key table (commit
/// 8f98b5f), reading through <see cref="SpanAttributeReaderBefore"/>: kept only as the baseline of
/// <c>SpanMapperBenchmarks</c>.
/// </summary>
internal static class SpanMapperBefore
{
    private static readonly string[] MessageEventRoles = ["system", "user", "assistant", "tool"];

    /// <summary>Token counts and response facts: source attributes (first present wins) → metadata key.</summary>
    private static readonly (string Target, string[] Sources)[] MetadataMap =
    [
        ("input_tokens", ["gen_ai.usage.input_tokens"]),
        ("output_tokens", ["gen_ai.usage.output_tokens"]),
        ("prompt_tokens", ["gen_ai.usage.prompt_tokens", "llm.token_count.prompt"]),
        ("completion_tokens", ["gen_ai.usage.completion_tokens", "llm.token_count.completion"]),
        ("total_tokens", ["gen_ai.usage.total_tokens", "llm.token_count.total", "llm.usage.total_tokens"]),
        ("cache_read_input_tokens", ["gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens", "llm.token_count.prompt_details.cache_read"]),
        ("cache_write_input_tokens", ["gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_write_input_tokens", "gen_ai.usage.cache_creation_input_tokens", "llm.token_count.prompt_details.cache_write"]),
        ("reasoning_tokens", ["gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens", "llm.token_count.completion_details.reasoning"]),
        ("cost", ["gen_ai.usage.cost", "llm.cost.total"]),
        ("response_model", ["gen_ai.response.model", "llm.response.model_name"]),
        ("response_id", ["gen_ai.response.id"]),
        ("system", ["gen_ai.system", "llm.system"]),
        ("operation_name", ["gen_ai.operation.name"]),
        ("agent_name", ["gen_ai.agent.name"]),
        ("agent_id", ["gen_ai.agent.id"]),
        ("agent_description", ["gen_ai.agent.description"]),
        ("tool_name", ["gen_ai.tool.name", "tool.name"]),
        ("tool_call_id", ["gen_ai.tool.call.id"]),
        ("tool_description", ["gen_ai.tool.description", "tool.description"]),
        ("tool_type", ["gen_ai.tool.type"]),
        ("conversation_id", ["gen_ai.conversation.id"]),
        ("session_id", ["session.id"]),
        ("user_id", ["user.id"]),
        ("span_kind", ["openinference.span.kind", "traceloop.span.kind"]),
    ];

    /// <summary>HoneyHive SDK attributes: the whole-object key, the flattened keys' prefix, and where they go.</summary>
    private static readonly (string Key, string Prefix, Func<Buckets, JsonObject> Target)[] BucketMap =
    [
        ("honeyhive_inputs", "honeyhive_inputs.", b => b.Inputs),
        ("honeyhive_outputs", "honeyhive_outputs.", b => b.Outputs),
        ("honeyhive_config", "honeyhive_config.", b => b.Config),
        ("honeyhive_metadata", "honeyhive_metadata.", b => b.Metadata),
        ("honeyhive_metrics", "honeyhive_metrics.", b => b.Metrics),
        ("honeyhive_feedback", "honeyhive_feedback.", b => b.Feedback),
        ("honeyhive_user_properties", "honeyhive_user_properties.", b => b.UserProperties),
    ];

    /// <summary>Maps a span.</summary>
    /// <param name="span">The span.</param>
    /// <param name="options">The options.</param>
    /// <returns>The HoneyHive fields.</returns>
    public static MappedSpan Map(SpanRecord span, MappingOptions options)
    {
        var json = new AttributeJson(options);
        var reader = new SpanAttributeReaderBefore(span.Attributes, json);
        var resource = new SpanAttributeReaderBefore(span.ResourceAttributes, json);
        var b = new Buckets();
        // Events already mapped into a field (compared as records, as before); none without events.
        var usedEvents = span.Events.Count > 0 ? new HashSet<SpanEventRecord>() : null;

        var eventType = EventTypeClassifierBefore.Classify(span.Attributes);
        reader.TakeText("honeyhive_event_type", "honeyhive.event_type");
        var eventName = reader.TakeText("honeyhive_event_name", "honeyhive.event_name") ?? json.Truncate("name", span.Name);
        var source = reader.TakeText("honeyhive.source") ?? resource.TakeText("honeyhive.source") ?? options.Source;
        var sessionName = reader.TakeText("honeyhive.session_name") ?? resource.TakeText("honeyhive.session_name");
        reader.TakeText("honeyhive.session_id", "honeyhive.session_auto_create", "honeyhive.project", "honeyhive.parent_id");

        ReadConfig(reader, b);
        ReadInputs(span, reader, b, eventType, usedEvents);
        var finishReason = ReadOutputs(span, reader, b, eventType, usedEvents);
        ReadMetadata(span, reader, resource, b, finishReason);
        var error = ReadError(span, reader, b, usedEvents);
        ReadEvaluations(span, b, usedEvents);
        ReadBuckets(reader, b);

        foreach (var pair in reader.Remaining())
        {
            b.Metadata.TryAdd(pair.Key, json.ToJson(pair.Key, pair.Value));
        }

        JsonArray? otherEvents = null;
        foreach (var e in span.Events)
        {
            if (usedEvents!.Contains(e))
            {
                continue;
            }

            var attributes = new JsonObject();
            foreach (var pair in e.Attributes)
            {
                attributes[pair.Key] = json.ToJson(new TruncationKey("event", e.Name, pair.Key), pair.Value);
            }

            (otherEvents ??= []).Add(new JsonObject { ["name"] = e.Name, ["time"] = e.TimeUnixNano / 1_000_000, ["attributes"] = attributes });
        }

        if (otherEvents is not null)
        {
            b.Metadata["events"] = otherEvents;
        }

        if (span.Links.Count > 0)
        {
            var links = new JsonArray();
            foreach (var l in span.Links)
            {
                links.Add(new JsonObject
                {
                    ["trace_id"] = l.TraceId.ToHexString(),
                    ["span_id"] = l.SpanId.ToHexString(),
                });
            }

            b.Metadata["links"] = links;
        }

        if (json.Truncated is { } truncated)
        {
            // Nothing truncates after this point, so the record moves as it is.
            b.Metadata["truncated"] = truncated;
        }

        return new MappedSpan
        {
            EventType = eventType,
            EventName = eventName,
            Source = source,
            SessionName = sessionName,
            StartTime = span.StartTimeUnixNano / 1_000_000,
            EndTime = span.EndTimeUnixNano / 1_000_000,
            Duration = Math.Max(0, span.EndTimeUnixNano - span.StartTimeUnixNano) / 1_000_000.0,
            ConfigField = new FieldObject(b.Config),
            InputsField = new FieldObject(b.Inputs),
            OutputsField = new FieldObject(b.Outputs),
            MetadataField = new FieldObject(b.Metadata),
            MetricsField = new FieldObject(b.Metrics),
            FeedbackField = new FieldObject(b.Feedback),
            UserPropertiesField = new FieldObject(b.UserProperties),
            Error = error,
        };
    }

    /// <summary>
    /// The session name a span asks for (<c>honeyhive.session_name</c> on the span, then on its
    /// resource), read exactly as <see cref="Map"/> reads it, without mapping the rest of the span.
    /// </summary>
    /// <param name="span">The span.</param>
    /// <param name="options">The options.</param>
    /// <returns>The name, or <see langword="null"/>.</returns>
    public static string? SessionName(SpanRecord span, MappingOptions options)
    {
        var json = new AttributeJson(options);
        return new SpanAttributeReaderBefore(span.Attributes, json).TakeText("honeyhive.session_name")
            ?? new SpanAttributeReaderBefore(span.ResourceAttributes, json).TakeText("honeyhive.session_name");
    }

    private static void ReadConfig(SpanAttributeReaderBefore reader, Buckets b)
    {
        var model = reader.TakeText("gen_ai.request.model", "llm.request.model_name");
        if (model is null && reader.TryTake("llm.model_name", out var oiModel) && oiModel is not null)
        {
            model = reader.Json.ToText("llm.model_name", oiModel);
            b.Metadata["model_name"] = model;
        }

        if (model is not null)
        {
            b.Config["model"] = model;
        }

        var provider = reader.TakeText("gen_ai.provider.name", "llm.provider");
        if (provider is not null)
        {
            b.Config["provider"] = provider;
            b.Metadata["provider"] = provider;
        }

        foreach (var key in reader.KeysWithPrefix("gen_ai.request."))
        {
            b.Config.TryAdd(key["gen_ai.request.".Length..].Replace('.', '_'), reader.TakeJson(key));
        }

        if (reader.TakeParsed("llm.invocation_parameters") is JsonObject parameters)
        {
            foreach (var pair in parameters.ToList())
            {
                parameters.Remove(pair.Key);
                b.Config.TryAdd(pair.Key, pair.Value);
            }
        }

        var tools = reader.TakeParsed("gen_ai.tool.definitions")
            ?? FlatKeys.Unwrap(reader.TakeFlattened("llm.tools.", parseText: true))
            ?? reader.TakeFlattened("llm.request.functions.", parseText: true);
        if (tools is not null)
        {
            b.Config["tools"] = tools;
        }

        if (reader.TakeText("llm.prompt_template.template") is { } template)
        {
            b.Config["template"] = template;
        }
    }

    private static void ReadInputs(SpanRecord span, SpanAttributeReaderBefore reader, Buckets b, string eventType, HashSet<SpanEventRecord>? usedEvents)
    {
        var details = FindEvent(span, "gen_ai.client.inference.operation.details");
        var messages = reader.TakeParsed("gen_ai.input.messages")
            ?? EventAttribute(details, "gen_ai.input.messages", reader.Json);
        var prompts = reader.TakeFlattened("gen_ai.prompt.", parseText: true);
        var openInference = FlatKeys.Unwrap(reader.TakeFlattened("llm.input_messages.", parseText: true));
        var fromEvents = MessagesFromEvents(span, reader.Json, usedEvents);
        var history = ChatMessages.ToList(messages) ?? ChatMessages.ToList(prompts) ?? ChatMessages.ToList(openInference) ?? fromEvents;

        var instructions = reader.TakeParsed("gen_ai.system_instructions") ?? EventAttribute(details, "gen_ai.system_instructions", reader.Json);
        if (instructions is not null)
        {
            history ??= [];
            history.Insert(0, ChatMessages.SystemMessage(instructions));
        }

        if (details is not null)
        {
            usedEvents!.Add(details);
        }

        if (history is not null)
        {
            b.Inputs["chat_history"] = history;
        }

        MergeValue(b.Inputs, "input", reader.TakeParsed("input.value"));
        MergeValue(b.Inputs, "input", reader.TakeDecoded("traceloop.entity.input"));
        if (eventType == EventTypes.Tool)
        {
            MergeValue(b.Inputs, "arguments", reader.TakeParsed("gen_ai.tool.call.arguments"));
        }

        reader.TakeText("input.mime_type");
    }

    private static string? ReadOutputs(SpanRecord span, SpanAttributeReaderBefore reader, Buckets b, string eventType, HashSet<SpanEventRecord>? usedEvents)
    {
        var details = FindEvent(span, "gen_ai.client.inference.operation.details");
        var messages = reader.TakeParsed("gen_ai.output.messages")
            ?? EventAttribute(details, "gen_ai.output.messages", reader.Json);
        var completions = reader.TakeFlattened("gen_ai.completion.", parseText: true);
        var openInference = FlatKeys.Unwrap(reader.TakeFlattened("llm.output_messages.", parseText: true));
        var choices = ChoicesFromEvents(span, reader.Json, usedEvents);
        var list = ChatMessages.ToList(messages) ?? ChatMessages.ToList(completions) ?? ChatMessages.ToList(openInference) ?? choices;

        string? finishReason = null;
        if (list is not null)
        {
            foreach (var item in list)
            {
                if (item is JsonObject message && message["finish_reason"] is { } reason)
                {
                    message.Remove("finish_reason");
                    finishReason ??= reason.GetValueKind() == JsonValueKind.String ? reason.GetValue<string>() : reason.ToJsonString();
                }
            }

            if (list.Count == 1 && list[0] is JsonObject single)
            {
                foreach (var pair in single.ToList())
                {
                    single.Remove(pair.Key);
                    b.Outputs[pair.Key] = pair.Value;
                }
            }
            else
            {
                b.Outputs["chat_history"] = list;
            }
        }

        MergeValue(b.Outputs, "output", reader.TakeParsed("output.value"));
        MergeValue(b.Outputs, "output", reader.TakeDecoded("traceloop.entity.output"));
        if (eventType == EventTypes.Tool)
        {
            MergeValue(b.Outputs, "result", reader.TakeParsed("gen_ai.tool.call.result"));
        }

        if (FlatKeys.Unwrap(reader.TakeFlattened("retrieval.documents.", parseText: true)) is { } documents)
        {
            b.Outputs["documents"] = documents;
        }

        reader.TakeText("output.mime_type");
        return finishReason;
    }

    private static void ReadMetadata(SpanRecord span, SpanAttributeReaderBefore reader, SpanAttributeReaderBefore resource, Buckets b, string? finishReason)
    {
        foreach (var (target, sources) in MetadataMap)
        {
            if (reader.TakeJson(sources) is { } value)
            {
                b.Metadata.TryAdd(target, value);
            }
        }

        if (b.Metadata["system"] is JsonValue system && !b.Config.ContainsKey("provider"))
        {
            b.Config["provider"] = system.DeepClone();
        }

        if (reader.TakeJson("llm.model_name") is { } modelName)
        {
            b.Metadata.TryAdd("model_name", modelName);
        }

        if (reader.TakeJson("gen_ai.response.finish_reasons") is { } reasons)
        {
            b.Metadata["finish_reasons"] = reasons;
            if (reasons is JsonArray { Count: > 0 } array && array[0] is JsonValue first)
            {
                b.Metadata["finish_reason"] = first.DeepClone();
            }
        }

        if ((reader.TakeText("gen_ai.response.finish_reason", "llm.finish_reason") ?? finishReason) is { } reason)
        {
            b.Metadata.TryAdd("finish_reason", reason);
        }

        if (b.Metadata["total_tokens"] is null
            && (b.Metadata["input_tokens"] ?? b.Metadata["prompt_tokens"]) is JsonValue input
            && (b.Metadata["output_tokens"] ?? b.Metadata["completion_tokens"]) is JsonValue output
            && input.TryGetValue<long>(out var i) && output.TryGetValue<long>(out var o))
        {
            b.Metadata["total_tokens"] = i + o;
        }

        if (reader.TakeParsed("metadata") is JsonObject openInferenceMetadata)
        {
            foreach (var pair in openInferenceMetadata.ToList())
            {
                openInferenceMetadata.Remove(pair.Key);
                b.Metadata.TryAdd(pair.Key, pair.Value);
            }
        }

        b.Metadata["trace_id"] = span.TraceId.ToHexString();
        b.Metadata["span_id"] = span.SpanId.ToHexString();
        if (!span.IsRoot)
        {
            b.Metadata["parent_span_id"] = span.ParentSpanId.ToHexString();
        }

        b.Metadata["otel_span_kind"] = span.Kind switch
        {
            ActivityKind.Client => "client",
            ActivityKind.Server => "server",
            ActivityKind.Producer => "producer",
            ActivityKind.Consumer => "consumer",
            _ => "internal",
        };
        if (span.ScopeName is { Length: > 0 } scope)
        {
            b.Metadata["scope_name"] = scope;
        }

        if (span.ScopeVersion is { Length: > 0 } version)
        {
            b.Metadata["scope_version"] = version;
        }

        if (resource.TakeText("service.name") is { } service)
        {
            b.Metadata["service_name"] = service;
        }
    }

    private static string? ReadError(SpanRecord span, SpanAttributeReaderBefore reader, Buckets b, HashSet<SpanEventRecord>? usedEvents)
    {
        var error = reader.TakeText("honeyhive_error");
        var errorType = reader.TakeText("honeyhive_error_type");
        if (error is not null && errorType is not null)
        {
            error = errorType + ": " + error;
        }

        var exception = FindEvent(span, "exception", "gen_ai.client.operation.exception");
        if (exception is not null)
        {
            usedEvents!.Add(exception);
            var events = new SpanAttributeReaderBefore(exception.Attributes, reader.Json);
            var type = events.TakeText("exception.type");
            var message = events.TakeText("exception.message");
            error ??= type is not null && message is not null ? type + ": " + message : type ?? message ?? "exception";
            if (events.TakeText("exception.stacktrace") is { } stack)
            {
                b.Metadata["exception_stacktrace"] = stack;
            }

            if (events.TakeJson("exception.escaped") is { } escaped)
            {
                b.Metadata["exception_escaped"] = escaped;
            }
        }

        if (error is null && span.StatusCode == ActivityStatusCode.Error)
        {
            error = (span.StatusMessage is { Length: > 0 } m ? reader.Json.Truncate("status.message", m) : null)
                ?? reader.TakeText("error.type")
                ?? "error";
        }

        return error;
    }

    private static void ReadEvaluations(SpanRecord span, Buckets b, HashSet<SpanEventRecord>? usedEvents)
    {
        foreach (var e in span.Events)
        {
            if (e.Name != "gen_ai.evaluation.result")
            {
                continue;
            }

            var name = FirstValue(e.Attributes, "gen_ai.evaluation.name") as string;
            var score = FirstValue(e.Attributes, "gen_ai.evaluation.score.value");
            if (name is not null && score is double or long)
            {
                b.Metrics[name] = new AttributeJson(MappingOptions.Default).ToJson(name, score);
                usedEvents!.Add(e);
            }
        }
    }

    private static void ReadBuckets(SpanAttributeReaderBefore reader, Buckets b)
    {
        foreach (var (wholeKey, prefix, target) in BucketMap)
        {
            JsonObject? bucket = null;
            if (reader.TakeParsed(wholeKey) is JsonObject whole)
            {
                bucket = [];
                foreach (var pair in whole.ToList())
                {
                    whole.Remove(pair.Key);
                    bucket[pair.Key] = pair.Value;
                }
            }

            foreach (var key in reader.KeysWithPrefix(prefix))
            {
                FlatKeys.SetPath(bucket ??= [], key[prefix.Length..], reader.TakeParsed(key));
            }

            if (bucket is null)
            {
                continue;
            }

            var into = target(b);
            foreach (var pair in bucket.ToList())
            {
                bucket.Remove(pair.Key);
                into[pair.Key] = FlatKeys.Arrayify(pair.Value);
            }
        }
    }

    private static JsonArray? MessagesFromEvents(SpanRecord span, AttributeJson json, HashSet<SpanEventRecord>? usedEvents)
    {
        JsonArray? messages = null;
        foreach (var e in span.Events)
        {
            var role = MessageEventRole(e.Name);
            if (role is null)
            {
                continue;
            }

            usedEvents!.Add(e);
            var content = EventAttribute(e, "gen_ai.event.content", json);
            JsonObject message;
            if (content is JsonObject obj)
            {
                message = (JsonObject)ChatMessages.Normalize(obj)!;
            }
            else
            {
                message = [];
                foreach (var pair in e.Attributes)
                {
                    message[pair.Key] = json.ToJsonParsingText(new TruncationKey("event", e.Name, pair.Key), pair.Value);
                }

                if (content is not null)
                {
                    message.Remove("gen_ai.event.content");
                    message["content"] = content;
                }
            }

            if (!message.ContainsKey("role"))
            {
                var withRole = new JsonObject { ["role"] = role };
                foreach (var pair in message.ToList())
                {
                    message.Remove(pair.Key);
                    withRole[pair.Key] = pair.Value;
                }

                message = withRole;
            }

            (messages ??= []).Add(message);
        }

        return messages;
    }

    private static JsonArray? ChoicesFromEvents(SpanRecord span, AttributeJson json, HashSet<SpanEventRecord>? usedEvents)
    {
        JsonArray? choices = null;
        foreach (var e in span.Events)
        {
            if (e.Name != "gen_ai.choice")
            {
                continue;
            }

            usedEvents!.Add(e);
            var content = EventAttribute(e, "gen_ai.event.content", json)
                ?? new JsonObject([.. e.Attributes.Select(a => KeyValuePair.Create(a.Key, json.ToJsonParsingText(new TruncationKey("event", "gen_ai.choice", a.Key), a.Value)))]);
            if (content is JsonObject choice)
            {
                var message = choice["message"] is JsonObject m ? (JsonObject)ChatMessages.Normalize(m)! : new JsonObject();
                message.TryAdd("role", "assistant");
                if (!choice.ContainsKey("message") && choice["content"] is { } text)
                {
                    message["content"] = text.DeepClone();
                }

                if (choice["finish_reason"] is { } reason)
                {
                    message["finish_reason"] = reason.DeepClone();
                }

                (choices ??= []).Add(message);
            }
            else if (content is not null)
            {
                (choices ??= []).Add(new JsonObject { ["role"] = "assistant", ["content"] = content });
            }
        }

        return choices;
    }

    private static JsonNode? EventAttribute(SpanEventRecord? e, string key, AttributeJson json) =>
        e is not null && FirstValue(e.Attributes, key) is { } value
            ? json.ToJsonParsingText(new TruncationKey("event", e.Name, key), value)
            : null;

    /// <summary>The role of a deprecated <c>gen_ai.{role}.message</c> event, or <see langword="null"/> for another event.</summary>
    private static string? MessageEventRole(string name)
    {
        const string Prefix = "gen_ai.";
        const string Suffix = ".message";
        if (!name.StartsWith(Prefix, StringComparison.Ordinal) || !name.EndsWith(Suffix, StringComparison.Ordinal))
        {
            return null;
        }

        var role = name.AsSpan(Prefix.Length, Math.Max(0, name.Length - Prefix.Length - Suffix.Length));
        foreach (var candidate in MessageEventRoles)
        {
            if (role.SequenceEqual(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The first event named <paramref name="name"/> (or <paramref name="otherName"/>), in event order.</summary>
    private static SpanEventRecord? FindEvent(SpanRecord span, string name, string? otherName = null)
    {
        foreach (var e in span.Events)
        {
            if (e.Name == name || (otherName is not null && e.Name == otherName))
            {
                return e;
            }
        }

        return null;
    }

    /// <summary>The value of the first attribute named <paramref name="key"/>, or <see langword="null"/>.</summary>
    private static object? FirstValue(IReadOnlyList<KeyValuePair<string, object?>> attributes, string key)
    {
        foreach (var pair in attributes)
        {
            if (pair.Key == key)
            {
                return pair.Value;
            }
        }

        return null;
    }

    private static void MergeValue(JsonObject target, string name, JsonNode? value)
    {
        if (value is JsonObject obj)
        {
            foreach (var pair in obj.ToList())
            {
                obj.Remove(pair.Key);
                target.TryAdd(pair.Key, pair.Value);
            }
        }
        else if (value is not null)
        {
            target.TryAdd(name, value);
        }
    }

    private sealed class Buckets
    {
        public JsonObject Config { get; } = [];

        public JsonObject Inputs { get; } = [];

        public JsonObject Outputs { get; } = [];

        public JsonObject Metadata { get; } = [];

        public JsonObject Metrics { get; } = [];

        public JsonObject Feedback { get; } = [];

        public JsonObject UserProperties { get; } = [];
    }
}
