// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Implementation.Mapping;

/// <summary>
/// What one span says, in HoneyHive terms, before it is shaped into a request. Its object fields are
/// <see cref="FieldObject"/>s (<c>…Field</c>): an event takes them as they are; the <see cref="JsonObject"/> properties
/// make (once) and return the field's object, which a caller may change.
/// </summary>
internal sealed class MappedSpan
{
    public required string EventType { get; init; }

    public required string EventName { get; init; }

    public required string Source { get; init; }

    /// <summary>Gets the value of <c>honeyhive.session_name</c> (span, then resource), if any.</summary>
    public string? SessionName { get; init; }

    public required long StartTime { get; init; }

    public required long EndTime { get; init; }

    public required double Duration { get; init; }

    public required FieldObject ConfigField { get; init; }

    public JsonObject Config => this.ConfigField.Object;

    public required FieldObject InputsField { get; init; }

    public JsonObject Inputs => this.InputsField.Object;

    public required FieldObject OutputsField { get; init; }

    public JsonObject Outputs => this.OutputsField.Object;

    public required FieldObject MetadataField { get; init; }

    public JsonObject Metadata => this.MetadataField.Object;

    public required FieldObject MetricsField { get; init; }

    public JsonObject Metrics => this.MetricsField.Object;

    public required FieldObject FeedbackField { get; init; }

    public JsonObject Feedback => this.FeedbackField.Object;

    public required FieldObject UserPropertiesField { get; init; }

    public JsonObject UserProperties => this.UserPropertiesField.Object;

    public string? Error { get; init; }

    /// <summary>Gets the pooled documents the fields' values are read from (<see cref="AttributeJson.Own"/>), or
    /// <see langword="null"/>.</summary>
    public IReadOnlyList<JsonDocument>? Documents { get; init; }
}
