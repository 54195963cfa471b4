// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Common.V1;
using HoneyHive.OtelBridge.Receiver.Hosting;
using HoneyHive.OtelBridge.Receiver.Tests.Otlp;
using Xunit.Abstractions;

namespace HoneyHive.OtelBridge.EndToEnd.Tests.Receiver;

/// <summary>
/// Mutation fuzzing of the receiver over real sockets: valid OTLP requests with bit flips, truncation, inserted bytes
/// and duplicated ranges go to gRPC and OTLP/HTTP in turn. After each the server must answer with a defined status,
/// the managed heap must stay under a bound, and the valid traces sent between the mutations must all be stored.
/// </summary>
/// <remarks>
/// Fixed seed and 300 cases in the suite. <c>HH_BRIDGE_FUZZ_CASES</c> (a count) or <c>HH_BRIDGE_FUZZ_SECONDS</c> (a
/// duration) run it longer, <c>HH_BRIDGE_FUZZ_SEED</c> changes the seed; none is set in CI.
/// </remarks>
[Collection("NonParallel")]
public sealed class ReceiverFuzzTests(ITestOutputHelper output)
{
    private const int DefaultCases = 300;
    private const int DefaultSeed = 20261128;
    private const int ValidEvery = 10;
    private const long MemoryGrowthBound = 256L * 1024 * 1024;

    private static readonly Method<byte[], byte[]> RawExport = new(
        MethodType.Unary,
        "opentelemetry.proto.collector.trace.v1.TraceService",
        "Export",
        Marshallers.Create(static b => b, static b => b),
        Marshallers.Create(static b => b, static b => b));

    private static readonly HashSet<StatusCode> DefinedGrpcStatuses = [StatusCode.OK, StatusCode.InvalidArgument, StatusCode.ResourceExhausted, StatusCode.Unavailable];

    private static readonly HashSet<HttpStatusCode> DefinedHttpStatuses =
        [HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.UnsupportedMediaType, HttpStatusCode.ServiceUnavailable];

    [Fact]
    public async Task MutatedRequests_GrpcAndHttp_DefinedAnswersBoundedMemoryValidTracesStored()
    {
        // Arrange
        var cases = ReadInt("HH_BRIDGE_FUZZ_CASES") ?? DefaultCases;
        var seconds = ReadInt("HH_BRIDGE_FUZZ_SECONDS");
        var random = new Random(ReadInt("HH_BRIDGE_FUZZ_SEED") ?? DefaultSeed);
        await using var server = await ReceiverEndToEndServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Host.GrpcAddress, new GrpcChannelOptions { MaxSendMessageSize = null, MaxReceiveMessageSize = null });
        using var http = new HttpClient { BaseAddress = server.Host.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };
        var seeds = Enumerable.Range(0, 8).Select(i => Seed(i).ToByteArray()).ToArray();
        var validTraces = new List<ActivityTraceId>();
        var answers = new Dictionary<string, int>(StringComparer.Ordinal);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var peak = baseline;
        var clock = Stopwatch.StartNew();

        // Act
        var n = 0;
        for (; seconds is null ? n < cases : clock.Elapsed < TimeSpan.FromSeconds(seconds.Value); n++)
        {
            var body = Mutate(seeds[random.Next(seeds.Length)], random);
            var answer = n % 2 == 0 ? await SendGrpcAsync(channel, body) : await SendHttpAsync(http, body);
            answers[answer] = answers.GetValueOrDefault(answer) + 1;

            if (n % ValidEvery == 0)
            {
                var (request, traceId) = OtlpRequests.RootWithChild("fuzz-valid-" + n.ToString(CultureInfo.InvariantCulture));
                var valid = n % 20 == 0 ? await SendGrpcAsync(channel, request.ToByteArray()) : await SendHttpAsync(http, request.ToByteArray());
                Assert.True(valid is "grpc OK" or "http OK", $"case {n}: a valid request between mutations was answered {valid}");
                validTraces.Add(ActivityTraceId.CreateFromBytes(traceId));
            }

            if (n % 50 == 49)
            {
                var now = GC.GetTotalMemory(forceFullCollection: true);
                peak = Math.Max(peak, now);
                Assert.True(now - baseline < MemoryGrowthBound, $"case {n}: managed memory grew by {(now - baseline) / (1024 * 1024)} MiB");
            }
        }

