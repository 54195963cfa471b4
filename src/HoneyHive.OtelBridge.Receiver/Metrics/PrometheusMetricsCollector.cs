// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using HoneyHive.OtelBridge.Implementation;

namespace HoneyHive.OtelBridge.Receiver.Metrics;

/// <summary>
/// Collects the bridge's own metrics (the <see cref="BridgeMetrics.MeterName"/> meter) with a <see cref="MeterListener"/>
/// into an in-memory registry, and writes them in the Prometheus text exposition format 0.0.4 for <c>GET /metrics</c>.
/// Counters are cumulative from the start of the process; observable instruments are read at each scrape; histograms
/// keep cumulative buckets with the bounds the instrument advises.
/// </summary>
/// <remarks>
/// Chosen over <c>OpenTelemetry.Exporter.Prometheus.AspNetCore</c> (a pre-release package pulling in the OpenTelemetry
/// SDK's metrics pipeline) because the bridge has one meter with a handful of instruments: a listener and a formatter
/// are small, have no extra dependency, and give names we control.
/// </remarks>
internal sealed class PrometheusMetricsCollector : IDisposable
{
    /// <summary>The content type of the text exposition format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly double[] DefaultBuckets = [5, 10, 25, 50, 75, 100, 250, 500, 750, 1_000, 2_500, 5_000, 7_500, 10_000];

    private readonly MeterListener listener = new();
    private readonly object gate = new();
    private readonly Dictionary<Instrument, MetricFamily> families = [];
    private readonly string meterName;

