// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.LocalApi.Implementation.Http;

/// <summary>The <c>errorCode</c> values of error bodies.</summary>
internal static class ErrorCodes
{
    public const string BadRequest = "BAD_REQUEST";
    public const string InvalidJson = "INVALID_JSON";
    public const string Unauthorized = "NOT_FOUND_OR_UNAUTHORIZED";
    public const string SessionNotFound = "SESSION_NOT_FOUND";
    public const string EventNotFound = "EVENT_NOT_FOUND";
    public const string RouteNotFound = "NOT_FOUND";
    public const string MethodNotAllowed = "METHOD_NOT_ALLOWED";
    public const string InjectedFault = "INJECTED_FAULT";
    public const string PartiallyAdded = "EVENTS_PARTIALLY_ADDED";
    public const string Internal = "INTERNAL_ERROR";
}
