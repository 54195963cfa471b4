// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using Google.Protobuf.Reflection;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Common.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Resource.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Trace.V1;

namespace HoneyHive.OtelBridge.Tests.Implementation.Otlp;

/// <summary>
/// Holds our own proto files to the OTLP wire format: package names, field numbers and types
/// as opentelemetry-proto defines them (a wrong number would silently drop data on the wire).
/// </summary>
public sealed class OtlpProtoDescriptorTests
{
    private static readonly MessageDescriptor[] Messages =
    [
        AnyValue.Descriptor, ArrayValue.Descriptor, KeyValueList.Descriptor, KeyValue.Descriptor,
        InstrumentationScope.Descriptor, Resource.Descriptor, TracesData.Descriptor, ResourceSpans.Descriptor,
        ScopeSpans.Descriptor, Span.Descriptor, Span.Types.Event.Descriptor, Span.Types.Link.Descriptor,
        Status.Descriptor, ExportTraceServiceRequest.Descriptor, ExportTraceServiceResponse.Descriptor,
        ExportTracePartialSuccess.Descriptor,
    ];

    [Fact]
    public void TraceService_Export_HasTheOtlpMethodPath()
    {
        // Arrange
        var service = TraceServiceReflection.Descriptor.FindTypeByName<ServiceDescriptor>("TraceService");

        // Act
        var method = service.FindMethodByName("Export");

        // Assert
        Assert.Equal("/opentelemetry.proto.collector.trace.v1.TraceService/Export", $"/{service.FullName}/{method.Name}");
        Assert.Same(ExportTraceServiceRequest.Descriptor, method.InputType);
        Assert.Same(ExportTraceServiceResponse.Descriptor, method.OutputType);
    }

