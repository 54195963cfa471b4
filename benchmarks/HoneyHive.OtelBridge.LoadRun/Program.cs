// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.LoadRun;
using HoneyHive.OtelBridge.LoadRun.Exporters;
using HoneyHive.OtelBridge.LoadRun.Reporting;
using HoneyHive.OtelBridge.LoadRun.Targets;

// The end-to-end load run: OTLP/gRPC clients against `honeyhive-bridge serve` (forwarding to an accept-all sink in
// this process) and against a null receiver, each in its own process, on 127.0.0.1 only; and the exporters phase, an
// app process per exporter (none, OTLP, HoneyHive) making spans at a fixed rate. See benchmarks/README.md.
LoadRunOptions options;
try
{
    options = LoadRunOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(LoadRunOptions.Usage);
    return 2;
}

if (options.NullReceiverMode)
{
    return await NullReceiver.RunAsync(options.Port, options.Endpoint);
}

if (options.ExporterApp is not null)
{
    try
    {
        return ExporterApp.Run(options.ExporterApp, options.Endpoint, options.Rate, options.Warmup, options.Seconds);
    }
    catch (ArgumentException ex)
    {
        Console.Error.WriteLine(ex.Message);
        return 2;
    }
}

string? receiverDll = null;
if (options.BridgeTarget)
{
    receiverDll = options.ReceiverDll ?? FindReceiverDll();
    if (receiverDll is null || !File.Exists(receiverDll))
    {
        Console.Error.WriteLine($"The Receiver is not built ({receiverDll ?? "not found"}); build it or pass --receiver-dll.");
        return 2;
    }
}

var runner = new LoadRunner(options);
var nulls = new List<TargetResult>();
var floors = new List<TargetResult>();
var bridges = new List<TargetResult>();
var exporters = new List<ExporterResult>();
for (var run = 1; run <= options.Runs; run++)
{
    Console.Error.WriteLine($"Run {run} of {options.Runs}");
    if (options.NullTarget)
    {
        nulls.Add(await runner.RunNullAsync());
    }

    if (options.FloorTarget)
    {
        floors.Add(await runner.RunFloorAsync());
    }

    if (options.BridgeTarget)
    {
        bridges.Add(await runner.RunBridgeAsync(receiverDll!));
    }

    if (options.ExportersTarget)
    {
        exporters.AddRange(await runner.RunExportersAsync());
    }
}

if (options.NullTarget || options.FloorTarget || options.BridgeTarget)
{
    Console.WriteLine(LoadReport.Render(nulls, floors, bridges, options));
}

if (options.ExportersTarget)
{
    Console.WriteLine(ExporterReport.Render(exporters, options));
}

if (options.Smoke && options.NullTarget && (nulls.Count == 0 || !(nulls[0].SustainedSpansPerSecond > 0) || !(nulls[0].HalfRateSpansPerSecond > 0)))
{
    Console.Error.WriteLine("Smoke run failed: the null receiver acknowledged nothing.");
    return 1;
}

if (options.Smoke && exporters.Any(r => r.SpansMade == 0 || (r.SpansExported is { } exported && exported != r.SpansMade)))
{
    Console.Error.WriteLine("Smoke run failed: an exporter app made no spans, or not all of its spans reached the endpoint.");
    return 1;
}

return 0;

// The Receiver built next to this project in the same configuration (the load run's project references it).
static string? FindReceiverDll()
{
    var configuration = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "HoneyHive.OtelBridge.sln")))
        {
            return Path.Combine(dir.FullName, "src", "HoneyHive.OtelBridge.Receiver", "bin", configuration, "net10.0", "HoneyHive.OtelBridge.Receiver.dll");
        }
    }

    return null;
}
