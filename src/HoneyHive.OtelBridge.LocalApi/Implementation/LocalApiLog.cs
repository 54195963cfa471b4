// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HoneyHive.OtelBridge.LocalApi.Implementation;

/// <summary>The log messages of the local API (category <c>HoneyHive.OtelBridge.LocalApi</c>). Headers are never logged.</summary>
internal static partial class LocalApiLog
{
    public const string Category = "HoneyHive.OtelBridge.LocalApi";

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Local HoneyHive API listening on {BaseAddress} (database: {Database})")]
    public static partial void Started(ILogger logger, Uri baseAddress, string database);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Local HoneyHive API stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "{Method} {Path} rejected with {StatusCode} {ErrorCode}: {Reason}")]
    public static partial void Rejected(ILogger logger, string method, PathString path, int statusCode, string errorCode, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "{Method} {Path} stored {Count} event(s) in session {SessionId}")]
    public static partial void EventsStored(ILogger logger, string method, PathString path, int count, string sessionId);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "{Method} {Path} answered by an injected fault: status {StatusCode}, delay {DelayMs} ms, partial {Partial}")]
    public static partial void FaultInjected(ILogger logger, string method, PathString path, int statusCode, double delayMs, bool partial);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    public static partial void Failed(ILogger logger, Exception exception, string method, PathString path);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "{Method} {Path} stored session {SessionId}")]
    public static partial void SessionStored(ILogger logger, string method, PathString path, string sessionId);
}
