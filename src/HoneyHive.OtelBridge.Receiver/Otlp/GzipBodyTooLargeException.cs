// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Receiver.Otlp;

/// <summary>A gzip request body decompresses to more than the receiver's size limit (<see cref="GzipBodyStream"/>).</summary>
internal sealed class GzipBodyTooLargeException : IOException
{
    public GzipBodyTooLargeException()
    {
    }

    public GzipBodyTooLargeException(string message)
        : base(message)
    {
    }

    public GzipBodyTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
