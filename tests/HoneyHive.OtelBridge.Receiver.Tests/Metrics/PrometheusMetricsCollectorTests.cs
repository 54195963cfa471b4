// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics.Metrics;
using HoneyHive.OtelBridge.Receiver.Metrics;

namespace HoneyHive.OtelBridge.Receiver.Tests.Metrics;

public sealed class PrometheusMetricsCollectorTests
{
    [Theory]
    [InlineData("honeyhive.bridge.spans.accepted", "{span}", true, "honeyhive_bridge_spans_accepted_total")]
    [InlineData("honeyhive.bridge.delivery.latency", "ms", false, "honeyhive_bridge_delivery_latency_milliseconds")]
    [InlineData("honeyhive.bridge.log.size", "By", false, "honeyhive_bridge_log_size_bytes")]
    [InlineData("honeyhive.bridge.log.skipped_bytes", "By", true, "honeyhive_bridge_log_skipped_bytes_total")]
    [InlineData("honeyhive.bridge.delivery.queue_depth", "{call}", false, "honeyhive_bridge_delivery_queue_depth")]
    [InlineData("honeyhive.bridge.delivery.queue_size", "By", false, "honeyhive_bridge_delivery_queue_size_bytes")]
    public void PrometheusName_InstrumentNameAndUnit_PrometheusConvention(string name, string unit, bool counter, string expected)
    {
        // Act
        var prometheus = PrometheusMetricsCollector.PrometheusName(name, unit, counter);

        // Assert
        Assert.Equal(expected, prometheus);
    }

    [Fact]
    public void Scrape_CounterGaugeHistogram_TextExposition004()
    {
        // Arrange: a meter of this test only.
        var meterName = "test." + Guid.NewGuid().ToString("N");
        using var collector = new PrometheusMetricsCollector(meterName);
        using var meter = new Meter(meterName);
        var counter = meter.CreateCounter<long>("x.spans", "{span}", "Spans \"taken\".");
        var histogram = meter.CreateHistogram("x.latency", "ms", "Latency.", tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = [10, 100] });
        var depth = 7;
        meter.CreateObservableGauge("x.depth", () => depth, "{call}", "Depth.");

        // Act
        counter.Add(3, new KeyValuePair<string, object?>("front_door", "otlp_grpc"));
        counter.Add(2, new KeyValuePair<string, object?>("front_door", "otlp_grpc"));
        counter.Add(1, new KeyValuePair<string, object?>("front_door", "a\"b\\c"));
        histogram.Record(5);
        histogram.Record(50);
        histogram.Record(500);
        var text = collector.Scrape();
        depth = 9;
        var again = collector.Scrape();

        // Assert
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("# HELP x_spans_total Spans \"taken\".", lines);
        Assert.Contains("# TYPE x_spans_total counter", lines);
        Assert.Contains("x_spans_total{front_door=\"otlp_grpc\"} 5", lines);
        Assert.Contains("x_spans_total{front_door=\"a\\\"b\\\\c\"} 1", lines);
        Assert.Contains("# TYPE x_depth gauge", lines);
        Assert.Contains("x_depth 7", lines);
        Assert.Contains("x_depth 9", again.Split('\n'));
        Assert.Contains("# TYPE x_latency_milliseconds histogram", lines);
        Assert.Contains("x_latency_milliseconds_bucket{le=\"10\"} 1", lines);
        Assert.Contains("x_latency_milliseconds_bucket{le=\"100\"} 2", lines);
        Assert.Contains("x_latency_milliseconds_bucket{le=\"+Inf\"} 3", lines);
        Assert.Contains("x_latency_milliseconds_sum 555", lines);
        Assert.Contains("x_latency_milliseconds_count 3", lines);
        Assert.True(text.EndsWith('\n'), "the exposition ends with a line feed");
    }

    [Fact]
    public void Scrape_AnotherMeter_NotCollected()
    {
        // Arrange
        using var collector = new PrometheusMetricsCollector("test." + Guid.NewGuid().ToString("N"));
        using var other = new Meter("other." + Guid.NewGuid().ToString("N"));
        other.CreateCounter<long>("other.count").Add(1);

        // Act
        var text = collector.Scrape();

        // Assert
        Assert.DoesNotContain("other_count", text, StringComparison.Ordinal);
    }
}
