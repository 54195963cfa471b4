// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Collections.Concurrent;
using HoneyHive.OtelBridge.Implementation.Exporter;
using HoneyHive.OtelBridge.Implementation.Spans;
using HoneyHive.OtelBridge.Tests.Implementation.Mapping;

namespace HoneyHive.OtelBridge.Tests.Implementation.Exporter;

public sealed class SpanIntakeTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public void TryReserve_BatchesCountedInSpans_RefusedOnlyWhenTheSpansDoNotFit()
    {
        // Arrange
        var intake = new SpanIntake(10, _ => { });

        // Act
        var six = intake.TryReserve(6);
        var five = intake.TryReserve(5);
        var four = intake.TryReserve(4);
        var one = intake.TryReserve(1);
        intake.CancelReservation(6);
        var fiveAfterCancel = intake.TryReserve(5);

        // Assert
        Assert.True(six);
        Assert.False(five);
        Assert.True(four);
        Assert.False(one);
        Assert.True(fiveAfterCancel);
        Assert.Equal(9, intake.SpanCount);
    }

    [Fact]
    public void Enqueue_WorkerRunning_BatchesProcessedInOrderAndTheRoomIsGivenBack()
    {
        // Arrange
        var processed = new ConcurrentQueue<IntakeBatch>();
        var intake = new SpanIntake(100, processed.Enqueue);
        var batches = Enumerable.Range(1, 5).Select(Batch).ToList();
        intake.Start();

        // Act
        foreach (var batch in batches)
        {
            Assert.True(intake.TryReserve(batch.Spans.Count));
            Assert.True(intake.Enqueue(batch));
        }

        var done = intake.WaitForQueued(Long);
        intake.Stop(Long);

        // Assert
        Assert.True(done);
        Assert.Equal(batches, processed);
        Assert.Equal(0, intake.SpanCount);
    }

    [Fact]
    public void WaitForQueued_WorkerHeld_FalseUntilReleased()
    {
        // Arrange
        var intake = new SpanIntake(100, _ => { });
        intake.Start();
        var held = intake.Hold();
        Add(intake, Batch(3));

        // Act
        var whileHeld = intake.WaitForQueued(TimeSpan.Zero);
        var countWhileHeld = intake.SpanCount;
        held.Dispose();
        var released = intake.WaitForQueued(Long);
        intake.Stop(Long);

        // Assert
        Assert.False(whileHeld);
        Assert.Equal(3, countWhileHeld);
        Assert.True(released);
    }

    [Fact]
    public void Stop_WorkerHeld_ReturnsTheQueuedBatchesOldestFirstAndTakesNoMore()
    {
        // Arrange
        var processed = new ConcurrentQueue<IntakeBatch>();
        var intake = new SpanIntake(100, processed.Enqueue);
        intake.Start();
        using var held = intake.Hold();
        var batches = Enumerable.Range(1, 3).Select(Batch).ToList();
        batches.ForEach(b => Add(intake, b));
        Assert.True(intake.TryReserve(4));

        // Act
        var left = intake.Stop(Long);
        var reservedThenStopped = intake.Enqueue(Batch(4));
        var afterStop = intake.TryReserve(1);
        var again = intake.Stop(Long);

        // Assert
        Assert.Equal(batches, left);
        Assert.Empty(processed);
        Assert.False(reservedThenStopped);
        Assert.False(afterStop);
        Assert.Empty(again);
        Assert.True(intake.IsClosed);
        Assert.Equal(0, intake.SpanCount);
        Assert.True(intake.WaitForQueued(TimeSpan.Zero));
    }

    [Fact]
    public void Stop_CallbackPausing_PauseEndsAndTheCallbackGivesUp()
    {
        // Arrange: a callback that pauses until the intake stops (as the exporter's does while the pipeline is saturated).
        using var pausing = new ManualResetEventSlim();
        var gaveUp = false;
        SpanIntake? intake = null;
        intake = new SpanIntake(100, _ =>
        {
            pausing.Set();
            while (intake!.Pause(TimeSpan.FromMilliseconds(10)))
            {
            }

            gaveUp = true;
        });
        intake.Start();
        Add(intake, Batch(1));
        Assert.True(pausing.Wait(Long));

        // Act
        var left = intake.Stop(Long);

        // Assert: Stop waited for the worker, whose callback saw the stop.
        Assert.Empty(left);
        Assert.True(gaveUp);
        Assert.Equal(0, intake.SpanCount);
    }

    [Fact]
    public void Close_WorkerRunning_RefusesNewBatchesAndFinishesQueuedOnes()
    {
        // Arrange
        var processed = new ConcurrentQueue<IntakeBatch>();
        var intake = new SpanIntake(100, processed.Enqueue);
        intake.Start();
        var held = intake.Hold();
        var queued = Batch(2);
        Add(intake, queued);

        // Act
        intake.Close();
        var reserve = intake.TryReserve(1);
        held.Dispose();
        var done = intake.WaitForQueued(Long);
        intake.Stop(Long);

        // Assert
        Assert.False(reserve);
        Assert.True(done);
        Assert.Equal([queued], processed);
    }

    private static void Add(SpanIntake intake, IntakeBatch batch)
    {
        Assert.True(intake.TryReserve(batch.Spans.Count));
        Assert.True(intake.Enqueue(batch));
    }

    private static IntakeBatch Batch(int spans) =>
        new([.. Enumerable.Range(1, spans).Select(i => (SpanRecord)TestSpans.Span(i))], Logged: false);
}
