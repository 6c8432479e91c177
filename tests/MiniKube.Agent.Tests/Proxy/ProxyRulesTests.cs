using MiniKube.Agent.Proxy;
using static MiniKube.Agent.Tests.Proxy.ProxyObjects;

namespace MiniKube.Agent.Tests.Proxy;

[TestFixture]
public sealed class ProxyRulesTests
{
    private static readonly string WebChain = ProxyChains.ForService("default/web:http", "tcp");
    private static readonly string WebExternal = ProxyChains.ForExternal("default/web:http", "tcp");
    private static readonly string WebLocal = ProxyChains.ForLocal("default/web:http", "tcp");

    [Test]
    public void Build_ClusterIpWithOneEndpoint_JumpsToServiceChainAndDnatsWithoutStatistic()
    {
        var rules = Build([Service("web", "10.43.0.10", Port("http", 80))], [Slice("web", "http", 8080, "172.17.0.2")]);

        var endpointChain = ProxyChains.ForEndpoint("default/web:http", "tcp", "172.17.0.2:8080");
        Assert.That(Lines(rules), Does.Contain($"-A MKUBE-SERVICES -m comment --comment \"default/web:http cluster IP\" -d 10.43.0.10/32 -p tcp -m tcp --dport 80 -j {WebChain}"));
        Assert.That(Lines(rules), Does.Contain($"-A {WebChain} -m comment --comment \"default/web:http -> 172.17.0.2:8080\" -j {endpointChain}"));
        Assert.That(Lines(rules), Does.Contain($"-A {endpointChain} -m comment --comment \"default/web:http\" -s 172.17.0.2/32 -j MKUBE-MARK-MASQ"), "hairpin");
        Assert.That(Lines(rules), Does.Contain($"-A {endpointChain} -m comment --comment \"default/web:http\" -p tcp -m tcp -j DNAT --to-destination 172.17.0.2:8080"));
        Assert.That(rules, Does.Not.Contain("statistic"));
    }

    [Test]
    public void Build_ClusterIpWithThreeEndpoints_SpreadsWithUpstreamProbabilities()
    {
        var rules = Build([Service("web", "10.43.0.10", Port("http", 80))], [Slice("web", "http", 8080, "172.17.0.4", "172.17.0.2", "172.17.0.3")]);

        var spread = Lines(rules).Where(l => l.StartsWith($"-A {WebChain} ", StringComparison.Ordinal)).ToList();
        Assert.That(spread, Has.Count.EqualTo(3));
        Assert.That(spread[0], Does.Contain("-> 172.17.0.2:8080\" -m statistic --mode random --probability 0.33333333349 -j MKUBE-SEP-"));
        Assert.That(spread[1], Does.Contain("-> 172.17.0.3:8080\" -m statistic --mode random --probability 0.50000000000 -j MKUBE-SEP-"));
        Assert.That(spread[2], Does.Contain("-> 172.17.0.4:8080\" -j MKUBE-SEP-").And.Not.Contain("statistic"));
        Assert.That(Lines(rules).Count(l => l.StartsWith(":MKUBE-SEP-", StringComparison.Ordinal)), Is.EqualTo(3));
    }

    [Test]
    public void Probability_MatchesWhatIptablesSavePrints()
    {
        Assert.That(ProxyRules.Probability(2), Is.EqualTo("0.50000000000"));
        Assert.That(ProxyRules.Probability(3), Is.EqualTo("0.33333333349"));
        Assert.That(ProxyRules.Probability(4), Is.EqualTo("0.25000000000"));
    }

    [Test]
    public void Build_NodePort_EntersTheExternalChain_WhichMarksForMasqueradeThenJumpsToServiceChain()
    {
        var rules = Build([NodePortService("web", "10.43.0.10", Port("http", 80, nodePort: 30080))], [Slice("web", "http", 8080, "172.17.0.2")]);

        var lines = Lines(rules);
        Assert.That(lines, Does.Contain($"-A MKUBE-NODEPORTS -m comment --comment \"default/web:http\" -p tcp -m tcp --dport 30080 -j {WebExternal}"));
        Assert.That(ChainRules(rules, WebExternal), Is.EqualTo(new[]
        {
            $"-A {WebExternal} -m comment --comment \"masquerade traffic for default/web:http external destinations\" -j MKUBE-MARK-MASQ",
            $"-A {WebExternal} -j {WebChain}",
        }));
        var services = lines.Where(l => l.StartsWith("-A MKUBE-SERVICES ", StringComparison.Ordinal)).ToList();
        Assert.That(services[^1], Is.EqualTo("-A MKUBE-SERVICES -m comment --comment \"mkube service nodeports; NOTE: this must be the last rule in this chain\" -m addrtype --dst-type LOCAL -j MKUBE-NODEPORTS"));
        Assert.That(lines, Does.Contain("-A MKUBE-MARK-MASQ -j MARK --or-mark 0x4000"));
        Assert.That(lines, Does.Contain("-A MKUBE-POSTROUTING -m comment --comment \"mkube service traffic requiring SNAT\" -j MASQUERADE"));
    }

