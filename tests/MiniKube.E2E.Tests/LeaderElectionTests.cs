using MiniKube.Testing;
using System.Diagnostics;

namespace MiniKube.E2E.Tests;

/// <summary>
/// Two <c>mkube server</c> processes over one real etcd: one leads the scheduler and the
/// controller manager, the other stands by, and it takes over when the leader is killed.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class LeaderElectionTests : DataDirFixture
{
    [Test]
    public async Task TwoServersOverOneEtcd_KillingTheLeader_HandsTheLeasesToTheOther()
    {
        await using var etcd = await EtcdServer.StartAsync();
        var dirs = new[] { Path.Combine(DataDir, "a"), Path.Combine(DataDir, "b") };
        var servers = dirs.Select(dir => MkubeBinary.Start(null, ServerArgs(dir, "--disable-agent", "--datastore-endpoint", etcd.Endpoint.ToString(), "--token", "e2e-shared-secret"))).ToArray();
        try
        {
            await Task.WhenAll(servers.Select(s => s.WaitForLogAsync("components are running", StartTimeout)));
            var leader = await WhoLogsAsync(servers, "scheduler is leading", StartTimeout);
            await servers[leader].WaitForLogAsync("controller-manager is leading", StartTimeout);
            var standby = 1 - leader;
            var survivor = new Kubectl(Path.Combine(dirs[standby], "kubeconfig"), Path.Combine(dirs[standby], "kube-cache"));
            var before = await survivor.OkAsync("get", "lease", "-n", "kube-system", "kube-scheduler", "-o", "jsonpath={.spec.holderIdentity}");

            servers[leader].Signal(MkubeProcess.SigKill);
            var clock = Stopwatch.StartNew();
            await servers[standby].WaitForLogAsync("scheduler is leading", TimeSpan.FromSeconds(30));
            await servers[standby].WaitForLogAsync("controller-manager is leading", TimeSpan.FromSeconds(30));
            var takeover = clock.Elapsed;
            var holders = await survivor.OkAsync("get", "lease", "-n", "kube-system", "-o", "jsonpath={range .items[*]}{.metadata.name}={.spec.holderIdentity} {end}");

            TestContext.Out.WriteLine($"takeover after SIGKILL of the leader: {takeover.TotalSeconds:F1} s");
            // 15 s lease renewed every 2 s, read by the standby every 0.5 s: 13–15.5 s after the
            // kill; the margin is for a loaded CI machine, the figure is printed above.
            Assert.That(takeover, Is.LessThan(TimeSpan.FromSeconds(18)));
            Assert.That(holders, Does.Contain("kube-scheduler=").And.Contain("kube-controller-manager="));
            Assert.That(holders, Does.Not.Contain(before), "both leases now name the survivor");
        }
        finally
        {
            foreach (var server in servers)
            {
                server.Dispose();
            }
        }
    }

    /// <summary>The index of the first server to log <paramref name="text"/>.</summary>
    private static async Task<int> WhoLogsAsync(MkubeProcess[] servers, string text, TimeSpan timeout)
    {
        var waits = servers.Select(s => s.WaitForLogAsync(text, timeout)).ToList();
        var first = await Task.WhenAny(waits);
        await first;
        return waits.IndexOf(first);
    }
}
