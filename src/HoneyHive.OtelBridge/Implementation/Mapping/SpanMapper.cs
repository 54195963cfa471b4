// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Implementation.Mapping;

/// <summary>
/// Reads one span into HoneyHive fields (<see cref="MappedSpan"/>). Pure: no I/O, no clock.
/// The rules are listed in the README ("Mapping rules").
/// </summary>
internal static class SpanMapper
{
    private static readonly string[] MessageEventRoles = ["system", "user", "assistant", "tool"];

    [ThreadStatic]
    private static Buckets? spareBuckets;

    /// <summary>
    /// Token counts and response facts: source attributes (first present wins) → metadata key, with the
    /// sources' presence mask so that a row none of whose sources is present costs no lookup.
    /// </summary>
    private static readonly (string Target, string[] Sources, UInt128 Mask)[] MetadataMap =
    [
        Row("input_tokens", "gen_ai.usage.input_tokens"),
        Row("output_tokens", "gen_ai.usage.output_tokens"),
        Row("prompt_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt"),
        Row("completion_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion"),
        Row("total_tokens", "gen_ai.usage.total_tokens", "llm.token_count.total", "llm.usage.total_tokens"),
        Row("cache_read_input_tokens", "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens", "llm.token_count.prompt_details.cache_read"),
        Row("cache_write_input_tokens", "gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_write_input_tokens", "gen_ai.usage.cache_creation_input_tokens", "llm.token_count.prompt_details.cache_write"),
        Row("reasoning_tokens", "gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens", "llm.token_count.completion_details.reasoning"),
        Row("cost", "gen_ai.usage.cost", "llm.cost.total"),
        Row("response_model", "gen_ai.response.model", "llm.response.model_name"),
        Row("response_id", "gen_ai.response.id"),
        Row("system", "gen_ai.system", "llm.system"),
        Row("operation_name", "gen_ai.operation.name"),
        Row("agent_name", "gen_ai.agent.name"),
        Row("agent_id", "gen_ai.agent.id"),
        Row("agent_description", "gen_ai.agent.description"),
        Row("tool_name", "gen_ai.tool.name", "tool.name"),
        Row("tool_call_id", "gen_ai.tool.call.id"),
        Row("tool_description", "gen_ai.tool.description", "tool.description"),
        Row("tool_type", "gen_ai.tool.type"),
        Row("conversation_id", "gen_ai.conversation.id"),
        Row("session_id", "session.id"),
        Row("user_id", "user.id"),
        Row("span_kind", "openinference.span.kind", "traceloop.span.kind"),
    ];

    /// <summary>HoneyHive SDK attributes: the whole-object key, the flattened keys' prefix, and where they go.</summary>
    private static readonly (string Key, string Prefix, Func<Buckets, JsonFields> Target)[] BucketMap =
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
    public static MappedSpan Map(SpanRecord span, MappingOptions options) => Map(span, options, poolDocuments: false);

    /// <summary>
    /// <see cref="Map(SpanRecord, MappingOptions)"/>; with <paramref name="poolDocuments"/>, message texts are parsed
    /// into pooled documents that the mapped span keeps (<see cref="MappedSpan.Documents"/>) for its event, which
    /// releases them once written (<see cref="EventRequest.ReleaseDocuments"/>).
    /// </summary>
    /// <param name="span">The span.</param>
    /// <param name="options">The options.</param>
    /// <param name="poolDocuments">Whether the mapped span's request is released once written.</param>
    /// <returns>The mapped span.</returns>
    public static MappedSpan Map(SpanRecord span, MappingOptions options, bool poolDocuments)
    {
        // The fields' lists and the reader's entries are the thread's, reused span after span (a nested call, which
        // does not happen, would make its own).
        var b = spareBuckets ?? new Buckets();
        spareBuckets = null;
        var json = new AttributeJson(options, poolDocuments);
        var reader = new SpanAttributeReader(span.Attributes, json);
        try
        {
            return Map(span, options, b, json, reader);
        }
        finally
        {
            reader.Release();
            b.Clear();
            spareBuckets = b;
        }
    }

