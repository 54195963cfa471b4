// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.CommandLine;
using HoneyHive.OtelBridge.Receiver.Hosting;

namespace HoneyHive.OtelBridge.Receiver.Commands;

/// <summary>The limit flags of <c>serve</c> (defaults in <see cref="OtlpReceiverLimits"/>).</summary>
internal sealed class ServeLimitOptions
{
    private static readonly OtlpReceiverLimits Defaults = new();

    private readonly Option<int> maxSpansPerRequest = new("--max-spans-per-request")
    {
        Description = "Most spans taken from one request; the rest are rejected in partial_success.",
        DefaultValueFactory = _ => Defaults.MaxSpansPerRequest,
    };

    private readonly Option<int> maxAttributesPerSpan = new("--max-attributes-per-span")
    {
        Description = "Most attributes of one span; a span with more is rejected in partial_success.",
        DefaultValueFactory = _ => Defaults.MaxAttributesPerSpan,
    };

    private readonly Option<int> maxAttributeDepth = new("--max-attribute-depth")
    {
        Description = "Nesting depth of attribute values (arrays, key/value lists); deeper values become a marker.",
        DefaultValueFactory = _ => Defaults.MaxAttributeDepth,
    };

    private readonly Option<int> maxStringLength = new("--max-string-length")
    {
        Description = "Longest string sent to HoneyHive, in characters; longer ones are cut with a marker.",
        DefaultValueFactory = _ => Defaults.MaxStringLength,
    };

    private readonly Option<int> maxHeldSpansPerTrace = new("--max-held-spans-per-trace")
    {
        Description = "Most spans held for one trace waiting for its root; at that count the trace is sent with what is there.",
        DefaultValueFactory = _ => Defaults.MaxHeldSpansPerTrace,
    };

    private readonly Option<int> maxHeldSpans = new("--max-held-spans")
    {
        Description = "Most spans held in total waiting for their roots; past it the oldest traces are sent early.",
        DefaultValueFactory = _ => Defaults.MaxHeldSpans,
    };

    private ServeLimitOptions()
    {
    }

    public static ServeLimitOptions AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var options = new ServeLimitOptions();
        command.Options.Add(options.maxSpansPerRequest);
        command.Options.Add(options.maxAttributesPerSpan);
        command.Options.Add(options.maxAttributeDepth);
        command.Options.Add(options.maxStringLength);
        command.Options.Add(options.maxHeldSpansPerTrace);
        command.Options.Add(options.maxHeldSpans);
        return options;
    }

    /// <summary>Reads the flags.</summary>
    /// <param name="parseResult">The parse result.</param>
    /// <returns>The limits (validated).</returns>
    public OtlpReceiverLimits GetLimits(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var limits = new OtlpReceiverLimits
        {
            MaxSpansPerRequest = parseResult.GetValue(this.maxSpansPerRequest),
            MaxAttributesPerSpan = parseResult.GetValue(this.maxAttributesPerSpan),
            MaxAttributeDepth = parseResult.GetValue(this.maxAttributeDepth),
            MaxStringLength = parseResult.GetValue(this.maxStringLength),
            MaxHeldSpansPerTrace = parseResult.GetValue(this.maxHeldSpansPerTrace),
            MaxHeldSpans = parseResult.GetValue(this.maxHeldSpans),
        };
        limits.Validate();
        return limits;
    }
}
