// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.LocalApi.Implementation.Http;

/// <summary>A request the API refuses: answered as <c>{"statusCode", "message", "success": false, "errorCode"}</c>.</summary>
internal sealed class ApiException : Exception
{
    public ApiException(int statusCode, string errorCode, string message)
        : base(message)
    {
        this.StatusCode = statusCode;
        this.ErrorCode = errorCode;
    }

    public int StatusCode { get; }

    public string ErrorCode { get; }

    public static ApiException BadRequest(string message) => new(400, ErrorCodes.BadRequest, message);
}
