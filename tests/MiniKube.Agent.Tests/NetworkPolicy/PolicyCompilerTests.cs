using k8s.Models;
using MiniKube.Agent.NetworkPolicy;
using static MiniKube.Agent.Tests.NetworkPolicy.PolicyObjects;

namespace MiniKube.Agent.Tests.NetworkPolicy;

/// <summary>The policy → rule compiler: which chains, rules and sets a set of policies gives, against expected lists.</summary>
public sealed class PolicyCompilerTests
{
    private static readonly PolicyNames Names = new();
    private static readonly V1Namespace[] Namespaces =
    [
        Namespace("web"),
        Namespace("front", new Dictionary<string, string> { ["team"] = "front" }),
        Namespace("misc"),
    ];

    private static readonly V1Pod Server = Pod("web", "server", "10.42.0.2", labels: new Dictionary<string, string> { ["app"] = "server" }, ports: new V1ContainerPort { Name = "http", ContainerPort = 8080 });
    private static readonly V1Pod Api = Pod("web", "api", "10.42.0.3", labels: new Dictionary<string, string> { ["app"] = "api" }, ports: new V1ContainerPort { Name = "http", ContainerPort = 9090 });
    private static readonly V1Pod Client = Pod("front", "client", "10.42.1.5", node: "node-b", labels: new Dictionary<string, string> { ["role"] = "client" });
    private static readonly V1Pod Other = Pod("misc", "other", "10.42.0.9", labels: new Dictionary<string, string> { ["role"] = "client" });

    private static PolicyRuleSet Compile(params V1NetworkPolicy[] policies) =>
        PolicyCompiler.Compile(new PolicyState(policies, [Server, Api, Client, Other], Namespaces, "node-a"), Names);

    private static IReadOnlyList<string> Rules(PolicyRuleSet set, string chain) => set.Chains.Single(c => c.Name == chain).Rules;

    private static string In(string ns, string name) => Names.PolicyChain(ns, name, ingress: true);

    private static string PodIn(string ns, string name) => Names.PodChain(ns, name, ingress: true);

    private static string Mark(string ns, string name, string direction, int rule) => $"-m comment --comment \"{ns}/{name} {direction} rule {rule}\" -j MARK --set-xmark 0x10000/0x10000";

    [Test]
    public void Compile_NoPolicy_OnlyTheTopLevelChainsWithTheirReplyRule()
    {
        var set = Compile();

        Assert.That(set.Chains.Select(c => c.Name), Is.EqualTo(new[] { "MKUBE-NWPLCY-FWD", "MKUBE-NWPLCY-INPUT" }));
        Assert.That(Rules(set, "MKUBE-NWPLCY-FWD"), Is.EqualTo(new[] { "-m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment \"replies of allowed connections\" -j RETURN" }));
        Assert.That(set.Sets, Is.Empty);
    }

    [Test]
    public void Compile_DefaultDenyIngress_EachSelectedLocalPodRejectsWhatNoPolicyMarks()
    {
        var set = Compile(Policy("web", "deny"));

        Assert.That(Rules(set, "MKUBE-NWPLCY-FWD").Skip(1), Is.EqualTo(new[]
        {
            $"-d 10.42.0.3/32 -m comment --comment \"web/api ingress\" -j {PodIn("web", "api")}",
            $"-d 10.42.0.2/32 -m comment --comment \"web/server ingress\" -j {PodIn("web", "server")}",
        }));
        Assert.That(Rules(set, PodIn("web", "server")), Is.EqualTo(new[]
        {
            "-m conntrack --ctstate INVALID -j DROP",
            "-m addrtype --src-type LOCAL -m comment --comment \"from the node\" -j RETURN",
            "-j MARK --set-xmark 0x0/0x10000",
            $"-j {In("web", "deny")}",
            "-m mark --mark 0x10000/0x10000 -j RETURN",
            "-m comment --comment \"web/server ingress: no policy allows it\" -j REJECT --reject-with icmp-port-unreachable",
        }));
        Assert.That(Rules(set, In("web", "deny")), Is.Empty, "no rule: nothing allowed");
        Assert.That(set.Chains.Select(c => c.Name), Has.None.EqualTo(PodIn("misc", "other")), "not selected: no restriction");
        Assert.That(Rules(set, "MKUBE-NWPLCY-INPUT"), Has.Count.EqualTo(1), "ingress only");
    }

