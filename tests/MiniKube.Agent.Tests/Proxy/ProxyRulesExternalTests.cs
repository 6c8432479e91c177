using MiniKube.Agent.Proxy;
using static MiniKube.Agent.Tests.Proxy.ProxyObjects;
using static MiniKube.Agent.Tests.Proxy.ProxyRulesTests;

namespace MiniKube.Agent.Tests.Proxy;

/// <summary>LoadBalancer ingress IPs, externalTrafficPolicy Local and ClientIP session affinity in the generated rules.</summary>
[TestFixture]
public sealed class ProxyRulesExternalTests
{
    private const string Name = "default/web:http";
    private static readonly string Service = ProxyChains.ForService(Name, "tcp");
    private static readonly string External = ProxyChains.ForExternal(Name, "tcp");
    private static readonly string Local = ProxyChains.ForLocal(Name, "tcp");

    private static string Sep(string endpoint) => ProxyChains.ForEndpoint(Name, "tcp", endpoint);

    private static string Build(k8s.Models.V1Service service, k8s.Models.V1EndpointSlice slice, string node = "node-a") =>
        ProxyRules.Build(ServicePorts.From([service], [slice], node), [], "10.42.0.0/16");

    private static k8s.Models.V1EndpointSlice TwoNodes() => Slice("web", [new() { Name = "http", Port = 8080, Protocol = "TCP" }],
        [Endpoint("10.42.0.5", ready: true, node: "node-a"), Endpoint("10.42.1.5", ready: true, node: "node-b")]);

    [Test]
    public void Build_LoadBalancerIngress_EachIngressIpAndPortEntersTheExternalChain_WhichMasqueradesToEveryEndpoint()
    {
        var rules = Build(LoadBalancerService("web", "10.43.0.10", ["192.0.2.2", "192.0.2.1"], Port("http", 80, nodePort: 30080)), TwoNodes());

        Assert.That(ChainRules(rules, "MKUBE-SERVICES"), Is.EqualTo(new[]
        {
            $"-A MKUBE-SERVICES -m comment --comment \"{Name} cluster IP\" -d 10.43.0.10/32 -p tcp -m tcp --dport 80 -j {Service}",
            $"-A MKUBE-SERVICES -m comment --comment \"{Name} loadbalancer IP\" -d 192.0.2.2/32 -p tcp -m tcp --dport 80 -j {External}",
            $"-A MKUBE-SERVICES -m comment --comment \"{Name} loadbalancer IP\" -d 192.0.2.1/32 -p tcp -m tcp --dport 80 -j {External}",
            "-A MKUBE-SERVICES -m comment --comment \"mkube service nodeports; NOTE: this must be the last rule in this chain\" -m addrtype --dst-type LOCAL -j MKUBE-NODEPORTS",
        }));
        Assert.That(ChainRules(rules, External), Is.EqualTo(new[]
        {
            $"-A {External} -m comment --comment \"masquerade traffic for {Name} external destinations\" -j MKUBE-MARK-MASQ",
            $"-A {External} -j {Service}",
        }));
        Assert.That(ChainRules(rules, Service), Has.Count.EqualTo(2), "cluster policy: both nodes' endpoints");
    }

    [Test]
    public void Build_LoadBalancerWithoutEndpoints_RejectsOnTheIngressIp()
    {
        var rules = Build(LoadBalancerService("web", "10.43.0.10", ["192.0.2.1"], Port("http", 80, nodePort: 30080)),
            Slice("web", [new() { Name = "http", Port = 8080, Protocol = "TCP" }], [Endpoint("10.42.0.5", ready: false)]));

        Assert.That(ChainRules(rules, "MKUBE-EXTERNAL-SERVICES"), Is.EqualTo(new[]
        {
            $"-A MKUBE-EXTERNAL-SERVICES -m comment --comment \"{Name} has no endpoints\" -d 192.0.2.1/32 -p tcp -m tcp --dport 80 -j REJECT",
            $"-A MKUBE-EXTERNAL-SERVICES -m comment --comment \"{Name} has no endpoints\" -m addrtype --dst-type LOCAL -p tcp -m tcp --dport 30080 -j REJECT",
        }));
        Assert.That(rules, Does.Not.Contain(External));
    }

    [Test]
    public void Build_IngressWithIpModeProxy_IsLeftToTheLoadBalancer()
    {
        var service = LoadBalancerService("web", "10.43.0.10", ["192.0.2.1", "192.0.2.9"], Port("http", 80, nodePort: 30080));
        service.Status.LoadBalancer.Ingress[1].IpMode = "Proxy";

        var rules = Build(service, TwoNodes());

        Assert.That(rules, Does.Contain("-d 192.0.2.1/32").And.Not.Contain("192.0.2.9"));
    }

