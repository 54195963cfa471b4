// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;

namespace HoneyHive.OtelBridge.Benchmarks.Workloads;

/// <summary>
/// Finished activities for the exporter benchmarks: traces of <see cref="SpansPerTrace"/> spans (a root and its
/// children, children stopped first), every span either a GenAI chat span (20 tags, a 2 KB prompt and a 2 KB completion
/// in <c>gen_ai.input.messages</c> / <c>gen_ai.output.messages</c>) or a plain HTTP client span (10 tags). Each call
/// makes new trace ids, so an exporter never sees a trace twice.
/// </summary>
internal sealed class BenchmarkActivities : IDisposable
{
    public const int SpansPerTrace = 10;

    private static readonly string InputMessages =
        "[{\"role\":\"system\",\"parts\":[{\"type\":\"text\",\"content\":\"You are a checkout assistant.\"}]}," +
        "{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"" + BenchmarkSpans.Prose + "\"}]}]";

    private static readonly string OutputMessages =
        "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"" + BenchmarkSpans.Prose + "\"}],\"finish_reason\":\"stop\"}]";

    private readonly ActivitySource source = new("HoneyHive.OtelBridge.Benchmarks");
    private readonly ActivityListener listener;

    public BenchmarkActivities()
    {
        this.listener = new ActivityListener
        {
            ShouldListenTo = s => ReferenceEquals(s, this.source),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(this.listener);
    }

    /// <summary>Makes <paramref name="traces"/> new traces; the activities come children first, then the root.</summary>
    public Activity[] Traces(int traces, bool chat)
    {
        var previous = Activity.Current;
        Activity.Current = null;
        var result = new List<Activity>(traces * SpansPerTrace);
        for (var t = 0; t < traces; t++)
        {
            using var root = this.Start(chat, default)!;
            for (var i = 1; i < SpansPerTrace; i++)
            {
                var child = this.Start(chat, root.Context)!;
                child.Stop();
                result.Add(child);
            }

            root.Stop();
            result.Add(root);
        }

        Activity.Current = previous;
        return [.. result];
    }

    public void Dispose()
    {
        this.listener.Dispose();
        this.source.Dispose();
    }

    private Activity? Start(bool chat, ActivityContext parent)
    {
        if (!chat)
        {
            var http = this.source.StartActivity("POST", ActivityKind.Client, parent);
            http?.SetTag("http.request.method", "POST")
                .SetTag("url.full", "https://inventory.example.com/api/items/4711/reserve")
                .SetTag("url.scheme", "https")
                .SetTag("server.address", "inventory.example.com")
                .SetTag("server.port", 443)
                .SetTag("http.response.status_code", 200)
                .SetTag("network.protocol.version", "1.1")
                .SetTag("network.peer.address", "198.51.100.23")
                .SetTag("http.request.body.size", 512)
                .SetTag("http.response.body.size", 1024);
            return http;
        }

        var activity = this.source.StartActivity("chat gpt-4o", ActivityKind.Client, parent);
        activity?.SetTag("gen_ai.operation.name", "chat")
            .SetTag("gen_ai.provider.name", "openai")
            .SetTag("gen_ai.request.model", "gpt-4o")
            .SetTag("gen_ai.request.temperature", 0.2)
            .SetTag("gen_ai.request.max_tokens", 1024)
            .SetTag("gen_ai.request.top_p", 0.9)
            .SetTag("gen_ai.request.frequency_penalty", 0.0)
            .SetTag("gen_ai.request.presence_penalty", 0.0)
            .SetTag("gen_ai.request.seed", 42)
            .SetTag("gen_ai.response.model", "gpt-4o-2024-08-06")
            .SetTag("gen_ai.response.id", "chatcmpl-9x8y7z6w5v4u3t2s1r0q")
            .SetTag("gen_ai.response.finish_reasons", new[] { "stop" })
            .SetTag("gen_ai.usage.input_tokens", 512)
            .SetTag("gen_ai.usage.output_tokens", 256)
            .SetTag("gen_ai.input.messages", InputMessages)
            .SetTag("gen_ai.output.messages", OutputMessages)
            .SetTag("gen_ai.output.type", "text")
            .SetTag("server.address", "api.openai.com")
            .SetTag("server.port", 443)
            .SetTag("gen_ai.agent.name", "checkout-assistant");
        return activity;
    }
}