    [Test]
    public void Compile_PodSelectorAndNamespaceSelector_PeersInOneHashNetSetPerDefinition()
    {
        var policy = Policy("web", "allow", Labels(("app", "server")), ingress:
        [
            From(PodPeer(Labels(("role", "client")))),
            From(PodPeer(namespaces: Labels(("team", "front")))),
            From(PodPeer(Labels(("role", "client")), new V1LabelSelector())),
        ]);

        var set = Compile(policy);

        var sets = set.Sets.ToDictionary(s => s.Name);
        Assert.That(sets[Names.PeerSet("pods [role=client] of web")].Entries, Is.Empty, "podSelector alone: the policy's namespace, where no pod is a client");
        Assert.That(sets[Names.PeerSet("pods [] of namespaces [team=front]")].Entries, Is.EqualTo(new[] { "10.42.1.5/32" }), "every pod of the labelled namespace, on any node");
        Assert.That(sets[Names.PeerSet("pods [role=client] of namespaces []")].Entries, Is.EqualTo(new[] { "10.42.1.5/32", "10.42.0.9/32" }), "both: clients in every namespace");
        Assert.That(sets.Values.Select(s => s.Type).Distinct(), Is.EqualTo(new[] { IpSetSpec.HashNet }));
        Assert.That(Rules(set, In("web", "allow")), Is.EqualTo(new[]
        {
            $"-m set --match-set {Names.PeerSet("pods [role=client] of web")} src {Mark("web", "allow", "ingress", 0)}",
            $"-m set --match-set {Names.PeerSet("pods [] of namespaces [team=front]")} src {Mark("web", "allow", "ingress", 1)}",
            $"-m set --match-set {Names.PeerSet("pods [role=client] of namespaces []")} src {Mark("web", "allow", "ingress", 2)}",
        }));
        Assert.That(set.Chains.Select(c => c.Name), Has.None.EqualTo(PodIn("web", "api")), "api is not selected");
    }

    [Test]
    public void Compile_IpBlockWithExcept_NomatchEntries_AndZeroPrefixSplitInHalves()
    {
        var set = Compile(Policy("web", "blocks", ingress: [From(Block("10.0.0.0/8", "10.1.0.0/16", "10.2.3.0/24"), Block("0.0.0.0/0", "192.168.0.0/16"), Block("fd00::/8"))]));

        Assert.That(set.Sets.Single().Entries, Is.EqualTo(new[]
        {
            "10.0.0.0/8", "10.1.0.0/16 nomatch", "10.2.3.0/24 nomatch", "0.0.0.0/1", "128.0.0.0/1", "192.168.0.0/16 nomatch",
        }));
    }

    [Test]
    public void Compile_Ports_NumericRangesProtocolsAndNamedPortsResolvedPerSelectedPod()
    {
        var policy = Policy("web", "ports", ingress:
        [
            new V1NetworkPolicyIngressRule
            {
                Ports =
                [
                    new V1NetworkPolicyPort { Port = 80 },
                    new V1NetworkPolicyPort { Protocol = "UDP", Port = 5000, EndPort = 5010 },
                    new V1NetworkPolicyPort { Protocol = "SCTP" },
                    new V1NetworkPolicyPort { Port = "http" },
                    new V1NetworkPolicyPort { Port = "missing" },
                ],
            },
        ]);

        var set = Compile(policy);

        var api = Names.NamedPortSet("pods [] of web on this node / port http/tcp", 9090);
        var server = Names.NamedPortSet("pods [] of web on this node / port http/tcp", 8080);
        Assert.That(Rules(set, In("web", "ports")), Is.EqualTo(new[]
        {
            $"-p tcp -m tcp --dport 80 {Mark("web", "ports", "ingress", 0)}",
            $"-p udp -m udp --dport 5000:5010 {Mark("web", "ports", "ingress", 0)}",
            $"-p sctp {Mark("web", "ports", "ingress", 0)}",
            $"-p tcp -m set --match-set {server} dst -m tcp --dport 8080 {Mark("web", "ports", "ingress", 0)}",
            $"-p tcp -m set --match-set {api} dst -m tcp --dport 9090 {Mark("web", "ports", "ingress", 0)}",
        }));
        Assert.That(set.Sets.Single(s => s.Name == server).Type, Is.EqualTo(IpSetSpec.HashIp));
        Assert.That(set.Sets.Single(s => s.Name == server).Entries, Is.EqualTo(new[] { "10.42.0.2" }));
        Assert.That(set.Sets.Single(s => s.Name == api).Entries, Is.EqualTo(new[] { "10.42.0.3" }));
    }

