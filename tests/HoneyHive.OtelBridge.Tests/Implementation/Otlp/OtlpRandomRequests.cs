// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text;
using static HoneyHive.OtelBridge.Tests.Implementation.Otlp.ProtobufWire;

namespace HoneyHive.OtelBridge.Tests.Implementation.Otlp;

/// <summary>Seeded random OTLP export requests in the protobuf encoding, with what real exporters never write mixed
/// in: invalid ids, zero and reversed times, unknown fields of every wire type, fields given twice or out of order,
/// every attribute value kind nested a few levels, invalid UTF-8.</summary>
internal sealed class OtlpRandomRequests(int seed)
{
    private static readonly string[] Keys = ["gen_ai.system", "gen_ai.request.model", "http.method", "k", "ключ", "emoji😀", string.Empty];

    private readonly Random random = new(seed);

    public byte[] Request()
    {
        var fields = new List<byte[]>();
        for (var r = this.random.Next(0, 3); r >= 0; r--)
        {
            fields.Add(MessageField(1, this.ResourceSpans()));
        }

        return this.Finish(fields);
    }

    private byte[] ResourceSpans()
    {
        var fields = new List<byte[]>();
        if (this.Chance(0.8))
        {
            fields.Add(MessageField(1, this.Resource()));
        }

        if (this.Chance(0.1))
        {
            fields.Add(MessageField(1, this.Resource()));
        }

        for (var s = this.random.Next(0, 3); s >= 0; s--)
        {
            fields.Add(MessageField(2, this.ScopeSpans()));
        }

        if (this.Chance(0.3))
        {
            fields.Add(StringField(3, "https://opentelemetry.io/schemas/1.24.0"));
        }

        return this.Finish(fields);
    }

    private byte[] Resource() => this.Finish([.. this.Attributes(1, 4)]);

    private byte[] ScopeSpans()
    {
        var fields = new List<byte[]>();
        if (this.Chance(0.8))
        {
            fields.Add(MessageField(1, this.Scope()));
        }

        if (this.Chance(0.1))
        {
            fields.Add(MessageField(1, this.Scope()));
        }

        for (var i = this.random.Next(0, 5); i >= 0; i--)
        {
            fields.Add(MessageField(2, this.Span()));
        }

        return this.Finish(fields);
    }

    private byte[] Scope()
    {
        var fields = new List<byte[]>();
        if (this.Chance(0.7))
        {
            fields.Add(BytesField(1, this.Text()));
        }

        if (this.Chance(0.5))
        {
            fields.Add(BytesField(2, this.Text()));
        }

        fields.AddRange(this.Attributes(3, 2));
        return this.Finish(fields);
    }

    private byte[] Span()
    {
        var fields = new List<byte[]>
        {
            BytesField(1, this.Id(16)),
            BytesField(2, this.Id(8)),
        };
        if (this.Chance(0.5))
        {
            fields.Add(BytesField(4, this.Id(8)));
        }

        if (this.Chance(0.2))
        {
            fields.Add(StringField(3, "rojo=00f067aa0ba902b7"));
        }

        if (this.Chance(0.9))
        {
            fields.Add(BytesField(5, this.Text()));
        }

        if (this.Chance(0.7))
        {
            fields.Add(VarintField(6, this.Chance(0.9) ? (ulong)this.random.Next(0, 6) : ulong.MaxValue - (ulong)this.random.Next(0, 3)));
        }

        var start = this.Time();
        fields.Add(Fixed64Field(7, start));
        if (this.Chance(0.9))
        {
            fields.Add(Fixed64Field(8, this.Chance(0.7) ? start + (ulong)this.random.Next(0, 1000) : this.Time()));
        }

        fields.AddRange(this.Attributes(9, 6));
        for (var e = this.random.Next(-1, 3); e > 0; e--)
        {
            fields.Add(MessageField(11, this.Event()));
        }

        for (var l = this.random.Next(-1, 3); l > 0; l--)
        {
            fields.Add(MessageField(13, this.Link()));
        }

        for (var st = this.random.Next(-1, 3); st > 0; st--)
        {
            fields.Add(MessageField(15, this.Status()));
        }

        if (this.Chance(0.2))
        {
            fields.Add(Fixed32Field(16, 0x101));
        }

        return this.Finish(fields);
    }

    private byte[] Event()
    {
        var fields = new List<byte[]>();
        if (this.Chance(0.8))
        {
            fields.Add(Fixed64Field(1, this.Time()));
        }

        if (this.Chance(0.8))
        {
            fields.Add(BytesField(2, this.Text()));
        }

        fields.AddRange(this.Attributes(3, 3));
        return this.Finish(fields);
    }

    private byte[] Link()
    {
        var fields = new List<byte[]> { BytesField(1, this.Id(16)), BytesField(2, this.Id(8)) };
        fields.AddRange(this.Attributes(4, 2));
        return this.Finish(fields);
    }

