// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation;

namespace HoneyHive.OtelBridge.Receiver.Otlp;

/// <summary>The receiver's two front doors, as named in logs (and in the <c>front_door</c> metric tag).</summary>
internal static class OtlpFrontDoor
{
    public const string Grpc = BridgeMetrics.OtlpGrpcFrontDoor;

    public const string Http = BridgeMetrics.OtlpHttpFrontDoor;
}
