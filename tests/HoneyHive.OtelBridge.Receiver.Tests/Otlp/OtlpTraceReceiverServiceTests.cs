// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Receiver.Hosting;
using HoneyHive.OtelBridge.Receiver.Otlp;
using Microsoft.Extensions.Logging.Abstractions;

namespace HoneyHive.OtelBridge.Receiver.Tests.Otlp;

/// <summary>Tier (a): the gRPC service called directly, with a fake downstream and a test call context.</summary>
public sealed class OtlpTraceReceiverServiceTests
{
    [Fact]
    public async Task Export_EmptyRequest_SucceedsWithPartialSuccessUnset()
    {
        // Arrange
        var (service, ingress) = Create();

        // Act
        var response = await service.Export(new ExportTraceServiceRequest(), new TestServerCallContext());

        // Assert
        Assert.Null(response.PartialSuccess);
        Assert.Equal(0, ingress.Calls);
    }

    [Fact]
    public async Task Export_AllSpansGood_TakesThemAndAnswersFullSuccess()
    {
        // Arrange
        var (service, ingress) = Create();
        var (request, _) = OtlpRequests.RootWithChild();

        // Act
        var response = await service.Export(request, new TestServerCallContext());

        // Assert
        Assert.Null(response.PartialSuccess);
        Assert.Equal(2, ingress.Spans.Count);
    }

    [Fact]
    public async Task Export_GoodAndBadSpans_PartialSuccessCountsRejectedAndGoodOnesTaken()
    {
        // Arrange
        var (service, ingress) = Create();
        var traceId = OtlpRequests.NewTraceId();
        var good = OtlpRequests.Span(traceId, null, "good", 0, 10);
        var badTrace = OtlpRequests.Span(traceId, null, "bad-trace-id", 0, 10);
        badTrace.TraceId = ByteString.CopyFrom(new byte[16]);
        var badSpan = OtlpRequests.Span(traceId, null, "bad-span-id", 0, 10);
        badSpan.SpanId = ByteString.CopyFrom(new byte[3]);

        // Act
        var response = await service.Export(OtlpRequests.Request(good, badTrace, badSpan), new TestServerCallContext());

        // Assert
        Assert.NotNull(response.PartialSuccess);
        Assert.Equal(2, response.PartialSuccess.RejectedSpans);
        Assert.False(string.IsNullOrEmpty(response.PartialSuccess.ErrorMessage));
        Assert.Equal("good", Assert.Single(ingress.Spans).Name);
    }

    [Fact]
    public async Task Export_BridgeCannotTakeMore_ThrowsUnavailableWithRetryInfoAndTakesNothing()
    {
        // Arrange
        var (service, ingress) = Create();
        ingress.Refuse = true;
        var (request, _) = OtlpRequests.RootWithChild();

        // Act
        var ex = await Assert.ThrowsAsync<RpcException>(() => service.Export(request, new TestServerCallContext()));

        // Assert
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        var status = ex.GetRpcStatus();
        Assert.NotNull(status);
        var retry = status.GetDetail<RetryInfo>();
        Assert.NotNull(retry);
        Assert.Equal(TimeSpan.FromSeconds(2), retry.RetryDelay.ToTimeSpan());
        Assert.Empty(ingress.Spans);
    }

    [Fact]
    public async Task Export_DecodedByTheMarshaller_HandsTheReceivedBytesOnAndLetsGoOfThemAfter()
    {
        // Arrange
        var (service, ingress) = Create();
        var (sent, _) = OtlpRequests.RootWithChild();
        var bytes = sent.ToByteArray();
        var request = OtlpTraceReceiverService.ExportMethod.RequestMarshaller.ContextualDeserializer(new BytesDeserializationContext(bytes));

        // Act
        var response = await service.Export(request, new TestServerCallContext());

        // Assert
        Assert.Null(response.PartialSuccess);
        Assert.Equal(bytes, Assert.Single(ingress.Encoded));
        Assert.Equal(2, ingress.Spans.Count);
        Assert.Null(request.Received.Array);
    }

    [Fact]
    public async Task Export_SomeSpansRejected_HandsOnTheSpansWithoutTheReceivedBytes()
    {
        // Arrange: the bytes hold a span the bridge does not take, so they are not what it took.
        var (service, ingress) = Create();
        var traceId = OtlpRequests.NewTraceId();
        var bad = OtlpRequests.Span(traceId, null, "bad-span-id", 0, 10);
        bad.SpanId = ByteString.CopyFrom(new byte[3]);
        var bytes = OtlpRequests.Request(OtlpRequests.Span(traceId, null, "good", 0, 10), bad).ToByteArray();
        var request = OtlpTraceReceiverService.ExportMethod.RequestMarshaller.ContextualDeserializer(new BytesDeserializationContext(bytes));

        // Act
        var response = await service.Export(request, new TestServerCallContext());

        // Assert
        Assert.Equal(1, response.PartialSuccess.RejectedSpans);
        Assert.Equal("good", Assert.Single(ingress.Spans).Name);
        Assert.Empty(ingress.Encoded);
    }

    [Fact]
    public async Task Export_DecodedByTheMarshaller_AppliesTheReceiversLimitsAsTheGeneratedRequestDoes()
    {
        // Arrange: the marshaller keeps only the bytes; Export reads the spans from them within the receiver's limits.
        var options = new OtlpReceiverOptions { Limits = new OtlpReceiverLimits { MaxSpansPerRequest = 1 } };
        var ingress = new RecordingSpanIngress();
        var service = new OtlpTraceReceiverService(new OtlpTraceExport(ingress, NullLoggerFactory.Instance, options), options);
        var (sent, _) = OtlpRequests.RootWithChild();
        var request = OtlpTraceReceiverService.ExportMethod.RequestMarshaller.ContextualDeserializer(new BytesDeserializationContext(sent.ToByteArray()));
        var expected = await new OtlpTraceReceiverService(new OtlpTraceExport(new RecordingSpanIngress(), NullLoggerFactory.Instance, options), options)
            .Export(sent, new TestServerCallContext());

        // Act
        var response = await service.Export(request, new TestServerCallContext());

        // Assert
        Assert.Equal(1, response.PartialSuccess.RejectedSpans);
        Assert.Equal(expected.PartialSuccess, response.PartialSuccess);
        Assert.Single(ingress.Spans);
        Assert.Empty(ingress.Encoded);
    }

    [Fact]
    public void Deserialize_NotProtobuf_ThrowsInvalidArgument()
    {
        // Arrange
        var context = new BytesDeserializationContext([0xFF, 0xFF, 0xFF]);

        // Act
        var ex = Assert.Throws<RpcException>(() => OtlpTraceReceiverService.ExportMethod.RequestMarshaller.ContextualDeserializer(context));

        // Assert
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
    }

    private static (OtlpTraceReceiverService Service, RecordingSpanIngress Ingress) Create()
    {
        var ingress = new RecordingSpanIngress();
        var options = new OtlpReceiverOptions { RetryDelay = TimeSpan.FromSeconds(2) };
        var export = new OtlpTraceExport(ingress, NullLoggerFactory.Instance);
        return (new OtlpTraceReceiverService(export, options), ingress);
    }

    private sealed class BytesDeserializationContext(byte[] bytes) : DeserializationContext
    {
        public override int PayloadLength => bytes.Length;

        public override byte[] PayloadAsNewBuffer() => [.. bytes];

        public override System.Buffers.ReadOnlySequence<byte> PayloadAsReadOnlySequence() => new(bytes);
    }
}
