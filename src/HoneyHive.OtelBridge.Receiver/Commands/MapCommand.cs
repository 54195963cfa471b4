// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.CommandLine;
using System.Text;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Assembly;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Implementation.Otlp;

namespace HoneyHive.OtelBridge.Receiver.Commands;

/// <summary>
/// <c>honeyhive-bridge map [FILE|-]</c>: reads OTLP/JSON traces (one <c>ExportTraceServiceRequest</c>
/// per line, or one whole document) and prints the HoneyHive API calls the bridge would make, one
/// JSON line per call (<c>{"method","path","body"}</c>), with no network call.
/// </summary>
internal static class MapCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var file = new Argument<string?>("FILE")
        {
            Description = "OTLP/JSON file to read; '-' or nothing reads standard input.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var source = new Option<string?>("--source")
        {
            Description = "The 'source' of sessions and events (default: $HH_SOURCE, else 'otel-bridge').",
        };
        var command = new Command("map", "Print the HoneyHive API calls (JSON lines) an OTLP/JSON trace file maps to, without sending them.")
        {
            file,
            source,
        };
        command.SetAction(parseResult =>
        {
            var path = parseResult.GetValue(file);
            var options = new MappingOptions
            {
                Source = parseResult.GetValue(source)
                    ?? (Environment.GetEnvironmentVariable("HH_SOURCE") is { Length: > 0 } env ? env : MappingOptions.DefaultSource),
            };
            var output = parseResult.InvocationConfiguration.Output;
            try
            {
                if (path is null or "-")
                {
                    return Run(Console.In, output, options);
                }

                using var reader = new StreamReader(path, Encoding.UTF8);
                return Run(reader, output, options);
            }
            catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
            {
                parseResult.InvocationConfiguration.Error.WriteLine("map: " + ex.Message);
                return 1;
            }
        });
        return command;
    }

    /// <summary>Maps OTLP/JSON text to API-call JSON lines.</summary>
    /// <param name="input">The OTLP/JSON text.</param>
    /// <param name="output">Where the JSON lines go.</param>
    /// <param name="options">The mapping options.</param>
    /// <returns>The exit code: 0, or 2 when some spans were rejected as invalid (they are reported).</returns>
    internal static int Run(TextReader input, TextWriter output, MappingOptions options)
    {
        var sink = new ApiCallJsonLinesSink(output);
        var assembler = new TraceAssembler(sink, new TraceAssemblerOptions { RootWait = Timeout.InfiniteTimeSpan, Mapping = options });
        var rejected = 0;
        foreach (var request in OtlpJsonSerializer.ParseLines(input))
        {
            var result = request.ToSpanRecords();
            rejected += result.RejectedSpans;
            if (result.ErrorMessage is not null)
            {
                Console.Error.WriteLine("map: " + result.ErrorMessage);
            }

            assembler.Add(result.Spans);
        }

        assembler.FlushAll();
        output.Flush();
        return rejected > 0 ? 2 : 0;
    }
}
