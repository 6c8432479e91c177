using MiniKube.Testing;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;

namespace MiniKube.Scheduler.Tests.Integration;

/// <summary>
/// An in-process API server with a running scheduler, per test: a fixture seeds the cluster
/// (nodes, storage classes) in <see cref="SeedAsync"/> before the scheduler starts. The
/// scheduler runs as in <c>mkube server</c>, as system:kube-scheduler under its bootstrap roles;
/// the test acts as the admin (<see cref="Client"/>).
/// </summary>
public abstract class SchedulerCluster
{
    private TestApiServer _server = null!;
    private CancellationTokenSource _stop = null!;
    private Task _scheduler = null!;
    private Kubernetes _schedulerClient = null!;

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
        _schedulerClient = new Kubernetes(TestIdentities.Configuration(_server, _server.Pki.Scheduler));
        var scheduler = new KubeScheduler(_schedulerClient, new SchedulerOptions { UnschedulableRetryInterval = TimeSpan.FromHours(1) }, NullLoggerFactory.Instance);
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
        _schedulerClient.Dispose();
        await _server.DisposeAsync();
        _server.DeleteDirectory();
    }
}
