// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;

namespace HoneyHive.OtelBridge.LoadRun;

/// <summary>The load run's command line.</summary>
internal sealed class LoadRunOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project benchmarks/HoneyHive.OtelBridge.LoadRun -- [options]
          --seconds N          measured seconds per phase (default 20)
          --warmup N           seconds of load before a saturation phase is measured (default 15: the JIT's tier-up)
          --clients N          concurrent OTLP/gRPC clients, one HTTP/2 connection each (default 4)
          --root-wait S        the bridge's --root-wait in seconds (default 1)
          --runs N             repeat everything N times and report the median of each figure (default 1)
          --targets LIST       null,floor,bridge,exporters (default null,floor,bridge)
          --rate N             exporters phase: spans/s the app makes (default 5000)
          --half-rate N        offer N spans/s in the half-rate phase instead of half the sustained rate
          --overload X         offered load of the overload phase, times the sustained rate (default 10)
          --receiver-dll PATH  the built Receiver (default: src/HoneyHive.OtelBridge.Receiver/bin/<config>/net10.0/)
          --serve-arg ARG      one more argument for the bridge's `serve` (repeat: --serve-arg --max-held-spans --serve-arg 20000)
          --sink-latency MS    the accept-all sink answers each request MS milliseconds after reading it (default 0), as a
                               hosted API's round trip would
          --smoke              a short check of the harness: null receiver only, 2 s phases
          --null-receiver [--port N] [--endpoint URL]   run as the null receiver (the load run starts this itself); with a
                               URL, as the floor receiver (the contract's requests to that sink, nothing else)
          --exporter-app none|otlp|honeyhive|http-floor [--endpoint URL] [--rate N]   run as the exporters phase's app (likewise)
        """;

    public int Seconds { get; set; } = 20;

    public int Warmup { get; set; } = 15;

    public int Clients { get; set; } = 4;

    public double RootWait { get; set; } = 1;

    public int Runs { get; set; } = 1;

    public double Overload { get; set; } = 10;

    /// <summary>Gets or sets the milliseconds the accept-all sink waits before each answer (a hosted API's round trip).</summary>
    public int SinkLatencyMs { get; set; }

    public bool NullTarget { get; set; } = true;

    public bool BridgeTarget { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether the floor receiver runs (saturation only): the null receiver
    /// that also sends the contract's requests to the sink (<see cref="Targets.ContractFloorSender"/>).</summary>
    public bool FloorTarget { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether the exporters phase runs: an app process per exporter (none,
    /// OTLP/gRPC, HoneyHive) making spans at <see cref="Rate"/>; its CPU and allocations per span.</summary>
    public bool ExportersTarget { get; set; }

    /// <summary>Gets or sets the spans per second offered in the half-rate phase instead of half the sustained rate
    /// (null: half the sustained rate), so that two builds can be compared at the same load.</summary>
    public int? HalfRate { get; set; }

    /// <summary>Gets or sets the spans per second the exporters phase's app makes.</summary>
    public int Rate { get; set; } = 5000;

    /// <summary>Gets or sets the exporter of the app mode (<c>--exporter-app</c>); <see langword="null"/> otherwise.</summary>
    public string? ExporterApp { get; set; }

    /// <summary>Gets or sets the endpoint the app mode exports to.</summary>
    public Uri? Endpoint { get; set; }

    public string? ReceiverDll { get; set; }

    public bool Smoke { get; set; }

    /// <summary>Gets the extra arguments for <c>serve</c> (one per <c>--serve-arg</c>).</summary>
    public List<string> ServeArguments { get; } = [];

    public bool NullReceiverMode { get; set; }

    public int Port { get; set; }

    public static LoadRunOptions Parse(string[] args)
    {
        var options = new LoadRunOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--seconds": options.Seconds = Int(); break;
                case "--warmup": options.Warmup = Int(); break;
                case "--clients": options.Clients = Int(); break;
                case "--root-wait": options.RootWait = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--runs": options.Runs = Int(); break;
                case "--overload": options.Overload = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--sink-latency": options.SinkLatencyMs = Int(); break;
                case "--receiver-dll": options.ReceiverDll = Value(); break;
                case "--serve-arg": options.ServeArguments.Add(Value()); break;
                case "--null-receiver": options.NullReceiverMode = true; break;
                case "--port": options.Port = Int(); break;
                case "--rate": options.Rate = Int(); break;
                case "--half-rate": options.HalfRate = Int(); break;
                case "--exporter-app": options.ExporterApp = Value(); break;
                case "--endpoint": options.Endpoint = new Uri(Value(), UriKind.Absolute); break;
                case "--help" or "-h": throw new ArgumentException("The load run.");
                case "--targets":
                    var targets = Value().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                    options.NullTarget = targets.Contains("null");
                    options.BridgeTarget = targets.Contains("bridge");
                    options.FloorTarget = targets.Contains("floor");
                    options.ExportersTarget = targets.Contains("exporters");
                    break;
                case "--smoke":
                    options.Smoke = true;
                    options.Seconds = 2;
                    options.Warmup = 1;
                    options.BridgeTarget = false;
                    options.FloorTarget = false;
                    break;
                default: throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }

        if (options.Seconds < 1 || options.Clients < 1 || options.Runs < 1 || options.Rate < 10 || options.Warmup < 0 || options.RootWait < 0 || options.Overload <= 1 || options.SinkLatencyMs < 0)
        {
            throw new ArgumentException("--seconds, --clients and --runs must be at least 1, --rate at least 10, --warmup, --root-wait and --sink-latency not negative, --overload above 1.");
        }

        return options;
    }
}
