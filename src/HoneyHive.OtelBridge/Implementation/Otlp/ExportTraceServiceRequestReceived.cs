// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;

/// <summary>
/// The generated export request, with the protobuf bytes it was decoded from when the receiver kept them: the durable
/// log records those bytes as they are instead of encoding the spans again (which cost a tenth of the receiver's CPU).
/// </summary>
internal sealed partial class ExportTraceServiceRequest
{
    /// <summary>Gets or sets the bytes of the request (empty when not kept). They stay valid only while the request is
    /// being handled: the receiver lends them from a pool. The gRPC receiver's marshaller leaves the request's own
    /// fields empty and sets only these: the spans are read from them by <see cref="OtlpProtobufDecoder"/>.</summary>
    internal ArraySegment<byte> Received { get; set; }
}