    /// <summary>
    /// The session name a span asks for (<c>honeyhive.session_name</c> on the span, then on its
    /// resource), read exactly as <see cref="Map(SpanRecord, MappingOptions)"/> reads it, without mapping the rest of the span.
    /// </summary>
    /// <param name="span">The span.</param>
    /// <param name="options">The options.</param>
    /// <returns>The name, or <see langword="null"/>.</returns>
    public static string? SessionName(SpanRecord span, MappingOptions options)
    {
        var json = new AttributeJson(options);
        var reader = new SpanAttributeReader(span.Attributes, json);
        var name = reader.TakeText("honeyhive.session_name") ?? ResourceText(span, "honeyhive.session_name", json);
        reader.Release();
        return name;
    }

    private static MappedSpan Map(SpanRecord span, MappingOptions options, Buckets b, AttributeJson json, SpanAttributeReader reader)
    {
        // Events already mapped into a field (compared as records, as before); none without events.
        var usedEvents = span.Events.Count > 0 ? new HashSet<SpanEventRecord>() : null;

        var eventType = EventTypeClassifier.Classify(reader);
        reader.TakeText("honeyhive_event_type", "honeyhive.event_type");
        var eventName = reader.TakeText("honeyhive_event_name", "honeyhive.event_name") ?? json.Truncate("name", span.Name);
        var source = reader.TakeText("honeyhive.source") ?? ResourceText(span, "honeyhive.source", json) ?? options.Source;
        var sessionName = reader.TakeText("honeyhive.session_name") ?? ResourceText(span, "honeyhive.session_name", json);
        reader.TakeText("honeyhive.session_id", "honeyhive.session_auto_create", "honeyhive.project", "honeyhive.parent_id");

        ReadConfig(reader, b);
        var details = FindEvent(span, "gen_ai.client.inference.operation.details");
        ReadInputs(span, reader, b, eventType, details, usedEvents);
        var finishReason = ReadOutputs(span, reader, b, eventType, details, usedEvents);
        ReadMetadata(span, reader, b, finishReason);
        var error = ReadError(span, reader, b, usedEvents);
        ReadEvaluations(span, b, usedEvents);
        ReadBuckets(reader, b);

        foreach (var pair in reader.Remaining())
        {
            b.Metadata.TryAdd(pair.Key, json.ToField(pair.Key, pair.Value));
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
            ConfigField = b.Config.ToField(),
            InputsField = b.Inputs.ToField(),
            OutputsField = b.Outputs.ToField(),
            MetadataField = b.Metadata.ToField(),
            MetricsField = b.Metrics.ToField(),
            FeedbackField = b.Feedback.ToField(),
            UserPropertiesField = b.UserProperties.ToField(),
            Error = error,
            Documents = json.Documents,
        };
    }