    [Test]
    public void Build_ClusterIpService_HasNoNodePortRules()
    {
        var rules = Build([Service("web", "10.43.0.10", Port("http", 80, nodePort: 30080))], [Slice("web", "http", 8080, "172.17.0.2")]);

        Assert.That(rules, Does.Not.Contain("--dport 30080"));
    }

    [Test]
    public void Build_NamedTargetPort_UsesTheSlicePortOfTheSameName()
    {
        var service = Service("web", "10.43.0.10", Port("http", 80), Port("metrics", 9090));
        service.Spec.Ports[0].TargetPort = "web-http";
        var slice = Slice("web",
            [new() { Name = "metrics", Port = 9100, Protocol = "TCP" }, new() { Name = "http", Port = 8080, Protocol = "TCP" }],
            [Endpoint("172.17.0.2", ready: true)]);

        var rules = Build([service], [slice]);

        Assert.That(rules, Does.Contain("\"default/web:http\" -p tcp -m tcp -j DNAT --to-destination 172.17.0.2:8080"));
        Assert.That(rules, Does.Contain("\"default/web:metrics\" -p tcp -m tcp -j DNAT --to-destination 172.17.0.2:9100"));
    }

    [Test]
    public void Build_NoReadyEndpoint_RejectsInFilterAndWritesNoServiceChain()
    {
        var slice = Slice("web", [new() { Name = "http", Port = 8080, Protocol = "TCP" }], [Endpoint("172.17.0.2", ready: false)]);

        var rules = Build([NodePortService("web", "10.43.0.10", Port("http", 80, nodePort: 30080))], [slice]);

        var filter = rules[..rules.IndexOf("*nat", StringComparison.Ordinal)];
        Assert.That(Lines(filter), Does.Contain("-A MKUBE-SERVICES -m comment --comment \"default/web:http has no endpoints\" -d 10.43.0.10/32 -p tcp -m tcp --dport 80 -j REJECT"));
        Assert.That(Lines(filter), Does.Contain("-A MKUBE-EXTERNAL-SERVICES -m comment --comment \"default/web:http has no endpoints\" -m addrtype --dst-type LOCAL -p tcp -m tcp --dport 30080 -j REJECT"));
        Assert.That(rules, Does.Not.Contain(WebChain));
    }

    [Test]
    public void Build_OnlyServingTerminatingEndpoints_FallsBackToThem()
    {
        var slice = Slice("web", [new() { Name = "http", Port = 8080, Protocol = "TCP" }],
            [Endpoint("172.17.0.2", ready: false, serving: true, terminating: true), Endpoint("172.17.0.3", ready: false)]);

        var rules = Build([Service("web", "10.43.0.10", Port("http", 80))], [slice]);

        Assert.That(rules, Does.Contain("--to-destination 172.17.0.2:8080"));
        Assert.That(rules, Does.Not.Contain("172.17.0.3"));
        Assert.That(rules, Does.Not.Contain("REJECT"));
    }

    [Test]
    public void Build_RemovedService_DeclaresAndDeletesItsStaleChains()
    {
        var gone = ProxyChains.ForService("default/old:http", "tcp");
        var goneEndpoint = ProxyChains.ForEndpoint("default/old:http", "tcp", "172.17.0.9:80");
        var kept = ProxyChains.ForEndpoint("default/web:http", "tcp", "172.17.0.2:8080");

        var rules = Build([Service("web", "10.43.0.10", Port("http", 80))], [Slice("web", "http", 8080, "172.17.0.2")],
            ["PREROUTING", "DOCKER", "MKUBE-SERVICES", gone, goneEndpoint, WebChain, kept]);

        var lines = Lines(rules);
        Assert.That(lines, Does.Contain($":{gone} - [0:0]").And.Contain($"-X {gone}"));
        Assert.That(lines, Does.Contain($":{goneEndpoint} - [0:0]").And.Contain($"-X {goneEndpoint}"));
        Assert.That(lines.IndexOf($"-X {gone}"), Is.GreaterThan(lines.FindLastIndex(l => l.StartsWith("-A ", StringComparison.Ordinal))), "deleted after every rule is written");
        Assert.That(lines, Does.Not.Contain($"-X {WebChain}").And.Not.Contain($"-X {kept}"));
        Assert.That(rules, Does.Not.Contain("DOCKER").And.Not.Contain("PREROUTING"), "chains that are not ours are left alone");
    }

