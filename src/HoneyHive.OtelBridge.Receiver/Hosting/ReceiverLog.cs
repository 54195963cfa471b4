// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using Microsoft.Extensions.Logging;

namespace HoneyHive.OtelBridge.Receiver.Hosting;

/// <summary>Every log line of the receiver and of <c>honeyhive-bridge serve</c> (category
/// <c>HoneyHive.OtelBridge.Receiver</c>). No line ever holds an API key.</summary>
internal static partial class ReceiverLog
{
    /// <summary>The log category of the receiver.</summary>
    public const string Category = "HoneyHive.OtelBridge.Receiver";

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "OTLP/gRPC listening on {GrpcUrl}; OTLP/HTTP listening on {HttpUrl} (POST /v1/traces, GET /healthz, GET /metrics)")]
    public static partial void Listening(ILogger logger, string grpcUrl, string httpUrl);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "No HoneyHive API key set (HH_INGESTION_API_KEY/HH_PROJECT_API_KEY/HH_API_KEY): sending to the built-in local API at {LocalApiUrl} (data in {DatabasePath}). `curl {SessionUrl}` shows a session.")]
    public static partial void EmbeddedLocalApi(ILogger logger, Uri localApiUrl, string databasePath, string sessionUrl);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Sending to HoneyHive at {ApiUrl}")]
    public static partial void Forwarding(ILogger logger, Uri apiUrl);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Delivered session '{SessionName}' ({SessionId}): {EventCount} event(s)")]
    public static partial void SessionDelivered(ILogger logger, string sessionName, string sessionId, long eventCount);

    [LoggerMessage(EventId = 43, Level = LogLevel.Information, Message = "... and {SessionCount} more session(s) delivered, {EventCount} event(s) (a line per session for the first {MaxLines} each second)")]
    public static partial void SessionsDeliveredSummary(ILogger logger, long sessionCount, long eventCount, int maxLines);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "{FrontDoor}: took {SpanCount} span(s)")]
    public static partial void ExportAccepted(ILogger logger, string frontDoor, int spanCount);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "{FrontDoor}: the bridge cannot take more now; {SpanCount} span(s) refused with a retryable status (the client retries)")]
    public static partial void ExportRefused(ILogger logger, string frontDoor, int spanCount);

    [LoggerMessage(EventId = 16, Level = LogLevel.Warning, Message = "{FrontDoor}: the bridge cannot take more now; an export request was refused unread with a retryable status (the client retries)")]
    public static partial void ExportRefusedUnread(ILogger logger, string frontDoor);

    [LoggerMessage(EventId = 18, Level = LogLevel.Warning, Message = "{FrontDoor}: {MaxConcurrentExports} export request(s) already in progress; one more was refused unread with a retryable status (the client retries)")]
    public static partial void ExportRefusedBusy(ILogger logger, string frontDoor, int maxConcurrentExports);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "{FrontDoor}: {RejectedCount} span(s) rejected, {AcceptedCount} taken: {Reason}")]
    public static partial void SpansRejected(ILogger logger, string frontDoor, int rejectedCount, int acceptedCount, string reason);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "{FrontDoor}: invalid request answered 400 / INVALID_ARGUMENT: {Reason}")]
    public static partial void RequestInvalid(ILogger logger, string frontDoor, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "{FrontDoor}: request larger than {MaxRequestBytes} bytes refused (413)")]
    public static partial void RequestTooLarge(ILogger logger, string frontDoor, int maxRequestBytes);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Shutting down: delivering what is held (up to {TimeoutSeconds} s)")]
    public static partial void ShuttingDown(ILogger logger, double timeoutSeconds);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Shutdown: {PendingCalls} call(s) were still pending when the wait ended; their spans stay in the durable log and the next start on this data directory delivers them")]
    public static partial void FlushIncomplete(ILogger logger, int pendingCalls);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Stopped: {DeliveredCalls} request(s) delivered, {DeliveredEvents} event(s)")]
    public static partial void Stopped(ILogger logger, long deliveredCalls, long deliveredEvents);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "Durable log in {LogDirectory} (cap {MaxLogBytes} bytes, fsync {Fsync}): {LeftBytes} byte(s) left by an earlier run to replay")]
    public static partial void DurableLog(ILogger logger, string logDirectory, long maxLogBytes, bool fsync, long leftBytes);

    [LoggerMessage(EventId = 14, Level = LogLevel.Information, Message = "Replayed {Records} record(s), {Spans} span(s) from the durable log")]
    public static partial void LogReplayed(ILogger logger, long records, long spans);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "Durable log damaged: {DamagedSegments} segment(s) with a torn or corrupt tail, {BytesSkipped} byte(s) skipped in {LogDirectory}; the intact records before the damage were replayed")]
    public static partial void LogDamaged(ILogger logger, long damagedSegments, long bytesSkipped, string logDirectory);

    [LoggerMessage(EventId = 17, Level = LogLevel.Information, Message = "Thread pool: at least {MinWorkers} worker(s), hill climbing {HillClimbing} (DOTNET_HillClimbing_Disable=0 in the environment turns it on)")]
    public static partial void ThreadPool(ILogger logger, int minWorkers, string hillClimbing);

    // Security (ids from 40, so that other parts can add theirs below without clashing).
    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "{FrontDoor}: request to {Path} refused (401 / UNAUTHENTICATED): {Reason}")]
    public static partial void Unauthenticated(ILogger logger, string frontDoor, string path, string reason);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "Bearer token authentication on: {TokenCount} token(s) accepted (/healthz and gRPC health stay open)")]
    public static partial void AuthenticationOn(ILogger logger, int tokenCount);

    [LoggerMessage(EventId = 42, Level = LogLevel.Information, Message = "TLS on both ports with the certificate {Subject} (expires {NotAfter:O})")]
    public static partial void TlsOn(ILogger logger, string subject, DateTime notAfter);
}
