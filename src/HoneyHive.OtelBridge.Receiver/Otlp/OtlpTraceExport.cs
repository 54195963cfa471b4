// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation;
using HoneyHive.OtelBridge.Implementation.Otlp;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Receiver.Hosting;
using Microsoft.Extensions.Logging;

namespace HoneyHive.OtelBridge.Receiver.Otlp;

/// <summary>
/// What both front doors do with a decoded export request: convert its spans, hand the good ones to the bridge,
/// and build the OTLP answer. Spans with bad ids are counted in <c>partial_success</c> while the rest go through; when
/// the bridge cannot take more, nothing is taken and the caller answers with a retryable status.
/// </summary>
internal sealed class OtlpTraceExport : IDisposable
{
    /// <summary>The <see cref="BridgeMetrics.ReasonTag"/> of spans rejected for bad ids (counted in <c>partial_success</c>).</summary>
    internal const string InvalidSpanReason = "invalid_span";

    private readonly ISpanIngress ingress;
    private readonly OtlpConversionLimits limits;
    private readonly ILogger logger;
    private readonly int maxConcurrentExports;

    // Export requests admitted by TryBegin and not yet ended, both front doors together.
    private int exportsInProgress;

    public OtlpTraceExport(ISpanIngress ingress, ILoggerFactory loggerFactory, OtlpReceiverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(ingress);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        this.ingress = ingress;
        options ??= new OtlpReceiverOptions();
        this.limits = options.Limits.ToConversionLimits();
        this.maxConcurrentExports = options.MaxConcurrentExports;
        this.logger = loggerFactory.CreateLogger(ReceiverLog.Category);
        BridgeMetrics.TrackExports(this, () => this.ExportsInProgress);
    }

    /// <summary>Gets the export requests being worked on now (admitted by <see cref="TryBegin"/>, not yet ended).</summary>
    public int ExportsInProgress => Volatile.Read(ref this.exportsInProgress);

    /// <summary>
    /// Admits one export request before its body is read, or refuses it (counted in
    /// <c>honeyhive.bridge.requests.refused</c> and logged, with the reason): while the bridge cannot take more
    /// (<see cref="ISpanIngress.IsSaturated"/>, <see cref="BridgeMetrics.SaturatedReason"/>), or while
    /// <see cref="OtlpReceiverOptions.MaxConcurrentExports"/> requests are being worked on
    /// (<see cref="BridgeMetrics.ConcurrencyLimitReason"/>). The front door answers a refusal with a retryable status
    /// and, once an admitted request is answered, calls <see cref="End"/>.
    /// </summary>
    /// <param name="frontDoor">The front door (<see cref="OtlpFrontDoor"/>).</param>
    /// <returns>Whether the request was admitted.</returns>
    public bool TryBegin(string frontDoor)
    {
        if (this.ingress.IsSaturated)
        {
            BridgeMetrics.RequestRefused(frontDoor, BridgeMetrics.SaturatedReason);
            ReceiverLog.ExportRefusedUnread(this.logger, frontDoor);
            return false;
        }

        if (Interlocked.Increment(ref this.exportsInProgress) > this.maxConcurrentExports)
        {
            Interlocked.Decrement(ref this.exportsInProgress);
            BridgeMetrics.RequestRefused(frontDoor, BridgeMetrics.ConcurrencyLimitReason);
            ReceiverLog.ExportRefusedBusy(this.logger, frontDoor, this.maxConcurrentExports);
            return false;
        }

        return true;
    }

    /// <summary>Ends an export request admitted by <see cref="TryBegin"/>, however it was answered.</summary>
    public void End() => Interlocked.Decrement(ref this.exportsInProgress);

    /// <summary>Stops counting this receiver's requests in the <c>honeyhive.bridge.exports.in_progress</c> gauge.</summary>
    public void Dispose() => BridgeMetrics.UntrackExports(this);

