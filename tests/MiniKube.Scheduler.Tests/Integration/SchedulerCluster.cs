using MiniKube.Testing;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;

namespace MiniKube.Scheduler.Tests.Integration;

/// <summary>
/// An in-process API server with a running scheduler, per test: a fixture seeds the cluster
/// (nodes, storage classes) in <see cref="SeedAsync"/> before the scheduler starts.
/// </summary>
public abstract class SchedulerCluster
{
    private TestApiServer _server = null!;
    private CancellationTokenSource _stop = null!;
    private Task _scheduler = null!;

    protected Kubernetes Client { get; private set; } = null!;

    /// <summary>What the cluster holds before the scheduler's first list.</summary>
    protected abstract Task SeedAsync();

    [SetUp]
    public async Task StartCluster()
    {
        _server = await TestApiServer.StartAsync();
        Client = _server.Client();
        await SeedAsync();
        _stop = new CancellationTokenSource();
        // The periodic retry is far off: every retry seen here is driven by a cluster change.
        var scheduler = new KubeScheduler(Client, new SchedulerOptions { UnschedulableRetryInterval = TimeSpan.FromHours(1) }, NullLoggerFactory.Instance);
        _scheduler = scheduler.RunAsync(_stop.Token);
        await scheduler.Synced.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [TearDown]
    public async Task StopCluster()
    {
        await _stop.CancelAsync();
        await _scheduler.WaitAsync(TimeSpan.FromSeconds(20));
        _stop.Dispose();
        Client.Dispose();
        await _server.DisposeAsync();
        _server.DeleteDirectory();
    }
}
