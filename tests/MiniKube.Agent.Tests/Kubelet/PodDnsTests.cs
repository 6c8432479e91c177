using k8s.Models;
using MiniKube.Agent.Kubelet;
using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Tests.Kubelet;

public sealed class PodDnsTests
{
    private static readonly ResolvConf Host = ResolvConf.Parse("""
        # written by the host
        nameserver 192.0.2.53
        nameserver 192.0.2.54
        search corp.example lab.example.
        options edns0 ndots:1
        """);

    private static V1Pod Pod(string? policy = null, bool hostNetwork = false, V1PodDNSConfig? dnsConfig = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "shop" },
        Spec = new V1PodSpec { DnsPolicy = policy, HostNetwork = hostNetwork, DnsConfig = dnsConfig, Containers = [] },
    };

    [Test]
    public void Parse_HostFile_ReadsNameserversLastSearchAndOptions() =>
        Assert.Multiple(() =>
        {
            Assert.That(Host.Nameservers, Is.EqualTo(new[] { "192.0.2.53", "192.0.2.54" }));
            Assert.That(Host.Searches, Is.EqualTo(new[] { "corp.example", "lab.example" }));
            Assert.That(Host.Options, Is.EqualTo(new[] { "edns0", "ndots:1" }));
        });

    [TestCase(null)]
    [TestCase("ClusterFirst")]
    public void For_ClusterFirst_ClusterNameserverSearchesAndNdots(string? policy)
    {
        var dns = PodDns.For(Pod(policy), "10.43.0.10", "cluster.local", Host);

        Assert.Multiple(() =>
        {
            Assert.That(dns.Nameservers, Is.EqualTo(new[] { "10.43.0.10" }));
            Assert.That(dns.Searches, Is.EqualTo(new[] { "shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example", "lab.example" }));
            Assert.That(dns.Options, Is.EqualTo(new[] { "ndots:5" }));
        });
    }

    [Test]
    public void For_Default_HostSettings() =>
        Assert.That(PodDns.For(Pod("Default"), "10.43.0.10", "cluster.local", Host), Is.EqualTo(new DnsConfig(Host.Nameservers, Host.Searches, Host.Options)).Using<DnsConfig>(SameConfig));

    [Test]
    public void For_ClusterFirstOnHostNetwork_FallsBackToHost() =>
        Assert.That(PodDns.For(Pod("ClusterFirst", hostNetwork: true), "10.43.0.10", "cluster.local", Host).Nameservers, Is.EqualTo(Host.Nameservers));

    [Test]
    public void For_ClusterFirstWithHostNet_UsesClusterDns() =>
        Assert.That(PodDns.For(Pod("ClusterFirstWithHostNet", hostNetwork: true), "10.43.0.10", "cluster.local", Host).Nameservers, Is.EqualTo(new[] { "10.43.0.10" }));

    [Test]
    public void For_ClusterFirstWithoutClusterDns_FallsBackToHost() =>
        Assert.That(PodDns.For(Pod(), null, "cluster.local", Host).Nameservers, Is.EqualTo(Host.Nameservers));

    [Test]
    public void For_None_OnlyTheDnsConfig()
    {
        var dns = PodDns.For(Pod("None", dnsConfig: new V1PodDNSConfig
        {
            Nameservers = ["1.1.1.1"],
            Searches = ["mine.example"],
            Options = [new V1PodDNSConfigOption { Name = "ndots", Value = "2" }, new V1PodDNSConfigOption { Name = "single-request" }],
        }), "10.43.0.10", "cluster.local", Host);

        Assert.Multiple(() =>
        {
            Assert.That(dns.Nameservers, Is.EqualTo(new[] { "1.1.1.1" }));
            Assert.That(dns.Searches, Is.EqualTo(new[] { "mine.example" }));
            Assert.That(dns.Options, Is.EqualTo(new[] { "ndots:2", "single-request" }));
        });
    }

    [Test]
    public void For_ClusterFirstWithDnsConfig_AppendsAndPodOptionsWin()
    {
        var dns = PodDns.For(Pod(dnsConfig: new V1PodDNSConfig
        {
            Nameservers = ["10.43.0.10", "1.1.1.1"],
            Searches = ["svc.cluster.local", "extra.example"],
            Options = [new V1PodDNSConfigOption { Name = "ndots", Value = "2" }, new V1PodDNSConfigOption { Name = "edns0" }],
        }), "10.43.0.10", "cluster.local", Host);

        Assert.Multiple(() =>
        {
            Assert.That(dns.Nameservers, Is.EqualTo(new[] { "10.43.0.10", "1.1.1.1" }));
            Assert.That(dns.Searches, Is.EqualTo(new[] { "shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example", "lab.example", "extra.example" }));
            Assert.That(dns.Options, Is.EqualTo(new[] { "ndots:2", "edns0" }));
        });
    }

    [Test]
    public void For_TooManyNameservers_KeepsThree() =>
        Assert.That(PodDns.For(Pod("None", dnsConfig: new V1PodDNSConfig { Nameservers = ["1.1.1.1", "1.1.1.2", "1.1.1.3", "1.1.1.4"] }), null, "cluster.local", Host).Nameservers, Has.Count.EqualTo(3));

    private static bool SameConfig(DnsConfig a, DnsConfig b) =>
        a.Nameservers.SequenceEqual(b.Nameservers) && a.Searches.SequenceEqual(b.Searches) && a.Options.SequenceEqual(b.Options);
}
