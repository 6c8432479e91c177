using MiniKube.Scheduler.Queue;

namespace MiniKube.Scheduler.Tests.Queue;

/// <summary>Parked pods return to the active queue with their priority and the time they were parked.</summary>
public sealed class SchedulingQueueTests
{
    [Test]
    public async Task MoveAllToActive_ParkedPods_RankByPriorityThenByWhenTheyWereParked()
    {
        var clock = new SteppingClock();
        var queue = new SchedulingQueue(clock);
        queue.MarkUnschedulable("parked-low", 0, waitsForPodAffinity: false);
        queue.MarkUnschedulable("parked-high", 100, waitsForPodAffinity: false);
        queue.Add("new-low", 0);

        Assert.That(queue.MoveAllToActive(), Is.EqualTo(2));

        Assert.That(await DrainAsync(queue, 3), Is.EqualTo(new[] { "parked-high", "parked-low", "new-low" }));
    }

    [Test]
    public async Task MoveWaitingForPodAffinity_MovesOnlyThose()
    {
        var queue = new SchedulingQueue(new SteppingClock());
        queue.MarkUnschedulable("affinity", 0, waitsForPodAffinity: true);
        queue.MarkUnschedulable("resources", 0, waitsForPodAffinity: false);

        Assert.That(queue.MoveWaitingForPodAffinity(), Is.EqualTo(1));

        Assert.That(await DrainAsync(queue, 1), Is.EqualTo(new[] { "affinity" }));
    }

    private static async Task<List<string>> DrainAsync(SchedulingQueue queue, int count)
    {
        var seen = new List<string>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var run = queue.RunAsync((key, _) =>
        {
            seen.Add(key);
            if (seen.Count == count)
            {
                done.TrySetResult();
            }
            return Task.CompletedTask;
        }, stop.Token);
        await done.Task.WaitAsync(stop.Token);
        await stop.CancelAsync();
        await run;
        return seen;
    }

    /// <summary>Each reading is a second after the previous one, so every event has its own time.</summary>
    private sealed class SteppingClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now += TimeSpan.FromSeconds(1);
    }
}
