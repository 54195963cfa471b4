// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Trace.V1;

namespace HoneyHive.OtelBridge.LoadRun.Generation;

/// <summary>
/// The load run's trace (<see cref="LoadTraces"/>: same names, kinds, attributes and parents) made as an app makes it,
/// through an <see cref="ActivitySource"/>: the root starts, the agent under it, then in turn a chat, a tool call (with
/// its outgoing HTTP call inside), a chat, a tool call, a chat, a tool call and a chat; each span ends before its parent,
/// the root last. Parents come from <see cref="Activity.Current"/>, as in an app.
/// </summary>
internal sealed class ActivityTraces
{
    private readonly ActivitySource source;
    private readonly (string Name, ActivityKind Kind, KeyValuePair<string, object?>[] Tags)[] spans;

    public ActivityTraces(ActivitySource source)
    {
        this.source = source;
        this.spans = new (string, ActivityKind, KeyValuePair<string, object?>[])[LoadTraces.SpansPerTrace + 1];
        for (var id = 1; id <= LoadTraces.SpansPerTrace; id++)
        {
            var (name, kind, _, attributes) = LoadTraces.Describe(id);
            this.spans[id] = (name, ToActivityKind(kind), attributes.Select(a => new KeyValuePair<string, object?>(a.Key, a.Value)).ToArray());
        }
    }

    /// <summary>Makes one trace; returns how many of its spans were recorded (10 with the SDK's default sampler).</summary>
    public int Make()
    {
        Activity.Current = null;
        var recorded = 0;
        var root = this.Start(1, ref recorded);
        var agent = this.Start(2, ref recorded);
        Stop(this.Start(3, ref recorded));
        var tool = this.Start(4, ref recorded);
        Stop(this.Start(10, ref recorded));
        Stop(tool);
        for (var id = 5; id <= 9; id++)
        {
            Stop(this.Start(id, ref recorded));
        }

        Stop(agent);
        Stop(root);
        return recorded;
    }

    private static void Stop(Activity? activity) => activity?.Stop();

    private static ActivityKind ToActivityKind(Span.Types.SpanKind kind) => kind switch
    {
        Span.Types.SpanKind.Server => ActivityKind.Server,
        Span.Types.SpanKind.Client => ActivityKind.Client,
        Span.Types.SpanKind.Producer => ActivityKind.Producer,
        Span.Types.SpanKind.Consumer => ActivityKind.Consumer,
        _ => ActivityKind.Internal,
    };

    private Activity? Start(int id, ref int recorded)
    {
        var (name, kind, tags) = this.spans[id];
        var activity = this.source.StartActivity(name, kind, parentContext: default, tags);
        if (activity is { Recorded: true })
        {
            recorded++;
        }

        return activity;
    }
}
