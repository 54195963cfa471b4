// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using System.Text.Json;

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>
/// Where an encoded event's JSON takes another <c>session_id</c>, as <see cref="EventJsonWriter"/> reported it: the
/// bytes <c>[Offset, Offset + Cut)</c> (the event's own <c>session_id</c> property with the comma before it, or nothing
/// when it has none) are replaced by the property <c>"session_id":"&lt;id&gt;"</c>, with a comma before it
/// (<see cref="CommaBefore"/>) or after it (<see cref="CommaAfter"/>) where the writer would put one. The JSON
/// written so is the bytes the serializer writes for the event with that <c>session_id</c>: what a cross-session
/// <c>POST /v1/events/batch</c> sends, spliced while the body is written instead of kept as a second JSON.
/// The default value (<see cref="IsNone"/>) is "nothing to splice": the JSON has the session already.
/// </summary>
/// <param name="Offset">Where the property goes (after the event's opening brace, so never 0 for a real splice).</param>
/// <param name="Cut">How many bytes of the event's JSON the property replaces there.</param>
/// <param name="CommaBefore">Whether a comma goes before the property.</param>
/// <param name="CommaAfter">Whether a comma goes after the property.</param>
internal readonly record struct SessionSplice(int Offset, int Cut, bool CommaBefore, bool CommaAfter)
{
    /// <summary>The bytes of <c>"session_id":"</c>.</summary>
    private static ReadOnlySpan<byte> PropertyStart => "\"session_id\":\""u8;

    /// <summary>The longest property <see cref="Property(string, Span{byte})"/> writes without an array (a UUID's is 51
    /// bytes).</summary>
    public const int MaxPlainPropertyBytes = 128;

    /// <summary>Gets a value indicating whether there is nothing to splice (the JSON has the session already).</summary>
    public bool IsNone => this.Offset == 0;

    /// <summary>
    /// Gets the property <c>"session_id":"&lt;id&gt;"</c> as <see cref="Utf8JsonWriter"/> with its default options
    /// writes it (escaped, and a lone surrogate replaced, as the writer does: not <see cref="JsonEncodedText"/>, which
    /// throws on one).
    /// </summary>
    /// <param name="sessionId">The session id.</param>
    /// <returns>The property's bytes.</returns>
    public static byte[] Property(string sessionId)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        if (IsPlain(sessionId))
        {
            var property = new byte[PropertyStart.Length + sessionId.Length + 1];
            TryWritePlainProperty(sessionId, property, out _);
            return property;
        }

        // {"session_id":"..."}: the property is what lies between the braces.
        var buffer = new ArrayBufferWriter<byte>(PropertyStart.Length + (sessionId.Length * 6) + 3);
        using (var writer = new Utf8JsonWriter(buffer, ApiJsonWriterOptions.Value))
        {
            writer.WriteStartObject();
            writer.WriteString("session_id"u8, sessionId);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan[1..^1].ToArray();
    }

    /// <summary>
    /// Gets the property <c>"session_id":"&lt;id&gt;"</c> (as <see cref="Property(string)"/>): written into
    /// <paramref name="plainBuffer"/> when the id is written as it is and fits (<see cref="TryWritePlainProperty"/>,
    /// no array), otherwise a new array.
    /// </summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="plainBuffer">Where a plain id's property is written (<see cref="MaxPlainPropertyBytes"/> long).</param>
    /// <returns>The property's bytes.</returns>
    public static ReadOnlySpan<byte> Property(string sessionId, Span<byte> plainBuffer) =>
        TryWritePlainProperty(sessionId, plainBuffer, out var written) ? plainBuffer[..written] : Property(sessionId);

    /// <summary>
    /// Writes the property <c>"session_id":"&lt;id&gt;"</c> when the writer writes the id as it is (a UUID, as every
    /// derived session id is: ASCII letters, digits, '-', '_', '.') and it fits: no array needed.
    /// </summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="destination">Where to write.</param>
    /// <param name="written">The property's length.</param>
    /// <returns>Whether it was written (false: use <see cref="Property(string)"/>).</returns>
    public static bool TryWritePlainProperty(string sessionId, Span<byte> destination, out int written)
    {
        written = PropertyStart.Length + sessionId.Length + 1;
        if (written > destination.Length || !IsPlain(sessionId))
        {
            written = 0;
            return false;
        }

        PropertyStart.CopyTo(destination);
        for (var i = 0; i < sessionId.Length; i++)
        {
            destination[PropertyStart.Length + i] = (byte)sessionId[i];
        }

        destination[written - 1] = (byte)'"';
        return true;
    }

    /// <summary>Gets the length of the spliced JSON.</summary>
    /// <param name="jsonLength">The length of the event's JSON.</param>
    /// <param name="propertyLength">The length of the property (<see cref="Property(string)"/>).</param>
    /// <returns>The length.</returns>
    public int SplicedLength(int jsonLength, int propertyLength) =>
        jsonLength - this.Cut + propertyLength + (this.CommaBefore ? 1 : 0) + (this.CommaAfter ? 1 : 0);

    /// <summary>Writes the event's JSON with the property spliced in.</summary>
    /// <param name="json">The event's JSON.</param>
    /// <param name="property">The property (<see cref="Property(string)"/>).</param>
    /// <param name="destination">Where to write, at least <see cref="SplicedLength"/> long.</param>
    /// <returns>The number of bytes written.</returns>
    public int Write(ReadOnlySpan<byte> json, ReadOnlySpan<byte> property, Span<byte> destination)
    {
        var rest = destination;
        json[..this.Offset].CopyTo(rest);
        rest = rest[this.Offset..];
        if (this.CommaBefore)
        {
            rest[0] = (byte)',';
            rest = rest[1..];
        }

        property.CopyTo(rest);
        rest = rest[property.Length..];
        if (this.CommaAfter)
        {
            rest[0] = (byte)',';
            rest = rest[1..];
        }

        var suffix = json[(this.Offset + this.Cut)..];
        suffix.CopyTo(rest);
        return destination.Length - rest.Length + suffix.Length;
    }

    /// <summary>Whether every character is one the writer writes as it is (ASCII letters, digits, '-', '_', '.').</summary>
    private static bool IsPlain(string value)
    {
        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
