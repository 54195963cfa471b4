// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using BenchmarkDotNet.Attributes;
using HoneyHive.OtelBridge.Benchmarks.Workloads;
using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Benchmarks.Implementation.Api;

/// <summary>
/// Encoding a 100-event batch body. The baseline is reflection-based
/// <see cref="JsonSerializer"/> with the same settings as <see cref="HoneyHiveJsonContext"/>;
/// then the source-generated context, <see cref="ApiCall.GetBodyUtf8"/> (what delivery sends) before
/// and after pooling its buffers,
/// and <see cref="ApiCall.WriteBody"/> into a reused buffer; the last two also from the events encoded once
/// (<see cref="EncodedEvents"/>, what delivery queues and sends since issue 7).
/// </summary>
[MemoryDiagnoser]
public class ApiCallBenchmarks
{
    private static readonly JsonSerializerOptions ReflectionOptions = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.Strict,
        WriteIndented = false,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    private readonly ArrayBufferWriter<byte> buffer = new(256 * 1024);
    private SessionEventBatchCall call = null!;
    private SessionEventBatchCall encodedCall = null!;
    private Utf8JsonWriter writer = null!;

    [GlobalSetup]
    public void Setup()
    {
        var batch = BenchmarkRequests.EventBatch(BenchmarkRequests.Spans());
        this.call = new SessionEventBatchCall(batch.Events[0].ParentId!, batch);
        this.encodedCall = EncodedEvents.Encode(this.call).Call;
        this.writer = new Utf8JsonWriter(this.buffer, ApiJsonWriterOptions.Value);
    }

    [GlobalCleanup]
    public void Cleanup() => this.writer.Dispose();

    [Benchmark(Baseline = true)]
    public byte[] Serialize_Reflection() => JsonSerializer.SerializeToUtf8Bytes(this.call.Request, ReflectionOptions);

    [Benchmark]
    public byte[] Serialize_SourceGenerated() =>
        JsonSerializer.SerializeToUtf8Bytes(this.call.Request, HoneyHiveJsonContext.Default.SessionEventBatchRequest);

    /// <summary>
    /// <see cref="ApiCall.GetBodyUtf8"/> as it was before pooling (commit 22d444a): a growing
    /// <see cref="ArrayBufferWriter{T}"/> from 1 KB, then a copy.
    /// </summary>
    [Benchmark]
    public byte[] GetBodyUtf8_Before()
    {
        var growing = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(growing))
        {
            this.call.WriteBody(json);
        }

        return growing.WrittenSpan.ToArray();
    }

    [Benchmark]
    public byte[] GetBodyUtf8() => this.call.GetBodyUtf8();

    [Benchmark]
    public int WriteBody_ReusedBuffer()
    {
        this.buffer.ResetWrittenCount();
        this.writer.Reset(this.buffer);
        this.call.WriteBody(this.writer);
        this.writer.Flush();
        return this.buffer.WrittenCount;
    }

    [Benchmark]
    public byte[] GetBodyUtf8_EncodedEvents() => this.encodedCall.GetBodyUtf8();

    [Benchmark]
    public int WriteBody_ReusedBuffer_EncodedEvents()
    {
        this.buffer.ResetWrittenCount();
        this.writer.Reset(this.buffer);
        this.encodedCall.WriteBody(this.writer);
        this.writer.Flush();
        return this.buffer.WrittenCount;
    }
}
