// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// A property value of an event field that writes its JSON straight from what it was read from (a parsed document),
/// and becomes a <see cref="JsonNode"/> only when someone asks for one (<see cref="Node"/>): from then on the node is
/// the value, and a change made to it is what is written (as with <see cref="FieldObject.Object"/>). Held by a
/// <see cref="FieldValue"/>; not thread-safe, as a field is not.
/// </summary>
internal abstract class DeferredNode
{
    private JsonNode? made;
    private bool isMade;

    /// <summary>Gets the value as a node, made the first time (the same node every time after that).</summary>
    public JsonNode? Node
    {
        get
        {
            if (!this.isMade)
            {
                this.made = this.Make();
                this.isMade = true;
            }

            return this.made;
        }
    }

    /// <summary>Writes the value as <see cref="Node"/> writes itself with <paramref name="options"/>, without making
    /// the node when it was not made.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="options">The serializer's options (what a node's <c>WriteTo</c> is given).</param>
    public void WriteTo(Utf8JsonWriter writer, JsonSerializerOptions options)
    {
        if (!this.isMade)
        {
            this.Write(writer, options);
        }
        else if (this.made is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            this.made.WriteTo(writer, options);
        }
    }

    /// <summary>Makes the node (once; what the value held may be let go after).</summary>
    /// <returns>The node.</returns>
    protected abstract JsonNode? Make();

    /// <summary>Writes the bytes the node <see cref="Make"/> would make writes.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="options">The serializer's options.</param>
    protected abstract void Write(Utf8JsonWriter writer, JsonSerializerOptions options);
}
