// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Receiver.Otlp;

/// <summary>The receiver's two front doors, as named in logs (and in the <c>front_door</c> metric tag).</summary>
internal static class OtlpFrontDoor
{
    public const string Grpc = "otlp_grpc";

    public const string Http = "otlp_http";
}
