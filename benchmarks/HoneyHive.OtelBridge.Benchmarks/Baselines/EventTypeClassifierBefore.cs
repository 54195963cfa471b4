// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Benchmarks.Baselines;

/// <summary>
/// <c>EventTypeClassifier</c> as it was before it asked the span's <c>SpanAttributeReader</c>
/// (commit 8f98b5f): a scan of the attributes per signal. Kept only as part of the baseline of
/// <c>SpanMapperBenchmarks</c>.
/// </summary>
internal static class EventTypeClassifierBefore
{
    public static string Classify(IReadOnlyList<KeyValuePair<string, object?>> attributes)
    {
        string? Text(string key)
        {
            for (var i = attributes.Count - 1; i >= 0; i--)
            {
                if (attributes[i].Key == key)
                {
                    return attributes[i].Value as string;
                }
            }

            return null;
        }

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

        var hasModel = false;
        var hasTool = false;
        foreach (var pair in attributes)
        {
            hasModel |= pair.Key is "gen_ai.request.model" or "llm.model_name";
            hasTool |= pair.Key.StartsWith("gen_ai.tool.", StringComparison.Ordinal);
        }

        return hasModel ? EventTypes.Model : hasTool ? EventTypes.Tool : EventTypes.Chain;
    }
}
