// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Google.Protobuf;
using HoneyHive.OtelBridge.Implementation;
using HoneyHive.OtelBridge.Receiver.Hosting;
using HoneyHive.OtelBridge.Receiver.Otlp;
using Microsoft.Extensions.Logging.Abstractions;

namespace HoneyHive.OtelBridge.Receiver.Tests.Otlp;

/// <summary>The shared export path's self-telemetry (Meter <c>HoneyHive.OtelBridge</c>, tag <c>front_door</c>).</summary>
[Collection("NonParallel")]
public sealed class OtlpTraceExportTests
{
    [Theory]
    [InlineData(OtlpFrontDoor.Grpc)]
    [InlineData(OtlpFrontDoor.Http)]
    public void TryExport_GoodAndBadSpans_CountsReceivedAcceptedRejectedByFrontDoor(string frontDoor)
    {
        // Arrange
        var measurements = Listen(out var listener);
        using (listener)
        {
            var export = new OtlpTraceExport(new RecordingSpanIngress(), NullLoggerFactory.Instance);
            var traceId = OtlpRequests.NewTraceId();
            var bad = OtlpRequests.Span(traceId, null, "bad", 0, 1);
            bad.SpanId = ByteString.CopyFrom(new byte[8]);
            var request = OtlpRequests.Request(OtlpRequests.Span(traceId, null, "a", 0, 1), OtlpRequests.Span(traceId, null, "b", 0, 1), bad);

            // Act
            var response = export.TryExport(request, frontDoor);

            // Assert
            Assert.NotNull(response);
            Assert.Equal(3, Sum(measurements, BridgeMetrics.SpansReceivedName, frontDoor));
            Assert.Equal(2, Sum(measurements, BridgeMetrics.SpansAcceptedName, frontDoor));
            Assert.Equal(1, Sum(measurements, BridgeMetrics.SpansRejectedName, frontDoor, OtlpTraceExport.InvalidSpanReason));
        }
    }

    [Fact]
    public void TryExport_Refused_CountsSaturatedAndReturnsNull()
    {
        // Arrange
        var measurements = Listen(out var listener);
        using (listener)
        {
            var export = new OtlpTraceExport(new RecordingSpanIngress { Refuse = true }, NullLoggerFactory.Instance);
            var (request, _) = OtlpRequests.RootWithChild();

            // Act
            var response = export.TryExport(request, OtlpFrontDoor.Http);

            // Assert
            Assert.Null(response);
            Assert.Equal(2, Sum(measurements, BridgeMetrics.SpansRejectedName, OtlpFrontDoor.Http, BridgeMetrics.SaturatedReason));
            Assert.Equal(0, Sum(measurements, BridgeMetrics.SpansAcceptedName, OtlpFrontDoor.Http));
        }
    }

    [Fact]
    public void TryBegin_MaxConcurrentExportsInProgress_RefusedAndCountedUntilOneEnds()
    {
        // Arrange
        var measurements = Listen(out var listener);
        using (listener)
        {
            using var export = new OtlpTraceExport(new RecordingSpanIngress(), NullLoggerFactory.Instance, new OtlpReceiverOptions { MaxConcurrentExports = 2 });

            // Act
            var first = export.TryBegin(OtlpFrontDoor.Grpc);
            var second = export.TryBegin(OtlpFrontDoor.Http);
            var third = export.TryBegin(OtlpFrontDoor.Grpc);
            var inProgressAtTheLimit = export.ExportsInProgress;
            export.End();
            var afterOneEnded = export.TryBegin(OtlpFrontDoor.Http);

            // Assert
            Assert.Equal((true, true, false, true), (first, second, third, afterOneEnded));
            Assert.Equal(2, inProgressAtTheLimit);
            Assert.Equal(2, export.ExportsInProgress);
            Assert.Equal(1, Sum(measurements, BridgeMetrics.RequestsRefusedName, OtlpFrontDoor.Grpc, BridgeMetrics.ConcurrencyLimitReason));
            Assert.Equal(0, Sum(measurements, BridgeMetrics.RequestsRefusedName, OtlpFrontDoor.Http));
        }
    }

    [Fact]
    public void TryBegin_BridgeSaturated_RefusedAsSaturatedWithoutTakingAPlace()
    {
        // Arrange
        var measurements = Listen(out var listener);
        using (listener)
        {
            var ingress = new RecordingSpanIngress { Saturated = true };
            using var export = new OtlpTraceExport(ingress, NullLoggerFactory.Instance, new OtlpReceiverOptions { MaxConcurrentExports = 1 });

            // Act
            var refused = export.TryBegin(OtlpFrontDoor.Http);
            ingress.Saturated = false;
            var admitted = export.TryBegin(OtlpFrontDoor.Http);

            // Assert
            Assert.False(refused);
            Assert.True(admitted);
            Assert.Equal(1, Sum(measurements, BridgeMetrics.RequestsRefusedName, OtlpFrontDoor.Http, BridgeMetrics.SaturatedReason));
            Assert.Equal(0, Sum(measurements, BridgeMetrics.RequestsRefusedName, OtlpFrontDoor.Http, BridgeMetrics.ConcurrencyLimitReason));
        }
    }

    private static ConcurrentBag<(string Name, long Value, Dictionary<string, object?> Tags)> Listen(out MeterListener listener)
    {
        var measurements = new ConcurrentBag<(string Name, long Value, Dictionary<string, object?> Tags)>();
        listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == BridgeMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();
        return measurements;
    }

    private static long Sum(IEnumerable<(string Name, long Value, Dictionary<string, object?> Tags)> measurements, string name, string frontDoor, string? reason = null) =>
        measurements
            .Where(m => m.Name == name && (string?)m.Tags[BridgeMetrics.FrontDoorTag] == frontDoor
                && (reason is null || (string?)m.Tags.GetValueOrDefault(BridgeMetrics.ReasonTag) == reason))
            .Sum(m => m.Value);
}
