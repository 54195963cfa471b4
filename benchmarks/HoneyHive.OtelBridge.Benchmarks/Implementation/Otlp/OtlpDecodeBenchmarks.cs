// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using BenchmarkDotNet.Attributes;
using HoneyHive.OtelBridge.Benchmarks.Workloads;
using HoneyHive.OtelBridge.Implementation.Otlp;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;

namespace HoneyHive.OtelBridge.Benchmarks.Implementation.Otlp;

/// <summary>
/// Decoding one 100-span OTLP export request: protobuf <c>ParseFrom</c> alone is the baseline;
/// then <c>ParseFrom</c> plus <see cref="OtlpSpanConversionExtensions.ToSpanRecords"/>, and the
/// direct decoder that reads the same bytes straight into span records (<see cref="OtlpProtobufDecoder"/>, the same
/// result), and the OTLP/JSON encoding of the same request through <see cref="OtlpJsonSerializer"/>.
/// </summary>
[MemoryDiagnoser]
public class OtlpDecodeBenchmarks
{
    private byte[] protobuf = null!;
    private byte[] json = null!;

    [GlobalSetup]
    public void Setup()
    {
        var request = BenchmarkRequests.OtlpRequest(BenchmarkRequests.Spans());
        this.protobuf = BenchmarkRequests.OtlpProtobuf(request);
        this.json = BenchmarkRequests.OtlpJson(request);
    }

    [Benchmark(Baseline = true)]
    public object Protobuf_ParseFrom() => ExportTraceServiceRequest.Parser.ParseFrom(this.protobuf);

    [Benchmark]
    public int Protobuf_ParseFrom_ToSpanRecords() =>
        ExportTraceServiceRequest.Parser.ParseFrom(this.protobuf).ToSpanRecords().Spans.Count;

    [Benchmark]
    public int Protobuf_OtlpProtobufDecoder() =>
        OtlpProtobufDecoder.Decode(this.protobuf, OtlpConversionLimits.Default).Spans.Count;

    [Benchmark]
    public object Json_ParseRequest() => OtlpJsonSerializer.ParseRequest(this.json);

    [Benchmark]
    public int Json_ParseRequest_ToSpanRecords() =>
        OtlpJsonSerializer.ParseRequest(this.json).ToSpanRecords().Spans.Count;
}
