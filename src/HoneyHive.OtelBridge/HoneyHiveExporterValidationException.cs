// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge;

/// <summary>
/// Thrown when the tracer provider is built with <see cref="HoneyHiveExporterOptions"/> that cannot work (for
/// example, no API key). The message names the setting to fix; it never contains the API key.
/// </summary>
public sealed class HoneyHiveExporterValidationException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="HoneyHiveExporterValidationException"/> class.</summary>
    public HoneyHiveExporterValidationException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="HoneyHiveExporterValidationException"/> class.</summary>
    /// <param name="message">The message, naming the setting to fix.</param>
    public HoneyHiveExporterValidationException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="HoneyHiveExporterValidationException"/> class.</summary>
    /// <param name="message">The message, naming the setting to fix.</param>
    /// <param name="innerException">The cause.</param>
    public HoneyHiveExporterValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
