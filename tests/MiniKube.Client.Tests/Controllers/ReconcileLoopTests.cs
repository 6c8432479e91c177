using System.Net;
using k8s.Autorest;
using Microsoft.Extensions.Logging;
using MiniKube.Client.Controllers;
using MiniKube.Testing;

namespace MiniKube.Client.Tests.Controllers;

[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class ReconcileLoopTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly CollectingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggers;
    private readonly CountingRateLimiter _limiter = new();

    public ReconcileLoopTests()
    {
        _loggers = LoggerFactory.Create(b => b.AddProvider(_logs));
    }

    public void Dispose()
    {
        _loggers.Dispose();
        _logs.Dispose();
    }

    private ReconcileLoop<string> Loop(Func<string, CancellationToken, Task> sync, int workers = 1) =>
        new("test", workers, sync, TimeProvider.System, _loggers.CreateLogger("loop"), _limiter);

    [Test]
    public async Task RunAsync_SyncCompletes_ForgetsTheKey()
    {
        var synced = new TaskCompletionSource();
        var loop = Loop((_, _) =>
        {
            synced.TrySetResult();
            return Task.CompletedTask;
        });
        loop.Add("a");
        using var stop = new CancellationTokenSource();
        var run = loop.RunAsync(stop.Token);

        await synced.Task.WaitAsync(Patience);
        await WaitUntilAsync(() => _limiter.Forgotten.Contains("a"));
        await stop.CancelAsync();
        await run.WaitAsync(Patience);

        Assert.That(_limiter.Retries, Is.Empty);
        Assert.That(_logs.Lines, Is.Empty);
    }

    [Test]
    public async Task RunAsync_ApiError_LogsOneWarningAndRetriesRateLimited()
    {
        var attempts = 0;
        var done = new TaskCompletionSource();
        var loop = Loop((_, _) =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                throw new HttpOperationException("conflict")
                {
                    Response = new HttpResponseMessageWrapper(new HttpResponseMessage(HttpStatusCode.Conflict), """{"kind":"Status","message":"the object has been modified"}"""),
                };
            }
            done.TrySetResult();
            return Task.CompletedTask;
        });
        loop.Add("ns/web");
        using var stop = new CancellationTokenSource();
        var run = loop.RunAsync(stop.Token);

        await done.Task.WaitAsync(Patience);
        await WaitUntilAsync(() => _limiter.Forgotten.Contains("ns/web"));
        await stop.CancelAsync();
        await run.WaitAsync(Patience);

        Assert.That(_limiter.Retries, Is.EqualTo(new[] { "ns/web" }), "one rate-limited retry");
        Assert.That(_logs.Lines, Has.Count.EqualTo(1));
        Assert.That(_logs.Lines[0].Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(_logs.Lines[0].Message, Does.Contain("test").And.Contain("ns/web").And.Contain("409").And.Contain("the object has been modified"));
    }

    [Test]
    public async Task RunAsync_SyncRetryException_RetriesRateLimitedWithoutForgetting()
    {
        var attempts = 0;
        var third = new TaskCompletionSource();
        var loop = Loop((_, _) =>
        {
            if (Interlocked.Increment(ref attempts) < 3)
            {
                throw new SyncRetryException("exceeded quota");
            }
            third.TrySetResult();
            return Task.CompletedTask;
        });
        loop.Add("a");
        using var stop = new CancellationTokenSource();
        var run = loop.RunAsync(stop.Token);

        await third.Task.WaitAsync(Patience);
        await WaitUntilAsync(() => _limiter.Forgotten.Contains("a"));
        await stop.CancelAsync();
        await run.WaitAsync(Patience);

        // The back-off grows across failures: nothing was forgotten before the sync succeeded.
        Assert.That(_limiter.Retries, Is.EqualTo(new[] { "a", "a" }));
        Assert.That(_limiter.Forgotten, Is.EqualTo(new[] { "a" }));
        Assert.That(_logs.Lines, Has.Count.EqualTo(2), "one line per failed sync");
        Assert.That(_logs.Lines.Select(l => l.Message), Has.All.Contain("exceeded quota"));
    }

    [Test]
    public void RunAsync_UnexpectedException_FailsWithControllerAndKeyAndStopsTheOtherWorkers()
    {
        var slowStarted = new TaskCompletionSource();
        var slowCancelled = new TaskCompletionSource();
        var loop = Loop(async (key, ct) =>
        {
            if (key == "slow")
            {
                slowStarted.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                finally
                {
                    slowCancelled.TrySetResult();
                }
            }
            await slowStarted.Task;
            throw new InvalidOperationException("boom");
        }, workers: 2);
        loop.Add("slow");
        loop.Add("ns/bug");

        var failure = Assert.ThrowsAsync<ControllerFailedException>(async () => await loop.RunAsync(CancellationToken.None).WaitAsync(Patience));

        Assert.That(failure!.Message, Does.Contain("test").And.Contain("ns/bug").And.Contain("InvalidOperationException").And.Contain("boom"));
        Assert.That(failure.InnerException, Is.TypeOf<InvalidOperationException>());
        Assert.That(slowCancelled.Task.IsCompleted, Is.True, "the other worker's sync was cancelled");
        // The host logs the failure once; the loop itself writes nothing about it.
        Assert.That(_logs.Lines, Is.Empty);
    }

    [Test]
    public async Task RunAsync_NWorkers_SyncsNKeysAtOnceAndNoKeyTwice()
    {
        const int workers = 3;
        var running = 0;
        var most = 0;
        var release = new TaskCompletionSource();
        var synced = 0;
        var loop = Loop(async (_, _) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            await release.Task;
            Interlocked.Decrement(ref running);
            Interlocked.Increment(ref synced);
        }, workers);
        foreach (var key in new[] { "a", "b", "c", "d", "e" })
        {
            loop.Add(key);
        }
        using var stop = new CancellationTokenSource();
        var run = loop.RunAsync(stop.Token);

        await WaitUntilAsync(() => Volatile.Read(ref running) == workers);
        await Task.Delay(50); // a fourth worker would have started by now
        Assert.That(Volatile.Read(ref running), Is.EqualTo(workers));
        release.SetResult();
        await WaitUntilAsync(() => Volatile.Read(ref synced) == 5);
        await stop.CancelAsync();
        await run.WaitAsync(Patience);

        Assert.That(most, Is.EqualTo(workers));
    }

    [Test]
    public async Task RunAsync_Cancelled_ReturnsWithoutError()
    {
        var loop = Loop((_, _) => Task.CompletedTask, workers: 2);
        using var stop = new CancellationTokenSource();
        var run = loop.RunAsync(stop.Token);

        await stop.CancelAsync();

        Assert.That(async () => await run.WaitAsync(Patience), Throws.Nothing);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "condition not reached in time");
            await Task.Delay(5);
        }
    }

    /// <summary>Retries at once, and records which keys were retried and which forgotten.</summary>
    private sealed class CountingRateLimiter : IRateLimiter<string>
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _retries = new();
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _forgotten = new();

        public IReadOnlyList<string> Retries => [.. _retries];

        public IReadOnlyList<string> Forgotten => [.. _forgotten];

        public TimeSpan When(string key)
        {
            _retries.Enqueue(key);
            return TimeSpan.Zero;
        }

        public void Forget(string key) => _forgotten.Enqueue(key);

        public int NumRequeues(string key) => _retries.Count(k => k == key);
    }
}
