// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// Source-generated JSON for the API models: absent values are omitted (never <c>null</c>),
/// numbers stay numbers.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    WriteIndented = false)]
[JsonSerializable(typeof(SessionStartRequest))]
[JsonSerializable(typeof(EventRequest))]
[JsonSerializable(typeof(SessionEventBatchRequest))]
[JsonSerializable(typeof(EventBatchRequest))]
[JsonSerializable(typeof(EventUpdateRequest))]
[JsonSerializable(typeof(EventBatchResponse))]
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class HoneyHiveJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Gets the context the bridge serializes with: the options above, and text as UTF-8 where the serializer makes
    /// its own writer (<see cref="ApiJsonWriterOptions"/>; the bridge's own writers have it). The options are stated
    /// again, not copied from <see cref="JsonSerializerContext.Options"/> of <c>Default</c>: static initializers of the
    /// generated and this part of the class run in no set order (a test checks they agree).
    /// </summary>
    public static HoneyHiveJsonContext Api { get; } = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.Strict,
        WriteIndented = false,
        Encoder = ApiJsonWriterOptions.Encoder,
    });
}