    [Test]
    public void Build_LocalPolicy_KeepsTheClientIp_AndSendsOutsideTrafficOnlyToThisNodesEndpoints()
    {
        var service = LoadBalancerService("web", "10.43.0.10", ["192.0.2.1"], Port("http", 80, nodePort: 30080));
        service.Spec.ExternalTrafficPolicy = "Local";

        var rules = Build(service, TwoNodes());

        Assert.That(ChainRules(rules, External), Is.EqualTo(new[]
        {
            $"-A {External} -m comment --comment \"pod traffic for {Name} external destinations\" -s 10.42.0.0/16 -j {Service}",
            $"-A {External} -m comment --comment \"masquerade LOCAL traffic for {Name} external destinations\" -m addrtype --src-type LOCAL -j MKUBE-MARK-MASQ",
            $"-A {External} -m comment --comment \"route LOCAL traffic for {Name} external destinations\" -m addrtype --src-type LOCAL -j {Service}",
            $"-A {External} -j {Local}",
        }), "no masquerade mark for outside clients: the pod sees their address");
        Assert.That(ChainRules(rules, Local), Is.EqualTo(new[] { $"-A {Local} -m comment --comment \"{Name} -> 10.42.0.5:8080\" -j {Sep("10.42.0.5:8080")}" }));
        Assert.That(ChainRules(rules, Service), Has.Count.EqualTo(2), "cluster IP traffic still reaches both nodes");
        Assert.That(rules, Does.Not.Contain("DROP"));
    }

    [Test]
    public void Build_LocalPolicyWithoutLocalEndpoints_DropsOutsideTraffic()
    {
        var service = LoadBalancerService("web", "10.43.0.10", ["192.0.2.1"], Port("http", 80, nodePort: 30080));
        service.Spec.ExternalTrafficPolicy = "Local";

        var rules = Build(service, TwoNodes(), node: "node-c");

        Assert.That(ChainRules(rules, "MKUBE-EXTERNAL-SERVICES"), Is.EqualTo(new[]
        {
            $"-A MKUBE-EXTERNAL-SERVICES -m comment --comment \"{Name} has no local endpoints\" -d 192.0.2.1/32 -p tcp -m tcp --dport 80 -j DROP",
            $"-A MKUBE-EXTERNAL-SERVICES -m comment --comment \"{Name} has no local endpoints\" -m addrtype --dst-type LOCAL -p tcp -m tcp --dport 30080 -j DROP",
        }));
        Assert.That(ChainRules(rules, External), Has.None.Contains(Local));
        Assert.That(rules, Does.Not.Contain(":" + Local));
    }

    [Test]
    public void Build_ClientIpAffinity_RecentChecksFirst_ThenSpread_EndpointsRememberTheClient()
    {
        var service = Service("web", "10.43.0.10", Port("http", 80));
        service.Spec.SessionAffinity = "ClientIP";
        service.Spec.SessionAffinityConfig = new k8s.Models.V1SessionAffinityConfig { ClientIP = new k8s.Models.V1ClientIPConfig { TimeoutSeconds = 600 } };

        var rules = Build(service, TwoNodes());

        var first = Sep("10.42.0.5:8080");
        var second = Sep("10.42.1.5:8080");
        Assert.That(ChainRules(rules, Service), Is.EqualTo(new[]
        {
            $"-A {Service} -m comment --comment \"{Name} -> 10.42.0.5:8080\" -m recent --rcheck --seconds 600 --reap --name {first} --mask 255.255.255.255 --rsource -j {first}",
            $"-A {Service} -m comment --comment \"{Name} -> 10.42.1.5:8080\" -m recent --rcheck --seconds 600 --reap --name {second} --mask 255.255.255.255 --rsource -j {second}",
            $"-A {Service} -m comment --comment \"{Name} -> 10.42.0.5:8080\" -m statistic --mode random --probability 0.50000000000 -j {first}",
            $"-A {Service} -m comment --comment \"{Name} -> 10.42.1.5:8080\" -j {second}",
        }));
        Assert.That(ChainRules(rules, first), Is.EqualTo(new[]
        {
            $"-A {first} -m comment --comment \"{Name}\" -s 10.42.0.5/32 -j MKUBE-MARK-MASQ",
            $"-A {first} -m comment --comment \"{Name}\" -m recent --set --name {first} --mask 255.255.255.255 --rsource -p tcp -m tcp -j DNAT --to-destination 10.42.0.5:8080",
        }));
    }

    [Test]
    public void Build_ClientIpAffinityWithoutConfig_UsesUpstreamsThreeHours()
    {
        var service = NodePortService("web", "10.43.0.10", Port("http", 80, nodePort: 30080));
        service.Spec.SessionAffinity = "ClientIP";

        var rules = Build(service, TwoNodes());

        Assert.That(rules, Does.Contain("--rcheck --seconds 10800 --reap"));
    }
}
