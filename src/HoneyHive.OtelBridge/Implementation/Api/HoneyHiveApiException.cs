// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// A failed HoneyHive API call. The message names the method, the path, the status and the API's own message;
/// it never contains the API key (the client removes it even from an API message that echoes it).
/// </summary>
internal sealed class HoneyHiveApiException : Exception
{
    public HoneyHiveApiException()
        : this(HoneyHiveApiErrorReason.ClientError, "HoneyHive API call failed.")
    {
    }

    public HoneyHiveApiException(string message)
        : this(HoneyHiveApiErrorReason.ClientError, message)
    {
    }

    public HoneyHiveApiException(string message, Exception innerException)
        : this(HoneyHiveApiErrorReason.ClientError, message, innerException: innerException)
    {
    }

    public HoneyHiveApiException(
        HoneyHiveApiErrorReason reason,
        string message,
        int? statusCode = null,
        string? errorCode = null,
        string? apiMessage = null,
        TimeSpan? retryAfter = null,
        Exception? innerException = null)
        : base(message, innerException)
    {
        this.Reason = reason;
        this.StatusCode = statusCode;
        this.ErrorCode = errorCode;
        this.ApiMessage = apiMessage;
        this.RetryAfter = retryAfter;
    }

    /// <summary>Gets the reason of the failure.</summary>
    public HoneyHiveApiErrorReason Reason { get; }

    /// <summary>Gets the HTTP status code, or <see langword="null"/> when no answer came (timeout, connection).</summary>
    public int? StatusCode { get; }

    /// <summary>Gets the <c>errorCode</c> of the API's error body, if any.</summary>
    public string? ErrorCode { get; }

    /// <summary>Gets the <c>message</c> of the API's error body (or a short excerpt of a non-JSON body).</summary>
    public string? ApiMessage { get; }

    /// <summary>Gets how long the API asked to wait before retrying (<c>Retry-After</c>), if it said.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Gets a value indicating whether sending the same request again may succeed.</summary>
    public bool IsRetryable => IsRetryableReason(this.Reason);

    internal static bool IsRetryableReason(HoneyHiveApiErrorReason reason) => reason switch
    {
        HoneyHiveApiErrorReason.RateLimited => true,
        HoneyHiveApiErrorReason.PartiallyAdded => true,
        HoneyHiveApiErrorReason.Unavailable => true,
        HoneyHiveApiErrorReason.Timeout => true,
        HoneyHiveApiErrorReason.Connection => true,
        _ => false,
    };
}
