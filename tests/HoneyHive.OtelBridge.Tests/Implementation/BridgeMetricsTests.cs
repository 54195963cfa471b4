// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using HoneyHive.OtelBridge.Implementation;

namespace HoneyHive.OtelBridge.Tests.Implementation;

[Collection("NonParallel")]
public sealed class BridgeMetricsTests
{
    [Fact]
    public void SpansRejected_Recorded_CarriesFrontDoorAndReasonTags()
    {
        // Arrange
        var measurements = new ConcurrentBag<(string Name, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener
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

        // Act
        BridgeMetrics.SpansReceived(BridgeMetrics.ExporterFrontDoor, 3);
        BridgeMetrics.SpansRejected(BridgeMetrics.OtlpGrpcFrontDoor, BridgeMetrics.SaturatedReason, 2);
        BridgeMetrics.CallsFailed("BadRequest", 1);

        // Assert
        Assert.Contains(measurements, m => m.Name == BridgeMetrics.SpansReceivedName && m.Value == 3 && (string?)m.Tags[BridgeMetrics.FrontDoorTag] == "exporter");
        Assert.Contains(measurements, m => m.Name == BridgeMetrics.SpansRejectedName && m.Value == 2
            && (string?)m.Tags[BridgeMetrics.FrontDoorTag] == "otlp_grpc" && (string?)m.Tags[BridgeMetrics.ReasonTag] == "saturated");
        Assert.Contains(measurements, m => m.Name == BridgeMetrics.CallsFailedName && (string?)m.Tags[BridgeMetrics.ReasonTag] == "BadRequest");
    }

    [Fact]
    public void QueueDepth_Observed_IsAnInstrumentOfTheMeter()
    {
        // Arrange
        var names = new List<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == BridgeMetrics.MeterName)
                {
                    names.Add(instrument.Name);
                }
            },
        };

        // Act
        listener.Start();
        BridgeMetrics.SpansAccepted(BridgeMetrics.ExporterFrontDoor, 0);

        // Assert
        Assert.Contains(BridgeMetrics.QueueDepthName, names);
        Assert.Contains(BridgeMetrics.RetriesName, names);
        Assert.Contains(BridgeMetrics.SessionsDeliveredName, names);
        Assert.Contains(BridgeMetrics.EventsDeliveredName, names);
    }

    [Fact]
    public void SpansRunByCaller_Recorded_IsTheExporterCallerRunsCounter()
    {
        // Arrange
        var measurements = new ConcurrentBag<(string Name, string? Unit, long Value)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == BridgeMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => measurements.Add((instrument.Name, instrument.Unit, value)));
        listener.Start();

        // Act
        BridgeMetrics.SpansRunByCaller(512);

        // Assert
        Assert.Contains(measurements, m => m.Name == "honeyhive.bridge.exporter.caller_runs" && m.Unit == "{span}" && m.Value == 512);
    }
}