    public PrometheusMetricsCollector(string meterName = BridgeMetrics.MeterName)
    {
        this.meterName = meterName;
        this.listener.InstrumentPublished = this.OnInstrumentPublished;
        this.listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => this.Record(instrument, value, tags));
        this.listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => this.Record(instrument, value, tags));
        this.listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => this.Record(instrument, value, tags));
        this.listener.Start();
    }

    /// <summary>Reads the observable instruments and writes every family in the text exposition format.</summary>
    /// <returns>The exposition text.</returns>
    public string Scrape()
    {
        this.listener.RecordObservableInstruments();
        var text = new StringBuilder();
        lock (this.gate)
        {
            foreach (var family in this.families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                family.WriteTo(text);
            }
        }

        return text.ToString();
    }

    /// <inheritdoc/>
    public void Dispose() => this.listener.Dispose();

    /// <summary>The Prometheus name of an instrument: dots become underscores, the unit is a suffix (<c>ms</c> →
    /// <c>_milliseconds</c>, <c>By</c> → <c>_bytes</c>; annotations such as <c>{span}</c> are dropped), and counters
    /// end with <c>_total</c>.</summary>
    internal static string PrometheusName(string instrumentName, string? unit, bool counter)
    {
        var name = new StringBuilder(instrumentName.Length + 16);
        foreach (var c in instrumentName)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || c == ':' ? c : '_');
        }

        var suffix = unit switch
        {
            "ms" => "_milliseconds",
            "s" => "_seconds",
            "By" => "_bytes",
            _ => string.Empty,
        };
        if (suffix.Length > 0 && !name.ToString().EndsWith(suffix, StringComparison.Ordinal))
        {
            name.Append(suffix);
        }

        if (counter)
        {
            name.Append("_total");
        }

        return name.ToString();
    }

    /// <summary>The label pairs of a measurement's tags, sorted by name.</summary>
    private static List<(string Name, string Value)> Pairs(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var pairs = new List<(string Name, string Value)>(tags.Length);
        foreach (var tag in tags)
        {
            pairs.Add((PrometheusName(tag.Key, null, counter: false), Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? string.Empty));
        }

        pairs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return pairs;
    }

    /// <summary>A label set, <c>{a="x",b="y"}</c> (empty without labels), values escaped.</summary>
    private static string Labels(List<(string Name, string Value)> tagPairs, string? extraName = null, string? extraValue = null)
    {
        if (tagPairs.Count == 0 && extraName is null)
        {
            return string.Empty;
        }

        var pairs = new List<(string Name, string Value)>(tagPairs);
        if (extraName is not null)
        {
            pairs.Add((extraName, extraValue!));
        }

        var text = new StringBuilder("{");
        for (var i = 0; i < pairs.Count; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append(pairs[i].Name).Append("=\"");
            foreach (var c in pairs[i].Value)
            {
                text.Append(c switch
                {
                    '\\' => "\\\\",
                    '"' => "\\\"",
                    '\n' => "\\n",
                    _ => c.ToString(),
                });
            }

            text.Append('"');
        }

        return text.Append('}').ToString();
    }

    private static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private void OnInstrumentPublished(Instrument instrument, MeterListener meterListener)
    {
        if (!string.Equals(instrument.Meter.Name, this.meterName, StringComparison.Ordinal))
        {
            return;
        }

        var definition = instrument.GetType().IsGenericType ? instrument.GetType().GetGenericTypeDefinition() : instrument.GetType();
        MetricKind kind;
        if (definition == typeof(Counter<>))
        {
            kind = MetricKind.Counter;
        }
        else if (definition == typeof(ObservableCounter<>))
        {
            kind = MetricKind.ObservableCounter;
        }
        else if (definition == typeof(Histogram<>))
        {
            kind = MetricKind.Histogram;
        }
        else if (definition == typeof(UpDownCounter<>))
        {
            kind = MetricKind.UpDownCounter;
        }
        else
        {
            kind = MetricKind.Gauge;
        }

        var buckets = (instrument as Histogram<double>)?.Advice?.HistogramBucketBoundaries ?? DefaultBuckets;
        lock (this.gate)
        {
            this.families[instrument] = new MetricFamily(instrument, kind, [.. buckets]);
        }

        meterListener.EnableMeasurementEvents(instrument);
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var pairs = Pairs(tags);
        lock (this.gate)
        {
            if (this.families.TryGetValue(instrument, out var family))
            {
                family.Record(pairs, value);
            }
        }
    }

    private enum MetricKind
    {
        Counter,
        ObservableCounter,
        UpDownCounter,
        Gauge,
        Histogram,
    }

    private sealed class MetricFamily(Instrument instrument, MetricKind kind, double[] buckets)
    {
        private readonly SortedDictionary<string, double> values = new(StringComparer.Ordinal);
        private readonly SortedDictionary<string, (List<(string Name, string Value)> Pairs, long[] Counts, double Sum, long Count)> histograms = new(StringComparer.Ordinal);

        public string Name { get; } = PrometheusName(instrument.Name, instrument.Unit, kind is MetricKind.Counter or MetricKind.ObservableCounter);

        public void Record(List<(string Name, string Value)> pairs, double value)
        {
            var labels = Labels(pairs);
            switch (kind)
            {
                case MetricKind.Counter or MetricKind.UpDownCounter:
                    this.values[labels] = this.values.GetValueOrDefault(labels) + value;
                    break;
                case MetricKind.Histogram:
                    var (_, counts, sum, count) = this.histograms.GetValueOrDefault(labels, (pairs, new long[buckets.Length + 1], 0d, 0L));
                    var bucket = Array.FindIndex(buckets, bound => value <= bound);
                    counts[bucket < 0 ? buckets.Length : bucket]++;
                    this.histograms[labels] = (pairs, counts, sum + value, count + 1);
                    break;
                default:
                    // Observable instruments report their current (or cumulative) value at each scrape.
                    this.values[labels] = value;
                    break;
            }
        }

        public void WriteTo(StringBuilder text)
        {
            var help = (instrument.Description ?? instrument.Name).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
            var type = kind switch
            {
                MetricKind.Counter or MetricKind.ObservableCounter => "counter",
                MetricKind.Histogram => "histogram",
                _ => "gauge",
            };
            text.Append("# HELP ").Append(this.Name).Append(' ').Append(help).Append('\n');
            text.Append("# TYPE ").Append(this.Name).Append(' ').Append(type).Append('\n');
            foreach (var (labels, value) in this.values)
            {
                text.Append(this.Name).Append(labels).Append(' ').Append(Number(value)).Append('\n');
            }

            foreach (var (labels, (pairs, counts, sum, count)) in this.histograms)
            {
                long cumulative = 0;
                for (var i = 0; i <= buckets.Length; i++)
                {
                    cumulative += counts[i];
                    var le = i < buckets.Length ? Number(buckets[i]) : "+Inf";
                    text.Append(this.Name).Append("_bucket").Append(Labels(pairs, "le", le)).Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
                }

                text.Append(this.Name).Append("_sum").Append(labels).Append(' ').Append(Number(sum)).Append('\n');
                text.Append(this.Name).Append("_count").Append(labels).Append(' ').Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }
    }
}
