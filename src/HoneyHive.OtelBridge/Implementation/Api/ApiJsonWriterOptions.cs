// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.Encodings.Web;
using System.Text.Json;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// How the bodies of API requests are written: compact JSON with text as UTF-8
/// (<see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>), escaping only what JSON requires (quotes, backslashes,
/// control characters; characters outside the Basic Multilingual Plane and invalid UTF-16 as <c>\u</c> escapes, as
/// before). The default encoder also escapes every non-ASCII character and <c>&lt; &gt; &amp; ' + `</c> (for JSON
/// put into HTML, which an API body never is): a Japanese or Chinese prompt went out as six bytes a character
/// instead of three. The JSON means the same either way; the API reads both.
/// </summary>
internal static class ApiJsonWriterOptions
{
    /// <summary>Gets the encoder of request bodies.</summary>
    public static JavaScriptEncoder Encoder => JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>Gets the options of every writer of a request body.</summary>
    public static JsonWriterOptions Value { get; } = new() { Encoder = Encoder };
}