    [Theory]
    [InlineData("opentelemetry.proto.common.v1.AnyValue", "string_value", 1, FieldType.String)]
    [InlineData("opentelemetry.proto.common.v1.AnyValue", "bool_value", 2, FieldType.Bool)]
    [InlineData("opentelemetry.proto.common.v1.AnyValue", "int_value", 3, FieldType.Int64)]
    [InlineData("opentelemetry.proto.common.v1.AnyValue", "double_value", 4, FieldType.Double)]
    [InlineData("opentelemetry.proto.common.v1.AnyValue", "array_value", 5, FieldType.Message)]
    [InlineData("opentelemetry.proto.common.v1.AnyValue", "kvlist_value", 6, FieldType.Message)]
    [InlineData("opentelemetry.proto.common.v1.AnyValue", "bytes_value", 7, FieldType.Bytes)]
    [InlineData("opentelemetry.proto.common.v1.ArrayValue", "values", 1, FieldType.Message)]
    [InlineData("opentelemetry.proto.common.v1.KeyValueList", "values", 1, FieldType.Message)]
    [InlineData("opentelemetry.proto.common.v1.KeyValue", "key", 1, FieldType.String)]
    [InlineData("opentelemetry.proto.common.v1.KeyValue", "value", 2, FieldType.Message)]
    [InlineData("opentelemetry.proto.common.v1.InstrumentationScope", "name", 1, FieldType.String)]
    [InlineData("opentelemetry.proto.common.v1.InstrumentationScope", "version", 2, FieldType.String)]
    [InlineData("opentelemetry.proto.common.v1.InstrumentationScope", "attributes", 3, FieldType.Message)]
    [InlineData("opentelemetry.proto.common.v1.InstrumentationScope", "dropped_attributes_count", 4, FieldType.UInt32)]
    [InlineData("opentelemetry.proto.resource.v1.Resource", "attributes", 1, FieldType.Message)]
    [InlineData("opentelemetry.proto.resource.v1.Resource", "dropped_attributes_count", 2, FieldType.UInt32)]
    [InlineData("opentelemetry.proto.trace.v1.TracesData", "resource_spans", 1, FieldType.Message)]
    [InlineData("opentelemetry.proto.trace.v1.ResourceSpans", "resource", 1, FieldType.Message)]
    [InlineData("opentelemetry.proto.trace.v1.ResourceSpans", "scope_spans", 2, FieldType.Message)]
    [InlineData("opentelemetry.proto.trace.v1.ResourceSpans", "schema_url", 3, FieldType.String)]
    [InlineData("opentelemetry.proto.trace.v1.ScopeSpans", "scope", 1, FieldType.Message)]
    [InlineData("opentelemetry.proto.trace.v1.ScopeSpans", "spans", 2, FieldType.Message)]
    [InlineData("opentelemetry.proto.trace.v1.ScopeSpans", "schema_url", 3, FieldType.String)]
    [InlineData("opentelemetry.proto.trace.v1.Span", "trace_id", 1, FieldType.Bytes)]
    [InlineData("opentelemetry.proto.trace.v1.Span", "span_id", 2, FieldType.Bytes)]
    [InlineData("opentelemetry.proto.trace.v1.Span", "trace_state", 3, FieldType.String)]
    [InlineData("opentelemetry.proto.trace.v1.Span", "parent_span_id", 4, FieldType.Bytes)]
    [InlineData("opentelemetry.proto.trace.v1.Span", "name", 5, FieldType.String)]
    [InlineData("opentelemetry.proto.trace.v1.Span", "kind", 6, FieldType.Enum)]
    [InlineData("opentelemetry.proto.trace.v1.Span", "start_time_unix_nano", 7, FieldType.Fixed64)]
    [InlineData("opentelemetry.proto.trace.v1.Span", "end_time_unix_nano", 8, FieldType.Fixed64)]
    [InlineData("opentelemetry.proto.trace.v1.Span", "attributes", 9, FieldType.Message)]
    [InlineData("opentelemetry.proto.trace.v1.Span", "dropped_attributes_count", 10, FieldType.UInt32)]
    [InlineData("opentelemetry.proto.trace.v1.Span", "events", 11, FieldType.Message)]
    [InlineData("opentelemetry.proto.trace.v1.Span", "dropped_events_count", 12, FieldType.UInt32)]
    [InlineData("opentelemetry.proto.trace.v1.Span", "links", 13, FieldType.Message)]
    [InlineData("opentelemetry.proto.trace.v1.Span", "dropped_links_count", 14, FieldType.UInt32)]
    [InlineData("opentelemetry.proto.trace.v1.Span", "status", 15, FieldType.Message)]
    [InlineData("opentelemetry.proto.trace.v1.Span", "flags", 16, FieldType.Fixed32)]
    [InlineData("opentelemetry.proto.trace.v1.Span.Event", "time_unix_nano", 1, FieldType.Fixed64)]
    [InlineData("opentelemetry.proto.trace.v1.Span.Event", "name", 2, FieldType.String)]
    [InlineData("opentelemetry.proto.trace.v1.Span.Event", "attributes", 3, FieldType.Message)]
    [InlineData("opentelemetry.proto.trace.v1.Span.Event", "dropped_attributes_count", 4, FieldType.UInt32)]
    [InlineData("opentelemetry.proto.trace.v1.Span.Link", "trace_id", 1, FieldType.Bytes)]
    [InlineData("opentelemetry.proto.trace.v1.Span.Link", "span_id", 2, FieldType.Bytes)]
    [InlineData("opentelemetry.proto.trace.v1.Span.Link", "trace_state", 3, FieldType.String)]
    [InlineData("opentelemetry.proto.trace.v1.Span.Link", "attributes", 4, FieldType.Message)]
    [InlineData("opentelemetry.proto.trace.v1.Span.Link", "dropped_attributes_count", 5, FieldType.UInt32)]
    [InlineData("opentelemetry.proto.trace.v1.Span.Link", "flags", 6, FieldType.Fixed32)]
    [InlineData("opentelemetry.proto.trace.v1.Status", "message", 2, FieldType.String)]
    [InlineData("opentelemetry.proto.trace.v1.Status", "code", 3, FieldType.Enum)]
    [InlineData("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest", "resource_spans", 1, FieldType.Message)]
    [InlineData("opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse", "partial_success", 1, FieldType.Message)]
    [InlineData("opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess", "rejected_spans", 1, FieldType.Int64)]
    [InlineData("opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess", "error_message", 2, FieldType.String)]
    public void Field_OfOtlpMessage_HasTheWireNumberAndType(string messageFullName, string fieldName, int expectedNumber, FieldType expectedType)
    {
        // Arrange
        var message = Assert.Single(Messages, m => m.FullName == messageFullName);

        // Act
        var field = message.FindFieldByName(fieldName);

        // Assert
        Assert.NotNull(field);
        Assert.Equal(expectedNumber, field.FieldNumber);
        Assert.Equal(expectedType, field.FieldType);
    }

    [Theory]
    [InlineData(0, "SPAN_KIND_UNSPECIFIED")]
    [InlineData(1, "SPAN_KIND_INTERNAL")]
    [InlineData(2, "SPAN_KIND_SERVER")]
    [InlineData(3, "SPAN_KIND_CLIENT")]
    [InlineData(4, "SPAN_KIND_PRODUCER")]
    [InlineData(5, "SPAN_KIND_CONSUMER")]
    public void SpanKind_Value_HasTheOtlpName(int number, string expectedName)
    {
        // Arrange
        var kind = Span.Descriptor.EnumTypes.Single(e => e.Name == "SpanKind");

        // Act
        var value = kind.FindValueByNumber(number);

        // Assert
        Assert.Equal(expectedName, value.Name);
    }

    [Theory]
    [InlineData(0, "STATUS_CODE_UNSET")]
    [InlineData(1, "STATUS_CODE_OK")]
    [InlineData(2, "STATUS_CODE_ERROR")]
    public void StatusCode_Value_HasTheOtlpName(int number, string expectedName)
    {
        // Arrange
        var code = Status.Descriptor.EnumTypes.Single(e => e.Name == "StatusCode");

        // Act
        var value = code.FindValueByNumber(number);

        // Assert
        Assert.Equal(expectedName, value.Name);
    }
}
