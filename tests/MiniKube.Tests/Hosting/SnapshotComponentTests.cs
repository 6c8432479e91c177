using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MiniKube.Hosting;
using MiniKube.Api;

namespace MiniKube.Tests.Hosting;

[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class SnapshotComponentTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("mkube-snapcomp-").FullName;
    private readonly CancellationTokenSource _stop = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 30, TimeSpan.Zero));

    [TearDown]
    public void TearDown() => Directory.Delete(_dataDir, recursive: true);

    public void Dispose() => _stop.Dispose();

    private string SnapshotsDir => SnapshotSocket.DefaultDirectory(_dataDir);

    /// <summary>The store component and the snapshot component running, as in a server, until the test ends.</summary>
    private async Task<(StoreComponent Store, SnapshotComponent Snapshots, Task Running)> StartAsync(SnapshotSettings settings)
    {
        Directory.CreateDirectory(Path.Combine(_dataDir, "server"));
        var store = new StoreComponent(new StoreSettings(_dataDir), NullLoggerFactory.Instance);
        var storeReady = new ReadySignal();
        var storeRun = store.RunAsync(storeReady, _stop.Token);
        await storeReady.WaitAsync(default);
        var snapshots = new SnapshotComponent(settings, store, _clock, NullLogger<SnapshotComponent>.Instance);
        var ready = new ReadySignal();
        var run = snapshots.RunAsync(ready, _stop.Token);
        await ready.WaitAsync(default);
        return (store, snapshots, Task.WhenAll(storeRun, run));
    }

    [Test]
    public async Task Socket_SaveWhileRunning_AnswersWithFileAndRevision()
    {
        var (store, snapshots, running) = await StartAsync(new SnapshotSettings(_dataDir, "node-1"));
        await store.Store.CreateAsync("/registry/a", Encoding.UTF8.GetBytes("a"), 0, default);

        var saved = await SnapshotSocket.TryRequestAsync(_dataDir, "on-demand", null, default);

        Assert.That(saved, Is.Not.Null);
        Assert.That(saved!.File, Is.EqualTo(Path.Combine(SnapshotsDir, $"on-demand-node-1-{_clock.GetUtcNow().ToUnixTimeSeconds()}")));
        Assert.That((saved.Revision, saved.Keys), Is.EqualTo((1L, 1L)));
        Assert.That(File.GetUnixFileMode(SnapshotSocket.PathIn(_dataDir)), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        await StopAsync(running);
        Assert.That(File.Exists(SnapshotSocket.PathIn(_dataDir)), Is.False, "the socket goes with the server");
        snapshots.Dispose();
    }

    [Test]
    public async Task Socket_SameNameSameSecond_AnswersTheError()
    {
        var (_, snapshots, running) = await StartAsync(new SnapshotSettings(_dataDir, "node-1"));
        await SnapshotSocket.TryRequestAsync(_dataDir, "on-demand", null, default);

        Assert.That(() => SnapshotSocket.TryRequestAsync(_dataDir, "on-demand", null, default), Throws.InstanceOf<IOException>().With.Message.Contains("already exists"));
        await StopAsync(running);
        snapshots.Dispose();
    }

    [Test]
    public async Task TryRequest_NoServer_Null() =>
        Assert.That(await SnapshotSocket.TryRequestAsync(_dataDir, "on-demand", null, default), Is.Null);

    [Test]
    public async Task Schedule_EachMinute_TakesScheduledSnapshotsAndKeepsRetention()
    {
        var settings = new SnapshotSettings(_dataDir, "node-1") { Schedule = CronSchedule.Parse("* * * * *"), ScheduleText = "* * * * *", Retention = 2 };
        var (_, snapshots, running) = await StartAsync(settings);

        for (var minute = 1; minute <= 3; minute++)
        {
            var expected = minute;
            await WaitForTimerAsync();
            _clock.Advance(TimeSpan.FromMinutes(1));
            var newest = Path.Combine(SnapshotsDir, $"etcd-snapshot-node-1-{_clock.GetUtcNow().ToUnixTimeSeconds()}");
            await ServerHost.WaitUntilAsync(() => Task.FromResult(File.Exists(newest) && Directory.GetFiles(SnapshotsDir).Length == Math.Min(expected, 2)));
        }

        var names = Directory.GetFiles(SnapshotsDir).Select(Path.GetFileName).Order().ToList();
        Assert.That(names, Is.EqualTo(new[] { "etcd-snapshot-node-1-1767225750", "etcd-snapshot-node-1-1767225810" }));
        await StopAsync(running);
        snapshots.Dispose();
    }

    /// <summary>Stops both components as the runner does (the store ends with the cancellation).</summary>
    private async Task StopAsync(Task running)
    {
        await _stop.CancelAsync();
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
            // The store component's way of stopping.
        }
    }

    /// <summary>Lets the schedule loop reach its delay before the fake clock moves.</summary>
    private static Task WaitForTimerAsync() => Task.Delay(100);
}
