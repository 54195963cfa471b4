// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.LocalApi.Implementation.Validation;

/// <summary>The JSON type a documented request field must have.</summary>
internal enum FieldKind
{
    /// <summary>A JSON string.</summary>
    String,

    /// <summary>A JSON string holding a UUID (<c>8-4-4-4-12</c> hex digits).</summary>
    Uuid,

    /// <summary>A JSON string or <c>null</c>.</summary>
    NullableString,

    /// <summary>A JSON object.</summary>
    Object,

    /// <summary>A JSON array of strings.</summary>
    StringArray,

    /// <summary>A JSON number.</summary>
    Number,

    /// <summary>A JSON boolean.</summary>
    Boolean,

    /// <summary>One of <c>chain</c>, <c>model</c>, <c>tool</c>, <c>session</c>.</summary>
    EventType,

    /// <summary>Any value: checked by the caller (session ids and session times have their own rules).</summary>
    Any,
}
