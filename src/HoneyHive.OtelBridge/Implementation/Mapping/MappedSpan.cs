// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Json.Nodes;

namespace HoneyHive.OtelBridge.Implementation.Mapping;

/// <summary>What one span says, in HoneyHive terms, before it is shaped into a request.</summary>
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

    public required JsonObject Config { get; init; }

    public required JsonObject Inputs { get; init; }

    public required JsonObject Outputs { get; init; }

    public required JsonObject Metadata { get; init; }

    public required JsonObject Metrics { get; init; }

    public required JsonObject Feedback { get; init; }

    public required JsonObject UserProperties { get; init; }

    public string? Error { get; init; }
}
