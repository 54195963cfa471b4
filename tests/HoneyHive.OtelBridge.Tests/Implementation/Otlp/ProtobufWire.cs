// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text;

namespace HoneyHive.OtelBridge.Tests.Implementation.Otlp;

/// <summary>Writes protobuf fields byte by byte, so tests can build what no generated encoder writes: fields out of
/// order, given twice, unknown, with the wrong wire type, or malformed.</summary>
internal static class ProtobufWire
{
    public static byte[] Message(params byte[][] fields) => [.. fields.SelectMany(f => f)];

    public static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }

    public static byte[] Tag(int field, int wireType) => Varint(((ulong)(uint)field << 3) | (uint)wireType);

    public static byte[] VarintField(int field, ulong value) => [.. Tag(field, 0), .. Varint(value)];

    public static byte[] Fixed64Field(int field, ulong value) => [.. Tag(field, 1), .. BitConverter.GetBytes(value)];

    public static byte[] Fixed32Field(int field, uint value) => [.. Tag(field, 5), .. BitConverter.GetBytes(value)];

    public static byte[] BytesField(int field, byte[] payload) => [.. Tag(field, 2), .. Varint((ulong)payload.Length), .. payload];

    public static byte[] StringField(int field, string value) => BytesField(field, Encoding.UTF8.GetBytes(value));

    public static byte[] MessageField(int field, params byte[][] fields) => BytesField(field, Message(fields));

    public static byte[] GroupField(int field, params byte[][] fields) => [.. Tag(field, 3), .. Message(fields), .. Tag(field, 4)];
}