    private static void ReadConfig(SpanAttributeReader reader, Buckets b)
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
            b.Config.TryAdd(RequestConfigName(key), reader.TakeField(key));
        }

        if (reader.TakeParsed("llm.invocation_parameters") is JsonObject parameters)
        {
            foreach (var pair in parameters.DetachAll())
            {
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

    /// <summary>
    /// The <c>config</c> name of a <c>gen_ai.request.*</c> key: the rest of the key with its dots as underscores. The
    /// keys of the GenAI conventions are literals here (a chat span has six or seven; each made two strings).
    /// </summary>
    /// <param name="key">The attribute key, starting with <c>gen_ai.request.</c>.</param>
    /// <returns>The name.</returns>
    internal static string RequestConfigName(string key) => key switch
    {
        "gen_ai.request.model" => "model",
        "gen_ai.request.temperature" => "temperature",
        "gen_ai.request.max_tokens" => "max_tokens",
        "gen_ai.request.top_p" => "top_p",
        "gen_ai.request.top_k" => "top_k",
        "gen_ai.request.frequency_penalty" => "frequency_penalty",
        "gen_ai.request.presence_penalty" => "presence_penalty",
        "gen_ai.request.seed" => "seed",
        "gen_ai.request.stop_sequences" => "stop_sequences",
        "gen_ai.request.choice.count" => "choice_count",
        "gen_ai.request.encoding_formats" => "encoding_formats",
        _ => key["gen_ai.request.".Length..].Replace('.', '_'),
    };

    private static void ReadInputs(SpanRecord span, SpanAttributeReader reader, Buckets b, string eventType, SpanEventRecord? details, HashSet<SpanEventRecord>? usedEvents)
    {
        var messages = TakeMessages(reader, details, "gen_ai.input.messages");
        var prompts = reader.TakeFlattened("gen_ai.prompt.", parseText: true);
        var openInference = FlatKeys.Unwrap(reader.TakeFlattened("llm.input_messages.", parseText: true));
        var fromEvents = MessagesFromEvents(span, reader.Json, usedEvents);
        var history = messages ?? ChatList.Of(ChatMessages.ToList(prompts) ?? ChatMessages.ToList(openInference) ?? fromEvents);

        if (TakeSystemMessage(reader, details) is { } system)
        {
            history ??= new ChatList(1);
            history.Insert(0, system);
        }

        if (details is not null)
        {
            usedEvents!.Add(details);
        }

        if (history is not null)
        {
            b.Inputs["chat_history"] = history;
        }

        MergeParsed(b.Inputs, "input", reader, "input.value");
        MergeValue(b.Inputs, "input", reader.TakeDecoded("traceloop.entity.input"));
        if (eventType == EventTypes.Tool)
        {
            MergeParsed(b.Inputs, "arguments", reader, "gen_ai.tool.call.arguments");
        }

        reader.TakeText("input.mime_type");
    }

    private static string? ReadOutputs(SpanRecord span, SpanAttributeReader reader, Buckets b, string eventType, SpanEventRecord? details, HashSet<SpanEventRecord>? usedEvents)
    {
        var messages = TakeMessages(reader, details, "gen_ai.output.messages");
        var completions = reader.TakeFlattened("gen_ai.completion.", parseText: true);
        var openInference = FlatKeys.Unwrap(reader.TakeFlattened("llm.output_messages.", parseText: true));
        var choices = ChoicesFromEvents(span, reader.Json, usedEvents);
        var list = messages ?? ChatList.Of(ChatMessages.ToList(completions) ?? ChatMessages.ToList(openInference) ?? choices);

        string? finishReason = null;
        if (list is not null)
        {
            finishReason = list.TakeFinishReasons();
            if (!list.TryMoveSingleInto(b.Outputs))
            {
                b.Outputs["chat_history"] = list;
            }
        }

        MergeParsed(b.Outputs, "output", reader, "output.value");
        MergeValue(b.Outputs, "output", reader.TakeDecoded("traceloop.entity.output"));
        if (eventType == EventTypes.Tool)
        {
            MergeParsed(b.Outputs, "result", reader, "gen_ai.tool.call.result");
        }

        if (FlatKeys.Unwrap(reader.TakeFlattened("retrieval.documents.", parseText: true)) is { } documents)
        {
            b.Outputs["documents"] = documents;
        }

        reader.TakeText("output.mime_type");
        return finishReason;
    }

    /// <summary>The first of two keys that holds something other than JSON <c>null</c> (<c>a ?? b</c> over nodes).</summary>
    private static FieldValue FirstPresent(JsonFields fields, string first, string second) =>
        fields.Find(first) is { IsNull: false } value ? value : fields.Find(second);

    private static void ReadMetadata(SpanRecord span, SpanAttributeReader reader, Buckets b, string? finishReason)
    {
        foreach (var (target, sources, mask) in MetadataMap)
        {
            if (reader.MayHaveAny(mask) && reader.TakeField(sources) is { IsNull: false } value)
            {
                b.Metadata.TryAdd(target, value);
            }
        }

        if (b.Metadata.Find("system") is { IsValue: true } system && !b.Config.ContainsKey("provider"))
        {
            b.Config["provider"] = system.Copy();
        }

        if (reader.TakeField("llm.model_name") is { IsNull: false } modelName)
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

        if (b.Metadata.Find("total_tokens").IsNull
            && FirstPresent(b.Metadata, "input_tokens", "prompt_tokens").TryGetInt64(out var i)
            && FirstPresent(b.Metadata, "output_tokens", "completion_tokens").TryGetInt64(out var o))
        {
            b.Metadata["total_tokens"] = i + o;
        }

        if (reader.TakeParsed("metadata") is JsonObject openInferenceMetadata)
        {
            foreach (var pair in openInferenceMetadata.DetachAll())
            {
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

        if (ResourceText(span, "service.name", reader.Json) is { } service)
        {
            b.Metadata["service_name"] = service;
        }
    }

    private static string? ReadError(SpanRecord span, SpanAttributeReader reader, Buckets b, HashSet<SpanEventRecord>? usedEvents)
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
            var events = new SpanAttributeReader(exception.Attributes, reader.Json);
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

    private static void ReadBuckets(SpanAttributeReader reader, Buckets b)
    {
        if (!reader.AnyKeyStartsWith("honeyhive_"))
        {
            // No whole key and no prefix of BucketMap can match.
            return;
        }

        foreach (var (wholeKey, prefix, target) in BucketMap)
        {
            JsonObject? bucket = null;
            if (reader.TakeParsed(wholeKey) is JsonObject whole)
            {
                bucket = [];
                foreach (var pair in whole.DetachAll())
                {
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
            foreach (var pair in bucket.DetachAll())
            {
                into[pair.Key] = FlatKeys.Arrayify(pair.Value);
            }
        }
    }

    private static (string Target, string[] Sources, UInt128 Mask) Row(string target, params string[] sources) =>
        (target, sources, KnownAttributeKeys.Mask(sources));

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
                // Converted just now and used nowhere else: normalized in place, not copied.
                message = (JsonObject)ChatMessages.TakeOver(obj)!;
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
                foreach (var pair in message.DetachAll())
                {
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
                // The choice was converted just now and is used nowhere else: its nodes move into the
                // message instead of being copied.
                var hasMessage = choice.ContainsKey("message");
                var message = choice.Detach("message") is JsonObject m ? (JsonObject)ChatMessages.TakeOver(m)! : new JsonObject();
                message.TryAdd("role", "assistant");
                if (!hasMessage && choice.Detach("content") is { } text)
                {
                    message["content"] = text;
                }

                if (choice.Detach("finish_reason") is { } reason)
                {
                    message["finish_reason"] = reason;
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

    /// <summary>
    /// The normalized messages of <paramref name="key"/> on the span, else on the operation-details
    /// event: what <c>ChatMessages.ToList(reader.TakeParsed(key) ?? EventAttribute(details, key, json))</c>
    /// gives, as a <see cref="ChatList"/>, read in one pass for the usual text-only messages (and written from their
    /// document). The attribute is taken (and anything
    /// truncated is recorded) at this point, as before; a present attribute whose value is an empty
    /// array gives <see langword="null"/> without looking at the event.
    /// </summary>
    private static ChatList? TakeMessages(SpanAttributeReader reader, SpanEventRecord? details, string key) =>
        TakeFromSpanOrDetails(reader, details, key, ChatMessages.FromAttribute);

    /// <summary>
    /// The system message of <c>gen_ai.system_instructions</c> on the span, else on the operation-details
    /// event: what <c>ChatMessages.SystemMessage(reader.TakeParsed(key) ?? EventAttribute(details, key, json))</c>
    /// gives (when either is present), read in one pass for the usual text parts.
    /// </summary>
    private static JsonObject? TakeSystemMessage(SpanAttributeReader reader, SpanEventRecord? details) =>
        TakeFromSpanOrDetails(reader, details, "gen_ai.system_instructions", ChatMessages.SystemFromAttribute);

    /// <summary>
    /// Reads <paramref name="key"/> with <paramref name="read"/> from the span (taking the attribute) or, when the
    /// span has no value for it, from the operation-details event (truncation key <c>event.{name}.{key}</c>).
    /// </summary>
    private static T? TakeFromSpanOrDetails<T>(SpanAttributeReader reader, SpanEventRecord? details, string key, Func<AttributeJson, TruncationKey, object, T?> read)
        where T : class
    {
        if (reader.TryTake(key, out var value) && value is not null)
        {
            return read(reader.Json, key, value);
        }

        return details is not null && FirstValue(details.Attributes, key) is { } eventValue
            ? read(reader.Json, new TruncationKey("event", details.Name, key), eventValue)
            : null;
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

    /// <summary>
    /// A resource attribute as text: the last value of <paramref name="key"/> (a repeated key's last value
    /// wins, as in <see cref="SpanAttributeReader"/>), or <see langword="null"/>. The mapper asks the resource
    /// three keys and never lists its unused attributes, so it needs no reader of its own.
    /// </summary>
    private static string? ResourceText(SpanRecord span, string key, AttributeJson json)
    {
        var attributes = span.ResourceAttributes;
        for (var i = attributes.Count - 1; i >= 0; i--)
        {
            if (attributes[i].Key == key)
            {
                return attributes[i].Value is { } value ? json.ToText(key, value) : null;
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

    /// <summary>
    /// <c>MergeValue(target, name, reader.TakeParsed(key))</c>. The usual value, the text of a JSON object whose
    /// property names are unique (tool arguments and results, OpenInference's <c>input.value</c>), is read from one
    /// parsed document: its properties are added as the parsed tree's would be (values backed by the document), with
    /// no tree made and then taken apart. Anything else takes the general path, which parses again and decides.
    /// </summary>
    private static void MergeParsed(JsonFields target, string name, SpanAttributeReader reader, string key)
    {
        if (!reader.TryTake(key, out var value) || value is null)
        {
            return;
        }

        if (value is string text && reader.Json.IsParsedAsText(text) && TryMergeObjectText(target, reader.Json, text))
        {
            return;
        }

        MergeValue(target, name, reader.Json.ToJsonParsingText(key, value));
    }

    /// <summary>The common case of <see cref="MergeParsed"/>; <see langword="false"/> (nothing added) for anything
    /// but a JSON object with unique property names.</summary>
    private static bool TryMergeObjectText(JsonFields target, AttributeJson json, string text)
    {
        JsonDocument? document = null;
        try
        {
            var root = json.Parse(text, out document);
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            var count = 0;
            foreach (var unused in root.EnumerateObject())
            {
                count++;
            }

            // The names first, so a repeated one declines before anything is added.
            var names = count == 0 ? [] : new string[count];
            var i = 0;
            foreach (var property in root.EnumerateObject())
            {
                var propertyName = property.Name;
                if (Array.IndexOf(names, propertyName, 0, i) >= 0)
                {
                    return false;
                }

                names[i++] = propertyName;
            }

            i = 0;
            foreach (var property in root.EnumerateObject())
            {
                target.TryAdd(names[i++], ChatMessages.Node(property.Value));
            }

            if (count > 0)
            {
                json.Own(document);
                document = null;
            }

            return true;
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            // Not JSON, or text the general path handles (or fails on) its own way.
            return false;
        }
        finally
        {
            document?.Dispose();
        }
    }

    private static void MergeValue(JsonFields target, string name, JsonNode? value)
    {
        if (value is JsonObject obj)
        {
            foreach (var pair in obj.DetachAll())
            {
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
        public JsonFields Config { get; } = new();

        public JsonFields Inputs { get; } = new();

        public JsonFields Outputs { get; } = new();

        public JsonFields Metadata { get; } = new();

        public JsonFields Metrics { get; } = new();

        public JsonFields Feedback { get; } = new();

        public JsonFields UserProperties { get; } = new();

        public void Clear()
        {
            this.Config.Clear();
            this.Inputs.Clear();
            this.Outputs.Clear();
            this.Metadata.Clear();
            this.Metrics.Clear();
            this.Feedback.Clear();
            this.UserProperties.Clear();
        }
    }
}
