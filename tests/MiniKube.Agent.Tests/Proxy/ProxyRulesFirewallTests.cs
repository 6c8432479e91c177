using MiniKube.Api;
using System.Net;
using MiniKube.Agent.Proxy;
using static MiniKube.Agent.Tests.Proxy.ProxyObjects;
using static MiniKube.Agent.Tests.Proxy.ProxyRulesTests;

namespace MiniKube.Agent.Tests.Proxy;

/// <summary>spec.loadBalancerSourceRanges (and its annotation) in the generated rules: proxier.go's KUBE-FW chain and KUBE-PROXY-FIREWALL.</summary>
[TestFixture]
public sealed class ProxyRulesFirewallTests
{
    private const string Name = "default/web:http";
    private static readonly string External = ProxyChains.ForExternal(Name, "tcp");
    private static readonly string Firewall = ProxyChains.ForFirewall(Name, "tcp");

    private static k8s.Models.V1EndpointSlice OnePod() =>
        Slice("web", [new() { Name = "http", Port = 8080, Protocol = "TCP" }], [Endpoint("10.42.0.5", ready: true, node: "node-a")]);

    private static k8s.Models.V1Service Restricted(params string[] ranges)
    {
        var service = LoadBalancerService("web", "10.43.0.10", ["192.0.2.1"], Port("http", 80, nodePort: 30080));
        service.Spec.LoadBalancerSourceRanges = ranges;
        return service;
    }

    private static string Build(k8s.Models.V1Service service, string? nodeIp = null) =>
        ProxyRules.Build(ServicePorts.From([service], [OnePod()], "node-a"), [], "10.42.0.0/16", nodeIp is null ? null : IPAddress.Parse(nodeIp));

    [Test]
    public void Build_SourceRanges_IngressEntersTheFirewallChain_WhichPassesOnlyTheRanges()
    {
        var rules = Build(Restricted("198.51.100.0/24", " 203.0.113.7/16 "));

        Assert.That(ChainRules(rules, "MKUBE-SERVICES"), Does.Contain(
            $"-A MKUBE-SERVICES -m comment --comment \"{Name} loadbalancer IP\" -d 192.0.2.1/32 -p tcp -m tcp --dport 80 -j {Firewall}"));
        Assert.That(ChainRules(rules, Firewall), Is.EqualTo(new[]
        {
            $"-A {Firewall} -m comment --comment \"{Name} loadbalancer IP\" -s 198.51.100.0/24 -j {External}",
            $"-A {Firewall} -m comment --comment \"{Name} loadbalancer IP\" -s 203.0.0.0/16 -j {External}",
        }), "trimmed and masked to the network, as Go's ParseCIDR");
        Assert.That(ChainRules(rules, "MKUBE-PROXY-FIREWALL"), Is.EqualTo(new[]
        {
            $"-A MKUBE-PROXY-FIREWALL -m comment --comment \"{Name} traffic not accepted by {Firewall}\" -m conntrack ! --ctstate DNAT -d 192.0.2.1/32 -p tcp -m tcp --dport 80 -j DROP",
        }));
        Assert.That(ChainRules(rules, "MKUBE-NODEPORTS"), Does.Contain($"-A MKUBE-NODEPORTS -m comment --comment \"{Name}\" -p tcp -m tcp --dport 30080 -j {External}"),
            "node ports are not subject to the ranges, as upstream");
    }

    [Test]
    public void Build_RangeHoldingTheNodeIp_AlsoPassesTrafficFromTheIngressIps()
    {
        var rules = Build(Restricted("192.0.2.0/24"), nodeIp: "192.0.2.1");

        Assert.That(ChainRules(rules, Firewall), Is.EqualTo(new[]
        {
            $"-A {Firewall} -m comment --comment \"{Name} loadbalancer IP\" -s 192.0.2.0/24 -j {External}",
            $"-A {Firewall} -m comment --comment \"{Name} loadbalancer IP\" -s 192.0.2.1/32 -j {External}",
        }));
    }

    [Test]
    public void Build_RangesNotHoldingTheNodeIp_DoNotPassTheNode()
    {
        var rules = Build(Restricted("198.51.100.0/24"), nodeIp: "192.0.2.1");

        Assert.That(ChainRules(rules, Firewall), Has.Count.EqualTo(1));
    }

    [Test]
    public void Build_AnnotationWithoutTheField_IsTheRanges()
    {
        var service = Restricted();
        service.Metadata.Annotations = new Dictionary<string, string> { [LoadBalancerSourceRanges.Annotation] = "198.51.100.0/24, 203.0.113.0/24" };

        var rules = Build(service);

        Assert.That(ChainRules(rules, Firewall), Has.Count.EqualTo(2));
    }

    [Test]
    public void Build_FieldBesideTheAnnotation_Wins()
    {
        var service = Restricted("198.51.100.0/24");
        service.Metadata.Annotations = new Dictionary<string, string> { [LoadBalancerSourceRanges.Annotation] = "203.0.113.0/24" };

        var rules = Build(service);

        Assert.That(rules, Does.Contain("-s 198.51.100.0/24").And.Not.Contain("203.0.113.0/24"));
    }

    [Test]
    public void Build_NoRanges_OrOnlyIpv6Ranges_NoFirewall()
    {
        Assert.That(Build(Restricted()), Does.Not.Contain(Firewall));
        Assert.That(Build(Restricted("2001:db8::/64")), Does.Not.Contain(Firewall), "an IPv4 proxy ignores other families' ranges, as upstream");
    }

    [Test]
    public void Build_RangesWithoutEndpoints_RejectAsBefore()
    {
        var rules = ProxyRules.Build(ServicePorts.From([Restricted("198.51.100.0/24")], [], "node-a"), [], "10.42.0.0/16");

        Assert.That(rules, Does.Not.Contain(Firewall));
        Assert.That(ChainRules(rules, "MKUBE-EXTERNAL-SERVICES"), Has.Count.EqualTo(2));
    }

    [Test]
    public void Build_StaleFirewallChain_IsDeleted()
    {
        var rules = ProxyRules.Build(ServicePorts.From([Restricted()], [OnePod()], "node-a"), [Firewall], "10.42.0.0/16");

        Assert.That(rules, Does.Contain($"-X {Firewall}"));
    }
}
