using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace MiniKube.Client.Tests;

[TestFixture]
public sealed class WorkQueueTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Test]
    public async Task Add_SameKeyWhileQueued_ProcessedOnceInOrder()
    {
        var queue = new WorkQueue<string>();
        queue.Add("a");
        queue.Add("b");
        queue.Add("a");
        queue.Add("end");
        Assert.That(queue.Count, Is.EqualTo(3));

        var seen = Channel.CreateUnbounded<string>();
        using var stop = new CancellationTokenSource();
        var run = queue.RunAsync(1, (key, _) => { seen.Writer.TryWrite(key); return Task.CompletedTask; }, stop.Token);
        var order = new List<string>();
        while (order.LastOrDefault() != "end")
        {
            order.Add(await seen.Reader.ReadAsync().AsTask().WaitAsync(Timeout));
        }
        await stop.CancelAsync();
        await run.WaitAsync(Timeout);
        Assert.That(order, Is.EqualTo(new[] { "a", "b", "end" }));
    }

    [Test]
    public async Task Add_WhileKeyIsProcessed_NotHandedToSecondWorkerAndProcessedAgainAfter()
    {
        var queue = new WorkQueue<string>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aSecondRun = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int aRuns = 0, aConcurrent = 0, aMaxConcurrent = 0;

        async Task ProcessAsync(string key, CancellationToken ct)
        {
            if (key == "b")
            {
                bDone.TrySetResult();
                return;
            }
            var now = Interlocked.Increment(ref aConcurrent);
            InterlockedMax(ref aMaxConcurrent, now);
            var run = Interlocked.Increment(ref aRuns);
            if (run == 1)
            {
                firstStarted.TrySetResult();
                await release.Task.WaitAsync(ct);
            }
            else
            {
                aSecondRun.TrySetResult();
            }
            Interlocked.Decrement(ref aConcurrent);
        }

        using var stop = new CancellationTokenSource();
        var workers = queue.RunAsync(2, ProcessAsync, stop.Token);
        queue.Add("a");
        await firstStarted.Task.WaitAsync(Timeout);
        queue.Add("a");
        queue.Add("b");
        // The idle worker takes b and leaves a alone while a is being processed.
        await bDone.Task.WaitAsync(Timeout);
        Assert.That(aSecondRun.Task.IsCompleted, Is.False);

        release.TrySetResult();
        await aSecondRun.Task.WaitAsync(Timeout);
        await stop.CancelAsync();
        await workers.WaitAsync(Timeout);
        Assert.Multiple(() =>
        {
            Assert.That(aRuns, Is.EqualTo(2));
            Assert.That(aMaxConcurrent, Is.EqualTo(1));
        });
    }

    [Test]
    public void AddRateLimited_RepeatedFailures_WaitsLongerEachTimeUntilForgotten()
    {
        var time = new FakeTimeProvider();
        var queue = new WorkQueue<string>(time);

        queue.AddRateLimited("a");
        time.Advance(TimeSpan.FromMilliseconds(4));
        Assert.That(queue.Count, Is.Zero, "5 ms back-off not over yet");
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(queue.Count, Is.EqualTo(1));
        Assert.That(queue.NumRequeues("a"), Is.EqualTo(1));

        queue.AddRateLimited("b");
        queue.AddRateLimited("b");
        queue.AddRateLimited("b"); // 5, 10, 20 ms: the earliest wait wins, the failure count still grows
        Assert.That(queue.NumRequeues("b"), Is.EqualTo(3));

        queue.Forget("a");
        Assert.That(queue.NumRequeues("a"), Is.Zero);
    }

    [Test]
    public void AddAfter_KeyAlreadyWaiting_EarlierTimeWins()
    {
        var time = new FakeTimeProvider();
        var queue = new WorkQueue<string>(time);
        queue.AddAfter("late-first", TimeSpan.FromSeconds(10));
        queue.AddAfter("late-first", TimeSpan.FromSeconds(1));
        queue.AddAfter("early-first", TimeSpan.FromSeconds(1));
        queue.AddAfter("early-first", TimeSpan.FromSeconds(10));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(queue.Count, Is.EqualTo(2));
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.That(queue.Count, Is.EqualTo(2), "no key is added twice");
    }

    [Test]
    public void AddAfter_WithCallersClock_StillSupported()
    {
        var time = new FakeTimeProvider();
        var queue = new WorkQueue<string>();
        queue.AddAfter("a", TimeSpan.FromSeconds(2), time);
        Assert.That(queue.Count, Is.Zero);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.That(queue.Count, Is.EqualTo(1));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
