using MiniKube.Testing;
using System.Diagnostics;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Client.LeaderElection;

namespace MiniKube.Client.Tests.LeaderElection;

/// <summary>Two electors on one Lease of a real in-process API server, with short periods.</summary>
[TestFixture]
[Category("Integration")]
public sealed class LeaderElectorTests
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private TestApiServer _server = null!;
    private Kubernetes _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _server = await TestApiServer.StartAsync();
        _client = _server.Client();
    }

    [TearDown]
    public async Task TearDown()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _server.DeleteDirectory();
    }

    [Test]
    public async Task RunAsync_LeaderStopsRenewing_OtherTakesOverWithinLeaseDurationPlusRetry()
    {
        var a = Candidate("a", releaseOnCancel: false);
        using var stopA = new CancellationTokenSource();
        var runA = a.Elector.RunAsync(a.LeadAsync, stopA.Token);
        await a.Leading.Task.WaitAsync(Timeout);

        var b = Candidate("b", releaseOnCancel: false);
        using var stopB = new CancellationTokenSource();
        var runB = b.Elector.RunAsync(b.LeadAsync, stopB.Token);
        // While a renews, b must not lead, even well past a lease duration.
        var early = await Task.WhenAny(b.Leading.Task, Task.Delay(LeaseDuration * 1.5));
        Assert.That(early, Is.Not.SameAs(b.Leading.Task));
        Assert.That(b.Elector.Leader, Is.EqualTo("a"));

        // a stops without releasing, as a killed process would.
        var stopped = Stopwatch.StartNew();
        await stopA.CancelAsync();
        await runA.WaitAsync(Timeout);
        Assert.That(a.Stopped.Task.IsCompleted, Is.True, "a's leading token is cancelled when it stops");
        await b.Leading.Task.WaitAsync(Timeout);
        Assert.That(stopped.Elapsed, Is.LessThan(LeaseDuration + (RetryPeriod * (1 + LeaderElector.JitterFactor)) + TimeSpan.FromSeconds(1)));

        var lease = await ReadLeaseAsync();
        Assert.Multiple(() =>
        {
            Assert.That(lease.Spec.HolderIdentity, Is.EqualTo("b"));
            Assert.That(lease.Spec.LeaseDurationSeconds, Is.EqualTo(2));
            Assert.That(lease.Spec.LeaseTransitions, Is.EqualTo(1));
            Assert.That(lease.Spec.AcquireTime, Is.Not.Null);
            Assert.That(lease.Spec.RenewTime, Is.GreaterThanOrEqualTo(lease.Spec.AcquireTime!.Value));
        });
        await stopB.CancelAsync();
        await runB.WaitAsync(Timeout);
    }

    [Test]
    public async Task RunAsync_LeaderStopsGracefully_ReleasesAndOtherTakesOverAtOnce()
    {
        var a = Candidate("a", releaseOnCancel: true);
        using var stopA = new CancellationTokenSource();
        var runA = a.Elector.RunAsync(a.LeadAsync, stopA.Token);
        await a.Leading.Task.WaitAsync(Timeout);
        var b = Candidate("b", releaseOnCancel: true);
        using var stopB = new CancellationTokenSource();
        var runB = b.Elector.RunAsync(b.LeadAsync, stopB.Token);
        await Task.Delay(RetryPeriod * 3); // let b see a's record, so only the release can make it lead early

        await stopA.CancelAsync();
        await runA.WaitAsync(Timeout);
        var released = await ReadLeaseAsync();
        var stopped = Stopwatch.StartNew();
        await b.Leading.Task.WaitAsync(Timeout);
        Assert.That(stopped.Elapsed, Is.LessThan(LeaseDuration), "no need to wait for the lease to expire");
        Assert.Multiple(() =>
        {
            Assert.That(released.Spec.HolderIdentity ?? "", Is.Empty.Or.EqualTo("b"));
            Assert.That(a.Elector.IsLeader, Is.False);
        });
        await stopB.CancelAsync();
        await runB.WaitAsync(Timeout);
        Assert.That((await ReadLeaseAsync()).Spec.LeaseDurationSeconds, Is.EqualTo(1), "upstream release writes a one-second lease");
    }

    [Test]
    public async Task RunAsync_LeaseTakenByAnother_CancelsLeadingTokenAfterRenewDeadline()
    {
        var a = Candidate("a", releaseOnCancel: true);
        using var stopA = new CancellationTokenSource();
        var runA = a.Elector.RunAsync(a.LeadAsync, stopA.Token);
        await a.Leading.Task.WaitAsync(Timeout);

        await TakeLeaseAsync("intruder");

        await a.Stopped.Task.WaitAsync(Timeout);
        await runA.WaitAsync(Timeout);
        var after = await ReadLeaseAsync();
        Assert.Multiple(() =>
        {
            Assert.That(a.Elector.IsLeader, Is.False);
            Assert.That(after.Spec.HolderIdentity, Is.EqualTo("intruder"), "a lost leader does not release what it no longer holds");
        });
    }

    /// <summary>Writes another holder into the Lease, re-reading when a renewal of the leader got in between.</summary>
    private async Task TakeLeaseAsync(string holder)
    {
        while (true)
        {
            var lease = await ReadLeaseAsync();
            lease.Spec.HolderIdentity = holder;
            lease.Spec.LeaseDurationSeconds = 60;
            lease.Spec.RenewTime = DateTime.UtcNow;
            try
            {
                await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, lease.Metadata.Name, lease.Metadata.NamespaceProperty);
                return;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                // The leader renewed meanwhile; try again on the new version.
            }
        }
    }

    private async Task<V1Lease> ReadLeaseAsync() => await _client.CoordinationV1.ReadNamespacedLeaseAsync("test-lock", "kube-system");

    private Candidate Candidate(string identity, bool releaseOnCancel) => new(new LeaderElector(_client, new LeaderElectionOptions
    {
        LeaseName = "test-lock",
        Identity = identity,
        LeaseDuration = LeaseDuration,
        RenewDeadline = TimeSpan.FromSeconds(1),
        RetryPeriod = RetryPeriod,
        ReleaseOnCancel = releaseOnCancel,
    }, NullLogger.Instance));
}

/// <summary>An elector and what its leading callback saw.</summary>
internal sealed class Candidate(LeaderElector elector)
{
    public LeaderElector Elector { get; } = elector;

    public TaskCompletionSource Leading { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Stopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task LeadAsync(CancellationToken cancellationToken)
    {
        Leading.TrySetResult();
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Stopped.TrySetResult();
    }
}
