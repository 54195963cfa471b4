// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.LocalApi.Implementation.Validation;

/// <summary>The fixed organisation, workspace and project ids of the local API (the hosted API derives them from the key).</summary>
internal static class LocalIds
{
    public const string OrgId = "local";
    public const string WorkspaceId = "local";
    public const string ProjectId = "local";

    public static string NewId() => Guid.NewGuid().ToString("D");
}
