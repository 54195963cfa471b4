// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace HoneyHive.OtelBridge.Receiver.Otlp;

/// <summary>
/// The <c>google.rpc.Status</c> answers of the receiver, as the OTLP specification asks: <c>UNAVAILABLE</c> with
/// <c>RetryInfo</c> when the bridge cannot take more (clients retry), <c>INVALID_ARGUMENT</c> with <c>BadRequest</c>
/// for a body that cannot be decoded (clients drop it). gRPC sends them in the <c>grpc-status-details-bin</c> trailer,
/// OTLP/HTTP as the error body in the request's encoding.
/// </summary>
internal static class OtlpErrorStatus
{
    /// <summary>The registry the JSON formatter needs to write the <c>Any</c> details.</summary>
    public static readonly TypeRegistry DetailTypes = TypeRegistry.FromMessages(RetryInfo.Descriptor, BadRequest.Descriptor);

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithTypeRegistry(DetailTypes));

    public static Google.Rpc.Status Unavailable(TimeSpan retryDelay) => new()
    {
        Code = (int)StatusCode.Unavailable,
        Message = "The bridge cannot take more spans right now (its delivery queue is full); retry after the delay given.",
        Details = { Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryDelay) }) },
    };

    public static Google.Rpc.Status InvalidArgument(string message) => new()
    {
        Code = (int)StatusCode.InvalidArgument,
        Message = message,
        Details =
        {
            Any.Pack(new BadRequest
            {
                FieldViolations = { new BadRequest.Types.FieldViolation { Field = "body", Description = message } },
            }),
        },
    };

    /// <summary>Writes a status as OTLP/JSON (proto3 JSON mapping).</summary>
    /// <param name="status">The status.</param>
    /// <returns>The JSON text.</returns>
    public static string ToJson(Google.Rpc.Status status) => Formatter.Format(status);
}
