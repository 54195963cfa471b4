// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using Grpc.Core;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Receiver.Hosting;

namespace HoneyHive.OtelBridge.Receiver.Otlp;

/// <summary>
/// OTLP/gRPC <c>TraceService/Export</c>. Success (full or partial) when the spans were taken; <c>UNAVAILABLE</c> with
/// <c>RetryInfo</c> when the bridge cannot take more, so the client retries instead of dropping.
/// </summary>
internal sealed class OtlpTraceReceiverService : TraceService.TraceServiceBase
{
    private readonly OtlpTraceExport export;
    private readonly OtlpReceiverOptions options;

    public OtlpTraceReceiverService(OtlpTraceExport export, OtlpReceiverOptions options)
    {
        ArgumentNullException.ThrowIfNull(export);
        ArgumentNullException.ThrowIfNull(options);
        this.export = export;
        this.options = options;
    }

    /// <inheritdoc/>
    public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
    {
        var response = this.export.TryExport(request, OtlpFrontDoor.Grpc);
        if (response is null)
        {
            throw OtlpErrorStatus.Unavailable(this.options.RetryDelay).ToRpcException();
        }

        return Task.FromResult(response);
    }
}
