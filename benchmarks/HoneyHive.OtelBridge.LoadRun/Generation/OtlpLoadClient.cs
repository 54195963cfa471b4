// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using Grpc.Core;
using Grpc.Net.Client;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;

namespace HoneyHive.OtelBridge.LoadRun.Generation;

/// <summary>
/// An OTLP/gRPC client on its own HTTP/2 connection. It calls the same method as the generated
/// <c>TraceService.TraceServiceClient</c> (<c>opentelemetry.proto.collector.trace.v1.TraceService/Export</c>) but sends
/// bodies that are already serialized (<see cref="RequestTemplate"/>), so making a request costs a copy, not a
/// protobuf serialization; the response is decoded with the generated parser.
/// </summary>
internal sealed class OtlpLoadClient : IDisposable
{
    private static readonly Method<byte[], ExportTraceServiceResponse> Export = new(
        MethodType.Unary,
        "opentelemetry.proto.collector.trace.v1.TraceService",
        "Export",
        Marshallers.Create(static (byte[] body) => body, static body => body),
        Marshallers.Create(static (ExportTraceServiceResponse r) => Google.Protobuf.MessageExtensions.ToByteArray(r), ExportTraceServiceResponse.Parser.ParseFrom));

    private readonly GrpcChannel channel;
    private readonly CallInvoker invoker;

    public OtlpLoadClient(Uri address)
    {
        this.channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
            MaxSendMessageSize = null,
        });
        this.invoker = this.channel.CreateCallInvoker();
    }

    /// <summary>Sends one request; returns the status (OK, or the RPC's failure code).</summary>
    public async Task<StatusCode> SendAsync(byte[] body, CancellationToken cancellationToken)
    {
        try
        {
            using var call = this.invoker.AsyncUnaryCall(Export, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cancellationToken), body);
            var response = await call.ResponseAsync.ConfigureAwait(false);
            return response.PartialSuccess is { RejectedSpans: > 0 } ? StatusCode.DataLoss : StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }

    public void Dispose() => this.channel.Dispose();
}
