using MiniKube.CheckConfig;

namespace MiniKube.Tests.CheckConfig;

public sealed class ToolChecksTests
{
    [TestCase("iptables v1.8.9 (nf_tables)\n", "nf_tables", "nf_tables (iptables 1.8.9)")]
    [TestCase("iptables v1.8.7 (legacy)\n", "legacy", "legacy (iptables 1.8.7)")]
    [TestCase("iptables v1.6.1\n", "legacy", "legacy (iptables 1.6.1)")]
    public async Task CheckAsync_IptablesVersion_NamesTheBackend(string output, string backend, string detail)
    {
        var probe = FakeHostProbe.Complete();
        probe.Outputs["iptables --version"] = output;

        var (results, found) = await ToolChecks.CheckAsync(probe, CancellationToken.None);

        Assert.That(found, Is.EqualTo(backend));
        Assert.That(results.Single(r => r.Item == "iptables backend").Detail, Is.EqualTo(detail));
    }

    [Test]
    public async Task CheckAsync_MissingPrograms_RequiredFailsOptionalWarns()
    {
        var probe = FakeHostProbe.Complete();
        probe.Executables.Remove("ipset");
        probe.Executables.Remove("modprobe");

        var (results, _) = await ToolChecks.CheckAsync(probe, CancellationToken.None);

        Assert.That(results.Single(r => r.Item == "ipset").ToString(),
            Is.EqualTo("FAIL  tools    ipset: not found on the PATH; needed for NetworkPolicy (or --disable-network-policy); fix: apt-get install ipset"));
        Assert.That(results.Single(r => r.Item == "modprobe").Status, Is.EqualTo(CheckStatus.Warning));
        Assert.That(results.Single(r => r.Item == "ip").ToString(), Is.EqualTo("OK    tools    ip: /usr/sbin/ip"));
    }

    [Test]
    public async Task CheckAsync_NoIptables_NoBackend()
    {
        var probe = FakeHostProbe.Complete();
        probe.Executables.Remove("iptables");

        var (results, backend) = await ToolChecks.CheckAsync(probe, CancellationToken.None);

        Assert.That(backend, Is.Null);
        Assert.That(results.Single(r => r.Item == "iptables").Status, Is.EqualTo(CheckStatus.Fail));
    }

    [Test]
    public async Task CheckDockerAsync_Answering_OkWithVersion()
    {
        var result = await ToolChecks.CheckDockerAsync(FakeHostProbe.Complete(), "/var/run/docker.sock", CancellationToken.None);

        Assert.That(result.ToString(), Is.EqualTo("OK    docker   /var/run/docker.sock: Docker Engine 20.10.24 (API 1.41)"));
    }

    [Test]
    public async Task CheckDockerAsync_NoSocket_FailsSayingHowToStartIt()
    {
        var probe = FakeHostProbe.Complete();
        probe.Paths.Remove("/var/run/docker.sock");

        var result = await ToolChecks.CheckDockerAsync(probe, "/var/run/docker.sock", CancellationToken.None);

        Assert.That(result.Status, Is.EqualTo(CheckStatus.Fail));
        Assert.That(result.Detail, Is.EqualTo("no socket: the Docker Engine does not run"));
        Assert.That(result.Fix, Does.Contain("systemctl enable --now docker"));
    }

    [Test]
    public async Task CheckDockerAsync_SocketWithoutAnswer_FailsWithTheError()
    {
        var probe = FakeHostProbe.Complete();
        probe.Docker = new(null, "Connection refused");

        var result = await ToolChecks.CheckDockerAsync(probe, "/var/run/docker.sock", CancellationToken.None);

        Assert.That((result.Status, result.Detail), Is.EqualTo((CheckStatus.Fail, "no answer: Connection refused")));
    }
}