    [Test]
    public void Compile_RulesWithTheSamePeers_ShareOneSet_PodSelectorAlonePerNamespace()
    {
        var fromClients = From(PodPeer(Labels(("role", "client")), new V1LabelSelector()));
        var local = From(PodPeer(Labels(("role", "client"))));

        var set = Compile(
            Policy("web", "a", ingress: [fromClients, local]),
            Policy("web", "b", ingress: [From(PodPeer(Labels(("role", "client")), new V1LabelSelector()))]),
            Policy("misc", "c", ingress: [local], egress: [new V1NetworkPolicyEgressRule { To = [PodPeer(Labels(("role", "client")), new V1LabelSelector())] }]));

        var shared = Names.PeerSet("pods [role=client] of namespaces []");
        Assert.That(set.Sets.Select(s => s.Name), Is.EquivalentTo(new[] { shared, Names.PeerSet("pods [role=client] of web"), Names.PeerSet("pods [role=client] of misc") }));
        Assert.That(Rules(set, In("web", "b")).Single(), Does.StartWith($"-m set --match-set {shared} src "));
        Assert.That(Rules(set, Names.PolicyChain("misc", "c", ingress: false)).Single(), Does.StartWith($"-m set --match-set {shared} dst "), "egress uses the same set as a destination");
        Assert.That(set.Sets.Single(s => s.Name == Names.PeerSet("pods [role=client] of misc")).Entries, Is.EqualTo(new[] { "10.42.0.9/32" }), "podSelector alone: the policy's own namespace");
        Assert.That(set.Sets.Single(s => s.Name == shared).Entries, Is.EqualTo(new[] { "10.42.1.5/32", "10.42.0.9/32" }));
    }

    [Test]
    public void Compile_TwoPoliciesSelectingOnePod_ItsChainJumpsToBoth()
    {
        var set = Compile(Policy("web", "a-first", Labels(("app", "server"))), Policy("web", "b-second"));

        Assert.That(Rules(set, PodIn("web", "server")).Where(r => r.StartsWith("-j MKUBE-NPI-", StringComparison.Ordinal)), Is.EqualTo(new[] { $"-j {In("web", "a-first")}", $"-j {In("web", "b-second")}" }));
        Assert.That(Rules(set, PodIn("web", "api")).Where(r => r.StartsWith("-j MKUBE-NPI-", StringComparison.Ordinal)), Is.EqualTo(new[] { $"-j {In("web", "b-second")}" }));
    }

    [Test]
    public void Compile_Egress_FromPodAndToTheNode_PeersMatchedAsDestinations_NamedPortsOnThePeers()
    {
        var egress = Policy("misc", "out", egress:
        [
            new V1NetworkPolicyEgressRule { To = [PodPeer(Labels(("app", "server")), new V1LabelSelector())], Ports = [new V1NetworkPolicyPort { Port = "http" }] },
        ]);

        var set = Compile(egress);

        var podOut = Names.PodChain("misc", "other", ingress: false);
        var port = Names.NamedPortSet("pods [app=server] of namespaces [] / port http/tcp", 8080);
        Assert.That(PolicyCompiler.Applies(egress, ingress: true), Is.True, "policyTypes defaulted: Ingress always");
        Assert.That(Rules(set, "MKUBE-NWPLCY-FWD"), Does.Contain($"-s 10.42.0.9/32 -m comment --comment \"misc/other egress\" -j {podOut}"));
        Assert.That(Rules(set, "MKUBE-NWPLCY-INPUT"), Does.Contain($"-s 10.42.0.9/32 -m comment --comment \"misc/other egress\" -j {podOut}"));
        Assert.That(Rules(set, podOut), Has.None.Contains("addrtype"), "egress to the node is not exempt");
        Assert.That(Rules(set, Names.PolicyChain("misc", "out", ingress: false)), Is.EqualTo(new[]
        {
            $"-p tcp -m set --match-set {Names.PeerSet("pods [app=server] of namespaces []")} dst -m set --match-set {port} dst -m tcp --dport 8080 {Mark("misc", "out", "egress", 0)}",
        }));
        Assert.That(set.Sets.Single(s => s.Name == port).Entries, Is.EqualTo(new[] { "10.42.0.2" }));
    }

    [Test]
    public void Compile_HostNetworkFinishedAndOtherNodesPods_GetNoChain()
    {
        var host = Pod("web", "host", "10.0.0.1");
        host.Spec.HostNetwork = true;
        var done = Pod("web", "done", "10.42.0.7");
        done.Status.Phase = "Succeeded";

        var set = PolicyCompiler.Compile(new PolicyState([Policy("web", "deny"), Policy("front", "deny")], [host, done, Client], Namespaces, "node-a"), Names);

        Assert.That(set.Chains.Select(c => c.Name), Is.EqualTo(new[] { "MKUBE-NWPLCY-FWD", "MKUBE-NWPLCY-INPUT" }));
    }

    [Test]
    public void FilterRestore_StaleChains_FlushedAndDeletedInTheSameTransaction()
    {
        var set = new PolicyRuleSet([], [new PolicyChain("MKUBE-NWPLCY-FWD", ["-j RETURN"])]);

        Assert.That(set.FilterRestore(["MKUBE-NPI-OLD", "MKUBE-NWPLCY-FWD"]), Is.EqualTo(
            "*filter\n:MKUBE-NWPLCY-FWD - [0:0]\n:MKUBE-NPI-OLD - [0:0]\n-A MKUBE-NWPLCY-FWD -j RETURN\n-X MKUBE-NPI-OLD\nCOMMIT\n"));
    }
}
