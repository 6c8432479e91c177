using MiniKube.Scheduler.Queue;

namespace MiniKube.Scheduler.Tests.Queue;

/// <summary>The active queue's order (upstream's PrioritySort) and its at-most-once hand-out.</summary>
public sealed class ActiveQueueTests
{
    private readonly ManualClock _clock = new();

    [Test]
    public void TryTake_HigherPriorityFirst_ThenEarlierArrival()
    {
        var queue = new ActiveQueue(_clock);
        queue.Add("low-early", 0);
        _clock.Advance();
        queue.Add("high-early", 1000);
        _clock.Advance();
        queue.Add("low-late", 0);
        _clock.Advance();
        queue.Add("high-late", 1000);
        queue.Add("negative", -5);

        Assert.That(TakeAll(queue), Is.EqualTo(new[] { "high-early", "high-late", "low-early", "low-late", "negative" }));
    }

    [Test]
    public void Add_GivenArrivalTime_RanksByItNotByWhenAdded()
    {
        var queue = new ActiveQueue(_clock);
        var earlier = _clock.GetUtcNow();
        _clock.Advance();
        queue.Add("new", 5);
        queue.Add("parked-before", 5, earlier);

        Assert.That(TakeAll(queue), Is.EqualTo(new[] { "parked-before", "new" }));
    }

    [Test]
    public void Add_KeyAlreadyQueued_KeepsItsPlace()
    {
        var queue = new ActiveQueue(_clock);
        queue.Add("a", 0);
        _clock.Advance();
        queue.Add("b", 0);
        _clock.Advance();
        queue.Add("a", 0);

        Assert.That(queue.Count, Is.EqualTo(2));
        Assert.That(TakeAll(queue), Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public void Add_WhileBeingDecided_ComesBackOnlyAfterDone()
    {
        var queue = new ActiveQueue(_clock);
        queue.Add("a", 0);
        var taken = queue.TryTake();

        queue.Add("a", 0);
        Assert.That(queue.TryTake(), Is.Null, "never handed out twice at a time");
        queue.Done(taken!);

        Assert.That(queue.TryTake(), Is.EqualTo("a"));
    }

    [Test]
    public async Task RunAsync_QueuedBeforeStart_HandsOutBestFirstAndWaitsForMore()
    {
        var queue = new ActiveQueue(_clock);
        queue.Add("batch", 10);
        queue.Add("critical", 2000000000);
        var seen = new List<string>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var run = queue.RunAsync((key, _) =>
        {
            lock (seen)
            {
                seen.Add(key);
                if (seen.Count == 3)
                {
                    all.TrySetResult();
                }
            }
            return Task.CompletedTask;
        }, stop.Token);
        queue.Add("late", 0);
        await all.Task.WaitAsync(stop.Token);
        await stop.CancelAsync();
        await run;

        Assert.That(seen.Take(2), Is.EqualTo(new[] { "critical", "batch" }));
        Assert.That(seen[2], Is.EqualTo("late"));
    }

    private static List<string> TakeAll(ActiveQueue queue)
    {
        var keys = new List<string>();
        while (queue.TryTake() is { } key)
        {
            keys.Add(key);
            queue.Done(key);
        }
        return keys;
    }

    /// <summary>A clock that moves only when told to.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance() => _now += TimeSpan.FromSeconds(1);
    }
}
