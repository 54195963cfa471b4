// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Implementation.Spans;

namespace HoneyHive.OtelBridge.Implementation.Otlp;

/// <summary>
/// What converting one OTLP export request gave: the spans taken, and how many were rejected
/// and why. The receiver answers a request with rejections with OTLP <c>partial_success</c>.
/// </summary>
internal sealed class OtlpConversionResult
{
    public OtlpConversionResult(IReadOnlyList<SpanRecord> spans, int rejectedSpans, string? errorMessage)
    {
        this.Spans = spans;
        this.RejectedSpans = rejectedSpans;
        this.ErrorMessage = errorMessage;
    }

    /// <summary>Gets the spans that were taken, in request order.</summary>
    public IReadOnlyList<SpanRecord> Spans { get; }

    /// <summary>Gets the number of spans rejected.</summary>
    public int RejectedSpans { get; }

    /// <summary>Gets a human-readable English explanation of the rejections; <see langword="null"/> when none.</summary>
    public string? ErrorMessage { get; }

    /// <summary>
    /// Builds the OTLP response: <c>partial_success</c> is left unset when nothing was rejected
    /// (OTLP full success), and holds the count and explanation otherwise.
    /// </summary>
    /// <returns>The response to send.</returns>
    public ExportTraceServiceResponse ToExportResponse()
    {
        var response = new ExportTraceServiceResponse();
        if (this.RejectedSpans > 0 || !string.IsNullOrEmpty(this.ErrorMessage))
        {
            response.PartialSuccess = new ExportTracePartialSuccess
            {
                RejectedSpans = this.RejectedSpans,
                ErrorMessage = this.ErrorMessage ?? string.Empty,
            };
        }

        return response;
    }
}
