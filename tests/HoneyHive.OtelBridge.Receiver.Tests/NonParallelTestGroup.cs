// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Receiver.Tests;

/// <summary>Tests that touch process-wide state (environment variables, EventListeners) run alone.</summary>
[CollectionDefinition("NonParallel", DisableParallelization = true)]
public sealed class NonParallelTestGroup
{
}
