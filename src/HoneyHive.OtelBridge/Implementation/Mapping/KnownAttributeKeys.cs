// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Runtime.CompilerServices;

namespace HoneyHive.OtelBridge.Implementation.Mapping;

/// <summary>
/// The whole attribute keys the mapper asks about, each with a small id, so that
/// <see cref="SpanAttributeReader"/> finds an attribute's id once (one hash lookup per attribute)
/// and answers a question by comparing ids instead of scanning keys.
/// </summary>
/// <remarks>
/// <para>
/// The keys sit in an open-addressing table hashed on the key's length and four of its characters
/// (most keys share long prefixes, so a hash of the whole text, as <c>FrozenDictionary</c> chose,
/// cost more than all the rest of the lookup: 13 % of mapping an HTTP span in a perf profile); a slot
/// is confirmed by reference (the mapper asks with the same literals) or by comparing the text.
/// </para>
/// <para>
/// Only speed depends on this list: a key missing here is still found (by comparing text), so a
/// new key the mapper asks works before it is added.
/// </para>
/// </remarks>
internal static class KnownAttributeKeys
{
    /// <summary>The keys, in id order.</summary>
    private static readonly string[] Keys =
    [
        // Identity and routing (SpanMapper.Map, SessionName).
        "honeyhive_event_type", "honeyhive.event_type", "honeyhive_event_name", "honeyhive.event_name",
        "honeyhive.source", "honeyhive.session_name", "honeyhive.session_id", "honeyhive.session_auto_create",
        "honeyhive.project", "honeyhive.parent_id", "llm.request.type",

        // Config.
        "gen_ai.request.model", "llm.request.model_name", "llm.model_name", "gen_ai.provider.name", "llm.provider",
        "llm.invocation_parameters", "gen_ai.tool.definitions", "llm.prompt_template.template",

        // Inputs and outputs.
        "gen_ai.input.messages", "gen_ai.system_instructions", "input.value", "traceloop.entity.input",
        "gen_ai.tool.call.arguments", "input.mime_type", "gen_ai.output.messages", "output.value",
        "traceloop.entity.output", "gen_ai.tool.call.result", "output.mime_type",

        // Metadata (SpanMapper.MetadataMap and the keys after it).
        "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt",
        "gen_ai.usage.completion_tokens", "llm.token_count.completion", "gen_ai.usage.total_tokens", "llm.token_count.total",
        "llm.usage.total_tokens", "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens",
        "llm.token_count.prompt_details.cache_read", "gen_ai.usage.cache_creation.input_tokens",
        "gen_ai.usage.cache_write_input_tokens", "gen_ai.usage.cache_creation_input_tokens",
        "llm.token_count.prompt_details.cache_write", "gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens",
        "llm.token_count.completion_details.reasoning", "gen_ai.usage.cost", "llm.cost.total", "gen_ai.response.model",
        "llm.response.model_name", "gen_ai.response.id", "gen_ai.system", "llm.system", "gen_ai.operation.name",
        "gen_ai.agent.name", "gen_ai.agent.id", "gen_ai.agent.description", "gen_ai.tool.name", "tool.name",
        "gen_ai.tool.call.id", "gen_ai.tool.description", "tool.description", "gen_ai.tool.type", "gen_ai.conversation.id",
        "session.id", "user.id", "openinference.span.kind", "traceloop.span.kind", "gen_ai.response.finish_reasons",
        "gen_ai.response.finish_reason", "llm.finish_reason", "metadata", "service.name",

        // Errors (the span's and the exception event's).
        "honeyhive_error", "honeyhive_error_type", "error.type", "exception.type", "exception.message",
        "exception.stacktrace", "exception.escaped",

        // HoneyHive SDK buckets, whole-object form.
        "honeyhive_inputs", "honeyhive_outputs", "honeyhive_config", "honeyhive_metadata", "honeyhive_metrics",
        "honeyhive_feedback", "honeyhive_user_properties",
    ];

    /// <summary>Slots of the table: a power of two, about four times the keys, so probes stay short.</summary>
    private const int TableSize = 512;

    private static readonly string?[] Table = new string?[TableSize];

    private static readonly int[] TableIds = new int[TableSize];

    static KnownAttributeKeys()
    {
        for (var id = 0; id < Keys.Length; id++)
        {
            var slot = Hash(Keys[id]) & (TableSize - 1);
            while (Table[slot] is not null)
            {
                slot = (slot + 1) & (TableSize - 1);
            }

            Table[slot] = Keys[id];
            TableIds[slot] = id;
        }
    }

    /// <summary>Gets the number of known keys (ids run from 0 to this minus one).</summary>
    public static int Count => Keys.Length;

    /// <summary>Gets the id of a known key, or -1.</summary>
    /// <param name="key">The attribute key.</param>
    /// <returns>The id, or -1 when the mapper never asks for the key by name.</returns>
    public static int IdOf(string key)
    {
        if (key.Length == 0)
        {
            return -1;
        }

        var slot = Hash(key) & (TableSize - 1);
        while (Table[slot] is { } candidate)
        {
            if (ReferenceEquals(candidate, key)
                || (candidate.Length == key.Length && string.Equals(candidate, key, StringComparison.Ordinal)))
            {
                return TableIds[slot];
            }

            slot = (slot + 1) & (TableSize - 1);
        }

        return -1;
    }

    /// <summary>Gets the bit of a known key's id in a 128-bit presence mask (id modulo 128).</summary>
    /// <param name="id">The id.</param>
    /// <returns>The bit.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static UInt128 Bit(int id) => UInt128.One << (id & 127);

    /// <summary>Gets the presence mask of some known keys (for <see cref="SpanAttributeReader.MayHaveAny"/>).</summary>
    /// <param name="keys">The keys; each must be known.</param>
    /// <returns>The mask.</returns>
    public static UInt128 Mask(params ReadOnlySpan<string> keys)
    {
        UInt128 mask = 0;
        foreach (var key in keys)
        {
            var id = IdOf(key);
            if (id < 0)
            {
                throw new ArgumentException($"'{key}' is not a known attribute key.", nameof(keys));
            }

            mask |= Bit(id);
        }

        return mask;
    }

    /// <summary>The longest probe sequence of a known key (for tests: the table stays well spread).</summary>
    /// <returns>The number of slots looked at, at most, to find a known key.</returns>
    internal static int LongestProbe()
    {
        var longest = 0;
        foreach (var key in Keys)
        {
            var probes = 1;
            var slot = Hash(key) & (TableSize - 1);
            while (!ReferenceEquals(Table[slot], key))
            {
                slot = (slot + 1) & (TableSize - 1);
                probes++;
            }

            longest = Math.Max(longest, probes);
        }

        return longest;
    }

    /// <summary>
    /// A hash of a non-empty key's length, last two characters, middle character and eighth character
    /// (or first): over the keys above, at most three probes, 1.1 on average.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(string key)
    {
        var length = key.Length;
        var h = (uint)length * 0x9E3779B1u;
        h = (h ^ key[length - 1]) * 0x85EBCA77u;
        h = (h ^ key[length > 1 ? length - 2 : 0]) * 0xC2B2AE3Du;
        h = (h ^ key[length >> 1]) * 0x27D4EB2Fu;
        h = (h ^ key[length > 7 ? 7 : 0]) * 0x165667B1u;
        return (int)(h >> 16);
    }
}