    private byte[] Status()
    {
        var fields = new List<byte[]>();
        if (this.Chance(0.6))
        {
            fields.Add(BytesField(2, this.Text()));
        }

        if (this.Chance(0.7))
        {
            fields.Add(VarintField(3, (ulong)this.random.Next(0, 4)));
        }

        return this.Finish(fields);
    }

    private IEnumerable<byte[]> Attributes(int field, int max)
    {
        for (var a = this.random.Next(-1, max + 1); a > 0; a--)
        {
            yield return MessageField(field, this.KeyValue(0));
        }
    }

    private byte[] KeyValue(int level)
    {
        var fields = new List<byte[]>();
        if (this.Chance(0.95))
        {
            fields.Add(this.Chance(0.7) ? StringField(1, Keys[this.random.Next(Keys.Length)]) : BytesField(1, this.Text()));
        }

        if (this.Chance(0.9))
        {
            fields.Add(MessageField(2, this.AnyValue(level)));
        }

        if (this.Chance(0.05))
        {
            fields.Add(MessageField(2, this.AnyValue(level)));
        }

        return this.Finish(fields);
    }

    private byte[] AnyValue(int level)
    {
        var fields = new List<byte[]>();
        for (var members = this.Chance(0.1) ? this.random.Next(0, 4) : 1; members > 0; members--)
        {
            fields.Add(this.random.Next(level < 5 ? 8 : 6) switch
            {
                0 => BytesField(1, this.Text()),
                1 => VarintField(2, this.Chance(0.5) ? 0UL : (ulong)this.random.NextInt64()),
                2 => VarintField(3, (ulong)this.random.NextInt64(long.MinValue, long.MaxValue)),
                3 => Fixed64Field(4, (ulong)BitConverter.DoubleToInt64Bits(this.Chance(0.1) ? double.NaN : this.random.NextDouble() * 1e6)),
                4 => BytesField(7, this.Id(this.random.Next(0, 5))),
                5 => [],
                6 => MessageField(5, [.. Enumerable.Range(0, this.random.Next(0, 4)).Select(_ => MessageField(1, this.AnyValue(level + 1)))]),
                _ => MessageField(6, [.. Enumerable.Range(0, this.random.Next(0, 3)).Select(_ => MessageField(1, this.KeyValue(level + 1)))]),
            });
        }

        return this.Finish(fields);
    }

    private byte[] Id(int length)
    {
        var bytes = new byte[this.random.Next(20) switch { 0 => 0, 1 => Math.Max(0, length - 1), 2 => length + 1, _ => length }];
        if (!this.Chance(0.05))
        {
            this.random.NextBytes(bytes);
        }

        return bytes;
    }

    private ulong Time() => this.random.Next(12) switch
    {
        0 => 0,
        1 => ulong.MaxValue - (ulong)this.random.Next(0, 10),
        _ => 1_714_492_800_000_000_000UL + (ulong)this.random.Next(0, 1_000_000),
    };

    // Mostly valid UTF-8 (Google.Protobuf refuses a request with an invalid string).
    private byte[] Text() => this.random.Next(1000) switch
    {
        < 100 => [],
        < 101 => [0xFF, (byte)'a', 0xC3],
        < 102 => [0xE2, 0x82],
        < 300 => Encoding.UTF8.GetBytes("chat gpt-4o ✓"),
        < 400 => Encoding.UTF8.GetBytes(new string('x', this.random.Next(90, 110))),
        _ => Encoding.UTF8.GetBytes("name" + this.random.Next(10)),
    };

    // Mixes in what no exporter writes: an unknown field of some wire type, a field again, another order.
    private byte[] Finish(List<byte[]> fields)
    {
        if (this.Chance(0.15))
        {
            fields.Insert(this.random.Next(fields.Count + 1), this.Unknown());
        }

        if (fields.Count > 0 && this.Chance(0.08))
        {
            fields.Insert(this.random.Next(fields.Count + 1), fields[this.random.Next(fields.Count)]);
        }

        if (this.Chance(0.15))
        {
            var shuffled = fields.ToArray();
            this.random.Shuffle(shuffled);
            return Message(shuffled);
        }

        return Message([.. fields]);
    }

    // A field the message does not declare, or a declared one with another wire type.
    private byte[] Unknown()
    {
        var field = this.Chance(0.5) ? this.random.Next(1, 8) : this.random.Next(17, 100_000);
        return this.random.Next(6) switch
        {
            0 => VarintField(field, (ulong)this.random.NextInt64()),
            1 => Fixed64Field(field, 7),
            2 => Fixed32Field(field, 7),
            3 => BytesField(field, [1, 2, 3]),
            4 => GroupField(field, VarintField(1, 1), GroupField(2, StringField(3, "x"))),
            _ => BytesField(field, MessageField(1, StringField(1, "nested"))),
        };
    }

    private bool Chance(double p) => this.random.NextDouble() < p;
}