        await server.FlushAsync();

        // Assert
        foreach (var traceId in validTraces)
        {
            var stored = await server.GetSessionAsync(HoneyHiveIds.SessionIdForTrace(traceId));
            Assert.Single(stored["events"]!.AsArray());
        }

        var final = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(final - baseline < MemoryGrowthBound, $"managed memory grew by {(final - baseline) / (1024 * 1024)} MiB");
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{n} mutated cases in {clock.Elapsed.TotalSeconds:F1} s, {validTraces.Count} valid traces all stored; heap baseline {baseline / 1024} KiB, peak {peak / 1024} KiB, final {final / 1024} KiB; answers: {string.Join(", ", answers.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => a.Key + "=" + a.Value))}"));
    }

    private static int? ReadInt(string name)
        => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;

    /// <summary>A valid request to mutate: a root and a child, with nested and long attributes on some.</summary>
    private static ExportTraceServiceRequest Seed(int i)
    {
        var (request, _) = OtlpRequests.RootWithChild("seed-" + i.ToString(CultureInfo.InvariantCulture));
        var span = request.ResourceSpans[0].ScopeSpans[0].Spans[0];
        if (i % 2 == 1)
        {
            var list = new KeyValueList();
            list.Values.Add(new KeyValue { Key = "role", Value = new AnyValue { StringValue = "user" } });
            list.Values.Add(new KeyValue { Key = "content", Value = new AnyValue { StringValue = new string('x', 64 * i) } });
            var array = new ArrayValue();
            array.Values.Add(new AnyValue { KvlistValue = list });
            array.Values.Add(new AnyValue { DoubleValue = 0.5 });
            span.Attributes.Add(new KeyValue { Key = "gen_ai.input.messages", Value = new AnyValue { ArrayValue = array } });
        }

        if (i % 3 == 0)
        {
            span.Events.Add(new HoneyHive.OtelBridge.Implementation.Otlp.Proto.Trace.V1.Span.Types.Event { Name = "exception", TimeUnixNano = span.StartTimeUnixNano + 1 });
        }

        return request;
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = seed.ToList();
        var steps = random.Next(1, 4);
        for (var s = 0; s < steps; s++)
        {
            switch (random.Next(5))
            {
                case 0:
                    // Bit flips.
                    for (var f = random.Next(1, 9); f > 0 && bytes.Count > 0; f--)
                    {
                        var at = random.Next(bytes.Count);
                        bytes[at] ^= (byte)(1 << random.Next(8));
                    }

                    break;
                case 1:
                    // Truncation.
                    if (bytes.Count > 1)
                    {
                        var keep = random.Next(1, bytes.Count);
                        bytes.RemoveRange(keep, bytes.Count - keep);
                    }

                    break;
                case 2:
                    // Byte insertion.
                    var insert = new byte[random.Next(1, 17)];
                    random.NextBytes(insert);
                    bytes.InsertRange(random.Next(bytes.Count + 1), insert);
                    break;
                case 3:
                    // Field duplication: the whole request again (protobuf merges: every resource_spans twice).
                    bytes.AddRange(seed);
                    break;
                default:
                    // A range duplicated in place.
                    if (bytes.Count > 2)
                    {
                        var start = random.Next(bytes.Count - 1);
                        var length = random.Next(1, Math.Min(64, bytes.Count - start) + 1);
                        bytes.InsertRange(start, bytes.GetRange(start, length));
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    private static async Task<string> SendGrpcAsync(GrpcChannel channel, byte[] body)
    {
        try
        {
            await channel.CreateCallInvoker().AsyncUnaryCall(RawExport, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)), body);
            return "grpc OK";
        }
        catch (RpcException ex)
        {
            Assert.True(DefinedGrpcStatuses.Contains(ex.StatusCode), $"gRPC answered {ex.StatusCode}: {ex.Status.Detail}");
            return "grpc " + ex.StatusCode;
        }
    }

    private static async Task<string> SendHttpAsync(HttpClient http, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await http.PostAsync(OtlpReceiverOptions.TracesPath, content);
        Assert.True(DefinedHttpStatuses.Contains(response.StatusCode), $"HTTP answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response.StatusCode == HttpStatusCode.OK ? "http OK" : "http " + (int)response.StatusCode;
    }
}
