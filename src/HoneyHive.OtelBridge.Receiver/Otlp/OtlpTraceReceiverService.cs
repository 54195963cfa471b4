// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using HoneyHive.OtelBridge.Implementation.Otlp;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Receiver.Hosting;

namespace HoneyHive.OtelBridge.Receiver.Otlp;

/// <summary>
/// OTLP/gRPC <c>TraceService/Export</c>. Success (full or partial) when the spans were taken; <c>UNAVAILABLE</c> with
/// <c>RetryInfo</c> when the bridge cannot take more, so the client retries instead of dropping.
/// </summary>
/// <remarks>
/// The service binds itself (<see cref="BindService"/>, found by grpc-dotnet through the attribute, which overrides the
/// generated base's) so that its request marshaller answers an undecodable body with <c>INVALID_ARGUMENT</c> and
/// <c>BadRequest</c> details, as OTLP asks: with the generated marshaller grpc-dotnet answers <c>UNKNOWN</c>.
/// </remarks>
[BindServiceMethod(typeof(OtlpTraceReceiverService), nameof(BindService))]
internal sealed class OtlpTraceReceiverService : TraceService.TraceServiceBase
{
    /// <summary><c>opentelemetry.proto.collector.trace.v1.TraceService/Export</c> with the decoding marshaller.</summary>
    internal static readonly Method<ExportTraceServiceRequest, ExportTraceServiceResponse> ExportMethod = new(
        MethodType.Unary,
        ExportTraceServiceRequest.Descriptor.File.Services[0].FullName,
        "Export",
        Marshallers.Create(static (request, context) => context.Complete(request.ToByteArray()), DeserializeRequest),
        Marshallers.Create(static (response, context) => context.Complete(response.ToByteArray()), static context => ExportTraceServiceResponse.Parser.ParseFrom(context.PayloadAsReadOnlySequence())));

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
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            // From the marshaller the request holds only its bytes (checked there): the spans are read from them.
            var response = request.Received.Array is null
                ? this.export.TryExport(request, OtlpFrontDoor.Grpc)
                : this.export.TryExport(this.export.DecodeChecked(request.Received), OtlpFrontDoor.Grpc, request.Received);
            if (response is null)
            {
                throw OtlpErrorStatus.Unavailable(this.options.RetryDelay).ToRpcException();
            }

            return Task.FromResult(response);
        }
        finally
        {
            // The bytes were lent by the marshaller; everything that needed them (the durable log) is done.
            if (request.Received.Array is { } lent)
            {
                request.Received = default;
                ArrayPool<byte>.Shared.Return(lent);
            }
        }
    }

    /// <summary>Binds <see cref="Export"/> (called by grpc-dotnet's service discovery). The parameter is typed as the
    /// generated base, because grpc-dotnet matches the handler to the base method that this type declares.</summary>
    /// <param name="binder">The binder.</param>
    /// <param name="service">The service (null when only the method list is wanted).</param>
    public static void BindService(ServiceBinderBase binder, TraceService.TraceServiceBase? service)
    {
        ArgumentNullException.ThrowIfNull(binder);
        binder.AddMethod(ExportMethod, service is null ? null : service.Export);
    }

    /// <summary>Checks the request's bytes and keeps a pooled copy of them in an otherwise empty request (<see
    /// cref="ExportTraceServiceRequest.Received"/>) until <see cref="Export"/> returns them: <see cref="Export"/> reads
    /// the spans straight from them (<see cref="OtlpProtobufDecoder"/>, within the receiver's limits, which this static
    /// marshaller does not know), and the durable log records them as they are. An undecodable body is refused here,
    /// as before, with <c>INVALID_ARGUMENT</c>.</summary>
    private static ExportTraceServiceRequest DeserializeRequest(DeserializationContext context)
    {
        var payload = context.PayloadAsReadOnlySequence();
        var length = checked((int)payload.Length);
        var lent = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            payload.CopyTo(lent);
            OtlpProtobufDecoder.ThrowIfInvalid(lent.AsSpan(0, length));
            return new ExportTraceServiceRequest { Received = new ArraySegment<byte>(lent, 0, length) };
        }
        catch (InvalidProtocolBufferException ex)
        {
            ArrayPool<byte>.Shared.Return(lent);
            throw OtlpErrorStatus.InvalidArgument("The body is not a valid OTLP ExportTraceServiceRequest: " + ex.Message).ToRpcException();
        }
    }
}
