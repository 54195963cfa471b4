// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Implementation.Mapping;

/// <summary>
/// Decides a span's HoneyHive event type. The first signal that gives an answer wins:
/// <list type="number">
/// <item><c>honeyhive_event_type</c> / <c>honeyhive.event_type</c> (<c>model</c>, <c>tool</c>, <c>chain</c>);</item>
/// <item><c>gen_ai.operation.name</c>: chat, text_completion, generate_content, embeddings → model;
/// execute_tool → tool; invoke_agent, create_agent, invoke_workflow, retrieval → chain;</item>
/// <item><c>openinference.span.kind</c>: LLM, EMBEDDING → model; TOOL → tool; CHAIN, AGENT,
/// RETRIEVER, RERANKER, GUARDRAIL, EVALUATOR, PROMPT → chain;</item>
/// <item><c>traceloop.span.kind</c> (tool → tool; workflow, task, agent → chain), then
/// <c>llm.request.type</c> (chat, completion, embedding, rerank → model);</item>
/// <item>a model attribute (<c>gen_ai.request.model</c>, <c>llm.model_name</c>) → model;</item>
/// <item>any <c>gen_ai.tool.*</c> attribute → tool;</item>
/// <item>otherwise chain.</item>
/// </list>
/// Unknown values fall through to the next signal. <c>gen_ai.agent.*</c> is never a signal: on a
/// chat span it only names the agent that made the call.
/// </summary>
internal static class EventTypeClassifier
{
    /// <summary>Decides the event type of the span whose attributes <paramref name="attributes"/> reads.</summary>
    /// <param name="attributes">The span's attributes (read without marking any used).</param>
    /// <returns>The event type.</returns>
    public static string Classify(SpanAttributeReader attributes)
    {
        // A repeated key's last value counts (the reader keeps it).
        string? Text(string key) => attributes.Peek(key) as string;

        var explicitType = (Text("honeyhive_event_type") ?? Text("honeyhive.event_type"))?.Trim().ToLowerInvariant();
        if (explicitType is EventTypes.Model or EventTypes.Tool or EventTypes.Chain)
        {
            return explicitType;
        }

        var fromOperation = Text("gen_ai.operation.name")?.Trim().ToLowerInvariant() switch
        {
            "chat" or "text_completion" or "generate_content" or "embeddings" => EventTypes.Model,
            "execute_tool" => EventTypes.Tool,
            "invoke_agent" or "create_agent" or "invoke_workflow" or "retrieval" => EventTypes.Chain,
            _ => null,
        };
        if (fromOperation is not null)
        {
            return fromOperation;
        }

        var fromOpenInference = Text("openinference.span.kind")?.Trim().ToUpperInvariant() switch
        {
            "LLM" or "EMBEDDING" => EventTypes.Model,
            "TOOL" => EventTypes.Tool,
            "CHAIN" or "AGENT" or "RETRIEVER" or "RERANKER" or "GUARDRAIL" or "EVALUATOR" or "PROMPT" => EventTypes.Chain,
            _ => null,
        };
        if (fromOpenInference is not null)
        {
            return fromOpenInference;
        }

        var fromTraceloop = Text("traceloop.span.kind")?.Trim().ToLowerInvariant() switch
        {
            "tool" => EventTypes.Tool,
            "workflow" or "task" or "agent" => EventTypes.Chain,
            _ => null,
        } ?? Text("llm.request.type")?.Trim().ToLowerInvariant() switch
        {
            "chat" or "completion" or "embedding" or "rerank" => EventTypes.Model,
            _ => null,
        };
        if (fromTraceloop is not null)
        {
            return fromTraceloop;
        }

        var hasModel = attributes.Has("gen_ai.request.model") || attributes.Has("llm.model_name");
        var hasTool = !hasModel && attributes.AnyKeyStartsWith("gen_ai.tool.");
        return hasModel ? EventTypes.Model : hasTool ? EventTypes.Tool : EventTypes.Chain;
    }
}
