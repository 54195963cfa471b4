// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>The JSON type of one request field's value.</summary>
internal enum ApiValueKind
{
    /// <summary>A JSON string.</summary>
    String,

    /// <summary>A JSON string or <c>null</c>.</summary>
    NullableString,

    /// <summary>A JSON number.</summary>
    Number,

    /// <summary>A JSON number without a fractional part (Unix milliseconds).</summary>
    Integer,

    /// <summary>A JSON object.</summary>
    Object,

    /// <summary>A JSON array of strings.</summary>
    StringArray,

    /// <summary>A JSON array of objects described by <see cref="ApiField.Items"/>.</summary>
    ObjectArray,
}