    [Test]
    public void Build_HeadlessExternalNameAndSctp_AreNotProxied()
    {
        var headless = Service("headless", "None", Port("http", 80));
        var external = Service("external", "", Port("http", 80));
        external.Spec.Type = "ExternalName";
        var sctp = Service("sctp", "10.43.0.12", Port("s", 9999, protocol: "SCTP"));

        var rules = Build([headless, external, sctp], [Slice("headless", "http", 80, "172.17.0.2"), Slice("sctp", "s", 9999, "172.17.0.3")]);

        Assert.That(rules, Does.Not.Contain("MKUBE-SVC-").And.Not.Contain("REJECT"));
    }

    [Test]
    public void Build_UdpPort_UsesUdpMatchesAndAHashOfItsOwn()
    {
        var rules = Build([Service("dns", "10.43.0.10", Port("dns", 53, protocol: "UDP"), Port("dns-tcp", 53))],
            [Slice("dns", [new() { Name = "dns", Port = 53, Protocol = "UDP" }, new() { Name = "dns-tcp", Port = 53, Protocol = "TCP" }], [Endpoint("172.17.0.5", ready: true)])]);

        Assert.That(rules, Does.Contain("-d 10.43.0.10/32 -p udp -m udp --dport 53 -j " + ProxyChains.ForService("default/dns:dns", "udp")));
        Assert.That(rules, Does.Contain("\"default/dns:dns\" -p udp -m udp -j DNAT --to-destination 172.17.0.5:53"));
        Assert.That(rules, Does.Contain("-d 10.43.0.10/32 -p tcp -m tcp --dport 53 -j " + ProxyChains.ForService("default/dns:dns-tcp", "tcp")));
    }

    [Test]
    public void Build_Always_IsOneFilterAndOneNatTransactionWithTheFixedChains()
    {
        var rules = Build([], []);

        Assert.That(rules, Does.StartWith("*filter\n").And.EndWith("COMMIT\n"));
        Assert.That(Lines(rules).Count(l => l == "COMMIT"), Is.EqualTo(2));
        Assert.That(Lines(rules), Does.Contain(":MKUBE-FORWARD - [0:0]").And.Contain(":MKUBE-POSTROUTING - [0:0]").And.Contain(":MKUBE-MARK-MASQ - [0:0]"));
        Assert.That(Lines(rules), Does.Contain("-A MKUBE-FORWARD -m comment --comment \"mkube service traffic after DNAT\" -m conntrack --ctstate DNAT -j ACCEPT"));
    }

    [Test]
    public void ChainNames_AreStableAndShortEnoughForIptables()
    {
        Assert.That(WebChain, Does.Match("^MKUBE-SVC-[A-Z2-7]{16}$"));
        Assert.That(WebChain, Is.EqualTo(ProxyChains.ForService("default/web:http", "TCP")));
        Assert.That(WebChain, Is.Not.EqualTo(ProxyChains.ForService("default/web:http", "udp")));
        Assert.That(WebChain.Length, Is.LessThanOrEqualTo(28));
    }

    [Test]
    public void ChainNames_HashAsUpstreamDoes()
    {
        // proxier_test.go names ns1/svc1:p80 over TCP KUBE-SVC-XPGD46QRK7WJZT7O.
        Assert.That(ProxyChains.ForService("ns1/svc1:p80", "TCP"), Is.EqualTo("MKUBE-SVC-XPGD46QRK7WJZT7O"));
    }

    private static string Build(IEnumerable<k8s.Models.V1Service> services, IEnumerable<k8s.Models.V1EndpointSlice> slices, IEnumerable<string>? existing = null) =>
        ProxyRules.Build(ServicePorts.From(services, slices), existing ?? []);

    private static List<string> Lines(string text) => [.. text.Split('\n')];

    /// <summary>The rules of <paramref name="chain"/>, in order.</summary>
    internal static List<string> ChainRules(string rules, string chain) =>
        [.. Lines(rules).Where(l => l.StartsWith($"-A {chain} ", StringComparison.Ordinal))];
}
