// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Text;
using System.Text.Json;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// Writes each call as one JSON line, <c>{"method","path","body"}</c>: what
/// <c>honeyhive-bridge map</c> prints and what the golden files hold.
/// </summary>
internal sealed class ApiCallJsonLinesSink(TextWriter output) : IApiCallSink
{
    /// <summary>Formats one call as a JSON line (without the newline).</summary>
    /// <param name="call">The call.</param>
    /// <returns>The JSON text.</returns>
    public static string Format(ApiCall call)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, ApiJsonWriterOptions.Value))
        {
            writer.WriteStartObject();
            writer.WriteString("method", call.Method);
            writer.WriteString("path", call.Path);
            writer.WritePropertyName("body");
            call.WriteBody(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <inheritdoc/>
    public void Submit(IReadOnlyList<ApiCall> calls)
    {
        foreach (var call in calls)
        {
            output.WriteLine(Format(call));
            // Written for the last time: the pooled documents of the mapped events go back.
            call.ReleaseDocuments();
        }
    }
}
