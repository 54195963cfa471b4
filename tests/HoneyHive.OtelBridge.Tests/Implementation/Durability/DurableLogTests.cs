// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text;
using HoneyHive.OtelBridge.Implementation.Durability;

namespace HoneyHive.OtelBridge.Tests.Implementation.Durability;

public sealed class DurableLogTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "hh-log-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(this.directory))
        {
            Directory.Delete(this.directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TryAppend_ThenReopen_ReadExistingGivesEveryRecordInOrderWithItsPosition(bool fsync)
    {
        // Arrange
        var positions = new List<long>();
        using (var log = new DurableLog(new DurableLogOptions { Directory = this.directory, Fsync = fsync }))
        {
            foreach (var text in new[] { "one", "two", "three" })
            {
                Assert.True(log.TryAppend(Encoding.UTF8.GetBytes(text), out var position));
                positions.Add(position);
            }
        }

        // Act
        using var reopened = this.Open();
        var records = reopened.ReadExisting().ToList();

        // Assert
        Assert.Equal([0L, 1L, 2L], positions);
        Assert.Equal(["one", "two", "three"], records.Select(r => Encoding.UTF8.GetString(r.Payload)));
        Assert.Equal(positions, records.Select(r => r.Position));
        Assert.Equal(0, reopened.BytesSkipped);
        Assert.True(reopened.NextPosition > 2, "a new start appends above every existing position");
    }

    [Fact]
    public void TryAppend_AfterReopen_StartsANewSegmentAndNeverAppendsToTheOldOne()
    {
        // Arrange
        long oldLength;
        using (var log = this.Open())
        {
            Assert.True(log.TryAppend("old"u8, out _));
            oldLength = new FileInfo(Directory.GetFiles(this.directory).Single()).Length;
        }

        using var reopened = this.Open();

        // Act
        Assert.True(reopened.TryAppend("new"u8, out var position));

        // Assert
        var files = Directory.GetFiles(this.directory).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, files.Count);
        Assert.Equal(oldLength, new FileInfo(files[0]).Length);
        Assert.Equal(position.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) + DurableLog.SegmentExtension, Path.GetFileName(files[1]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(9)]
    public void ReadExisting_TailTornMidRecord_ReturnsTheIntactRecordsAndCountsTheSkippedBytes(int bytesCut)
    {
        // Arrange
        using (var log = this.Open())
        {
            Assert.True(log.TryAppend("first record"u8, out _));
            Assert.True(log.TryAppend("second record"u8, out _));
            Assert.True(log.TryAppend("third"u8, out _));
        }

        var file = Directory.GetFiles(this.directory).Single();
        var length = new FileInfo(file).Length;
        using (var stream = new FileStream(file, FileMode.Open))
        {
            stream.SetLength(length - bytesCut);
        }

        using var reopened = this.Open();

        // Act
        var records = reopened.ReadExisting().ToList();

        // Assert
        Assert.Equal(["first record", "second record"], records.Select(r => Encoding.UTF8.GetString(r.Payload)));
        Assert.Equal(DurableLog.RecordHeaderBytes + 5 - bytesCut, reopened.BytesSkipped);
        Assert.Equal(1, reopened.DamagedSegments);
    }

    [Fact]
    public void ReadExisting_PayloadByteFlipped_StopsAtTheBadCrcAndReportsIt()
    {
        // Arrange
        using (var log = this.Open())
        {
            Assert.True(log.TryAppend("good"u8, out _));
            Assert.True(log.TryAppend("flipped"u8, out _));
            Assert.True(log.TryAppend("after"u8, out _));
        }

        var file = Directory.GetFiles(this.directory).Single();
        var bytes = File.ReadAllBytes(file);
        var secondPayload = 8 + DurableLog.RecordHeaderBytes + 4 + DurableLog.RecordHeaderBytes;
        bytes[secondPayload] ^= 0xFF;
        File.WriteAllBytes(file, bytes);
        using var reopened = this.Open();

        // Act
        var records = reopened.ReadExisting().ToList();

        // Assert
        Assert.Equal(["good"], records.Select(r => Encoding.UTF8.GetString(r.Payload)));
        Assert.Equal(bytes.Length - (secondPayload - DurableLog.RecordHeaderBytes), reopened.BytesSkipped);
    }

    [Fact]
    public void ReadExisting_NotALogFile_IsSkippedWholeNotThrown()
    {
        // Arrange
        Directory.CreateDirectory(this.directory);
        File.WriteAllText(Path.Combine(this.directory, "00000000000000000000" + DurableLog.SegmentExtension), "garbage that is not a segment");
        using var log = this.Open();

        // Act
        var records = log.ReadExisting().ToList();

        // Assert
        Assert.Empty(records);
        Assert.Equal(29, log.BytesSkipped);
    }

    [Fact]
    public void TryAppend_LogAtItsCap_RefusesUntilSegmentsBelowTheWatermarkAreRemoved()
    {
        // Arrange
        using var log = this.Open(maxBytes: 1024, segmentBytes: 256);
        var payload = new byte[100];
        var positions = new List<long>();
        while (log.TryAppend(payload, out var position))
        {
            positions.Add(position);
            Assert.True(positions.Count < 100, "the cap must stop appends");
        }

        var full = log.TotalBytes;

        // Act
        var removed = log.RemoveBelow(positions[4]);
        var appendedAfter = log.TryAppend(payload, out _);

        // Assert
        Assert.True(full + DurableLog.RecordHeaderBytes + payload.Length > 1024, "refused only when the record would not fit");
        Assert.True(full <= 1024);
        Assert.True(removed > 0);
        Assert.True(appendedAfter);
    }

    [Fact]
    public void RemoveBelow_Watermark_DeletesOnlySegmentsWhoseEveryRecordIsBelowIt()
    {
        // Arrange: two 100-byte records fill a 256-byte segment (8 header + 2 * 108).
        using var log = this.Open(segmentBytes: 256);
        var payload = new byte[100];
        for (var i = 0; i < 6; i++)
        {
            Assert.True(log.TryAppend(payload, out _));
        }

        Assert.Equal(3, log.SegmentCount);

        // Act
        log.RemoveBelow(3);
        var afterFirst = log.SegmentCount;
        log.RemoveBelow(log.NextPosition);

        // Assert
        Assert.Equal(2, afterFirst);
        Assert.Equal(0, log.SegmentCount);
        Assert.Empty(Directory.GetFiles(this.directory));
        Assert.True(log.TryAppend(payload, out var next));
        Assert.Equal(6, next);
    }

    private DurableLog Open(long maxBytes = DurableLogOptions.DefaultMaxBytes, long segmentBytes = DurableLogOptions.DefaultSegmentBytes) =>
        new(new DurableLogOptions { Directory = this.directory, MaxBytes = maxBytes, SegmentBytes = segmentBytes });
}