    /// <summary>Reads the spans of a protobuf-encoded request within the receiver's limits, straight from its bytes
    /// (<see cref="OtlpProtobufDecoder"/>).</summary>
    /// <param name="protobuf">The bytes of an <c>ExportTraceServiceRequest</c>.</param>
    /// <returns>The spans taken, and the count and reasons of those rejected.</returns>
    /// <exception cref="Google.Protobuf.InvalidProtocolBufferException">The bytes are not a valid request.</exception>
    public OtlpConversionResult Decode(ReadOnlySpan<byte> protobuf) => OtlpProtobufDecoder.Decode(protobuf, this.limits);

    /// <summary>Reads the spans of a protobuf-encoded request that <see cref="OtlpProtobufDecoder.ThrowIfInvalid"/>
    /// accepted (the gRPC marshaller's check), without checking it again.</summary>
    /// <param name="protobuf">The checked bytes of an <c>ExportTraceServiceRequest</c>.</param>
    /// <returns>The spans taken, and the count and reasons of those rejected.</returns>
    public OtlpConversionResult DecodeChecked(ReadOnlySpan<byte> protobuf) => OtlpProtobufDecoder.DecodeChecked(protobuf, this.limits);

    /// <summary>Reads the spans of a decoded request (OTLP/JSON) within the receiver's limits.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The spans taken, and the count and reasons of those rejected.</returns>
    public OtlpConversionResult Convert(ExportTraceServiceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.ToSpanRecords(this.limits);
    }

    /// <summary>Takes the spans of one request.</summary>
    /// <param name="request">The decoded request.</param>
    /// <param name="frontDoor">The front door (<see cref="OtlpFrontDoor"/>), for logs.</param>
    /// <param name="encoded">The protobuf bytes the request was decoded from, when the front door has them (empty
    /// otherwise). Handed on only when every span was taken, so that they hold exactly the spans accepted.</param>
    /// <returns>The response to send; <see langword="null"/> when the bridge took nothing and the client must retry.</returns>
    public ExportTraceServiceResponse? TryExport(ExportTraceServiceRequest request, string frontDoor, ReadOnlySpan<byte> encoded = default)
        => this.TryExport(this.Convert(request), frontDoor, encoded);

    /// <summary>Takes the spans of one request, read by <see cref="Decode"/> or <see cref="Convert"/>.</summary>
    /// <param name="result">The spans of the request and its rejections.</param>
    /// <param name="frontDoor">The front door (<see cref="OtlpFrontDoor"/>), for logs.</param>
    /// <param name="encoded">The protobuf bytes the spans were read from, when the front door has them (empty
    /// otherwise). Handed on only when every span was taken, so that they hold exactly the spans accepted.</param>
    /// <returns>The response to send; <see langword="null"/> when the bridge took nothing and the client must retry.</returns>
    public ExportTraceServiceResponse? TryExport(OtlpConversionResult result, string frontDoor, ReadOnlySpan<byte> encoded = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        BridgeMetrics.SpansReceived(frontDoor, result.Spans.Count + result.RejectedSpans);
        // The bytes hold every span of the request: they stand for the spans taken only when none was rejected.
        var encodedTaken = result.RejectedSpans == 0 ? encoded : default;
        if (result.Spans.Count > 0 && !(encodedTaken.IsEmpty ? this.ingress.TryAccept(result.Spans) : this.ingress.TryAccept(result.Spans, encodedTaken)))
        {
            BridgeMetrics.SpansRejected(frontDoor, BridgeMetrics.SaturatedReason, result.Spans.Count + result.RejectedSpans);
            ReceiverLog.ExportRefused(this.logger, frontDoor, result.Spans.Count + result.RejectedSpans);
            return null;
        }

        if (result.RejectedSpans > 0)
        {
            BridgeMetrics.SpansRejected(frontDoor, InvalidSpanReason, result.RejectedSpans);
            ReceiverLog.SpansRejected(this.logger, frontDoor, result.RejectedSpans, result.Spans.Count, result.ErrorMessage ?? string.Empty);
        }

        BridgeMetrics.SpansAccepted(frontDoor, result.Spans.Count);
        ReceiverLog.ExportAccepted(this.logger, frontDoor, result.Spans.Count);
        return result.ToExportResponse();
    }
}
