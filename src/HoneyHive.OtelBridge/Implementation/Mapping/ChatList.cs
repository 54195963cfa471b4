// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Implementation.Mapping;

/// <summary>
/// A list of chat messages as the mapper puts it in <c>chat_history</c>: nodes (the general path's messages, a system
/// message) and messages read from a parsed document (<see cref="ChatMessages.FromAttribute"/>'s usual case, see
/// <see cref="DocumentMessage"/>), which are written straight from the document: the bytes of the
/// <see cref="JsonArray"/> the general path builds, without building its objects. The array is made only when someone
/// asks for the node (<see cref="DeferredNode.Node"/>), node for node the one the general path gives.
/// </summary>
/// <remarks>
/// As a tree, each message of a chat span was a <see cref="JsonObject"/>, its dictionary and a node per property, made
/// once to be written once (about a tenth of what the exporter allocated a span). The list holds its nodes without a
/// parent: each belongs to it alone, as the general path's taken-over nodes do.
/// </remarks>
internal sealed class ChatList : DeferredNode
{
    private readonly List<object?> items;

    /// <summary>Initializes a new instance of the <see cref="ChatList"/> class, empty.</summary>
    /// <param name="capacity">The number of messages expected.</param>
    public ChatList(int capacity = 0)
    {
        this.items = new List<object?>(capacity);
    }

    /// <summary>Gets the number of messages.</summary>
    public int Count => this.items.Count;

    /// <summary>Takes over the items of an array (a normalized list, see <see cref="ChatMessages.ToList"/>): they move
    /// into the list, and the array is left empty.</summary>
    /// <param name="array">The array, or <see langword="null"/>.</param>
    /// <returns>The list, or <see langword="null"/> for no array.</returns>
    public static ChatList? Of(JsonArray? array)
    {
        if (array is null)
        {
            return null;
        }

        var nodes = new JsonNode?[array.Count];
        ((ICollection<JsonNode?>)array).CopyTo(nodes, 0);
        array.Clear();
        var list = new ChatList(nodes.Length);
        list.items.AddRange(nodes);
        return list;
    }

    /// <summary>Adds a node (one without a parent; it is the list's from now on).</summary>
    /// <param name="node">The node.</param>
    public void Add(JsonNode? node) => this.items.Add(node);

    /// <summary>Adds a message read from a document.</summary>
    /// <param name="message">The message.</param>
    public void Add(DocumentMessage message) => this.items.Add(message);

    /// <summary>Inserts a node (one without a parent) at <paramref name="index"/>.</summary>
    /// <param name="index">The index.</param>
    /// <param name="node">The node.</param>
    public void Insert(int index, JsonNode? node) => this.items.Insert(index, node);

    /// <summary>
    /// Removes <c>finish_reason</c> from every message that has one (not JSON <c>null</c>), as
    /// <c>message.Remove("finish_reason")</c> on each object of the array would, and gives the first: its string, or its
    /// JSON when it is not a string.
    /// </summary>
    /// <returns>The first finish reason, or <see langword="null"/>.</returns>
    public string? TakeFinishReasons()
    {
        string? first = null;
        foreach (var item in this.items)
        {
            string? reason = null;
            if (item is DocumentMessage message)
            {
                reason = message.TakeFinishReason();
            }
            else if (item is JsonObject obj && obj["finish_reason"] is { } node)
            {
                obj.Remove("finish_reason");
                reason = node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString();
            }

            first ??= reason;
        }

        return first;
    }

    /// <summary>
    /// Moves the properties of the only message into <paramref name="target"/>, in order (a present key keeps its place
    /// and takes the value), when the list holds exactly one message that is an object.
    /// </summary>
    /// <param name="target">The field.</param>
    /// <returns><see langword="true"/> when moved; the list must not be used afterwards.</returns>
    public bool TryMoveSingleInto(JsonFields target)
    {
        if (this.items.Count != 1)
        {
            return false;
        }

        switch (this.items[0])
        {
            case DocumentMessage message:
                message.MoveInto(target);
                return true;
            case JsonObject single:
                // Detach the properties all at once, then move them over in order.
                foreach (var pair in single.DetachAll())
                {
                    target[pair.Key] = pair.Value;
                }

                return true;
            default:
                return false;
        }
    }

    /// <inheritdoc/>
    protected override JsonNode? Make()
    {
        var nodes = new JsonNode?[this.items.Count];
        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i] = this.items[i] is DocumentMessage message ? message.ToObject() : (JsonNode?)this.items[i];
        }

        this.items.Clear();
        return new JsonArray(nodes);
    }

    /// <inheritdoc/>
    protected override void Write(Utf8JsonWriter writer, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var item in this.items)
        {
            switch (item)
            {
                case DocumentMessage message:
                    message.WriteTo(writer);
                    break;
                case JsonNode node:
                    node.WriteTo(writer, options);
                    break;
                default:
                    writer.WriteNullValue();
                    break;
            }
        }

        writer.WriteEndArray();
    }
}
