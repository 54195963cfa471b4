// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Implementation.Exporter;

/// <summary>One exported batch waiting in the <see cref="SpanIntake"/>: its span records, converted from the activities on
/// the export thread.</summary>
/// <param name="Spans">The span records.</param>
/// <param name="Logged">Whether the spans are in the durable log already (<c>BridgePipeline.TryLog</c>): the worker
/// hands them over with <c>BridgePipeline.AddLogged</c>, and if it never does, the next start replays them.</param>
internal sealed record IntakeBatch(IReadOnlyList<SpanRecord> Spans, bool Logged);
