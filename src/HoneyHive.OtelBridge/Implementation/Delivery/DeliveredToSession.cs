// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Implementation.Delivery;

/// <summary>What one delivered request did for one of the sessions it carried (<see cref="HoneyHiveDelivery.SessionDelivered"/>).</summary>
/// <param name="SessionId">The session.</param>
/// <param name="SessionName">The session's name when the request created it (<c>POST /v1/sessions</c>); otherwise null.</param>
/// <param name="Events">How many of the session's events the request carried.</param>
/// <param name="Drained">Whether the session has nothing more queued.</param>
internal readonly record struct DeliveredToSession(string SessionId, string? SessionName, int Events, bool Drained);
