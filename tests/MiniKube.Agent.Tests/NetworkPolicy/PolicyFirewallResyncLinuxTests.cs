using System.Collections.Concurrent;
using k8s.Models;
using MiniKube.Agent.Network;
using MiniKube.Agent.NetworkPolicy;
using static MiniKube.Agent.Tests.NetworkPolicy.PolicyObjects;

namespace MiniKube.Agent.Tests.NetworkPolicy;

/// <summary>
/// The periodic resync against the real iptables and ipset (needs root, iptables, ipset), inside
/// a network namespace of the test's own (every command goes through <c>nsenter --net</c>), so
/// nothing of the host's is touched: an unchanged host gets no write at all (the compiler writes
/// rules exactly as iptables-save prints them), what is changed by hand is repaired and nothing
/// else is written, and an ordinary sync reads nothing back.
/// </summary>
[TestFixture, Category("Integration")]
public sealed class PolicyFirewallResyncLinuxTests
{
    private static readonly PolicyNames Names = new();
    private string _netns = "";
    private NetnsCommands _commands = null!;

    [SetUp]
    public async Task MakeNamespace()
    {
        _netns = $"mkt-npr-{Guid.NewGuid().ToString("N")[..8]}";
        await HostCommands.Instance.RunCheckedAsync("ip", ["netns", "add", _netns], null, CancellationToken.None);
        _commands = new NetnsCommands(_netns);
    }

    [TearDown]
    public async Task RemoveNamespace() => await HostCommands.Instance.RunAsync("ip", ["netns", "del", _netns], null, CancellationToken.None);

    [Test]
    public async Task Resync_ByANewFirewallOverAnUnchangedHost_WritesNothing()
    {
        var rules = Rules();
        await new PolicyFirewall(_commands, Names).ApplyAsync(rules, full: true, CancellationToken.None);
        _commands.Lines.Clear();

        // A new firewall knows nothing it wrote (an agent restart): it reads the host and compares.
        var writes = await new PolicyFirewall(_commands, Names).ApplyAsync(rules, full: true, CancellationToken.None);

        Assert.That(writes.Nothing, Is.True, $"sets {string.Join(",", writes.Sets)} chains {string.Join(",", writes.Chains)} hooks {writes.Hooks}");
        Assert.That(_commands.Lines, Is.EqualTo(new[] { "iptables-save -t filter", "ipset save" }), "two reads, no write");
    }

    [Test]
    public async Task Resync_RuleEntryAndHookChangedByHand_OnlyThoseRewritten_AndRepaired()
    {
        var rules = Rules();
        var firewall = new PolicyFirewall(_commands, Names);
        await firewall.ApplyAsync(rules, full: true, CancellationToken.None);
        var chain = rules.Chains.First(c => c.Name.StartsWith("MKUBE-NPI-", StringComparison.Ordinal) && c.Rules.Count > 1);
        var set = rules.Sets.First(s => s.Entries.Count > 1);
        await RunAsync("iptables", "-w", "5", "-D", chain.Name, "2");
        await RunAsync("ipset", "del", set.Name, set.Entries[0].Split(' ')[0]);
        await RunAsync("iptables", "-w", "5", "-I", "FORWARD", "-j", "ACCEPT");
        await RunAsync("iptables", "-w", "5", "-N", "MKUBE-NPI-LEFTOVER");

        var ordinary = await firewall.ApplyAsync(rules, full: false, CancellationToken.None);
        var writes = await firewall.ApplyAsync(rules, full: true, CancellationToken.None);
        var again = await firewall.ApplyAsync(rules, full: true, CancellationToken.None);

        Assert.That(ordinary.Sets.Concat(ordinary.Chains), Is.Empty, "an ordinary sync compares with its last write, not the host");
        Assert.That(ordinary.Hooks, Is.EqualTo(1), "but checks the hooks on every sync");
        Assert.That(writes.Chains, Is.EqualTo(new[] { chain.Name }));
        Assert.That(writes.Sets, Is.EqualTo(new[] { set.Name }));
        Assert.That(writes.RemovedChains, Is.EqualTo(1), "the leftover chain of ours");
        Assert.That((await RunAsync("iptables", "-w", "5", "-S", chain.Name)).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1), Is.EqualTo(chain.Rules.Select(r => $"-A {chain.Name} {r}")));
        Assert.That((await RunAsync("ipset", "list", set.Name)).Output, Does.Contain(set.Entries[0].Split(' ')[0].Replace("/32", "", StringComparison.Ordinal)));
        Assert.That(again.Nothing, Is.True, "repaired: the next resync writes nothing");
    }

    [Test]
    public async Task Sync_Ordinary_ReadsNothingBack_AndWritesOnlyTheChangedChain()
    {
        var firewall = new PolicyFirewall(_commands, Names);
        await firewall.ApplyAsync(Rules(), full: true, CancellationToken.None);
        _commands.Lines.Clear();

        var writes = await firewall.ApplyAsync(Rules(port: 81), full: false, CancellationToken.None);

        Assert.That(writes.Chains, Is.EqualTo(new[] { Names.PolicyChain("web", "ports", ingress: true) }));
        Assert.That(writes.Sets, Is.Empty);
        Assert.That(_commands.Lines, Has.None.StartWith("iptables-save").And.None.StartWith("ipset save"));
    }

    /// <summary>Policies using every kind of match the compiler writes, so each is checked against iptables-save's form.</summary>
    private static PolicyRuleSet Rules(int port = 80)
    {
        V1Pod[] pods =
        [
            Pod("web", "server", "10.42.0.2", labels: new Dictionary<string, string> { ["app"] = "server" }, ports: new V1ContainerPort { Name = "http", ContainerPort = 8080 }),
            Pod("front", "client", "10.42.1.5", node: "node-b", labels: new Dictionary<string, string> { ["role"] = "client" }),
            Pod("front", "local", "10.42.0.9", labels: new Dictionary<string, string> { ["role"] = "client" }),
        ];
        V1Namespace[] namespaces = [Namespace("web"), Namespace("front", new Dictionary<string, string> { ["team"] = "front" })];
        var ports = Policy("web", "ports", ingress:
        [
            new V1NetworkPolicyIngressRule
            {
                FromProperty = [PodPeer(Labels(("role", "client")), new V1LabelSelector()), Block("10.0.0.0/8", "10.1.0.0/16"), Block("0.0.0.0/0", "192.168.0.0/16"), Block("172.16.0.7/32")],
                Ports =
                [
                    new V1NetworkPolicyPort { Port = port },
                    new V1NetworkPolicyPort { Protocol = "UDP", Port = 5000, EndPort = 5010 },
                    new V1NetworkPolicyPort { Protocol = "SCTP" },
                    new V1NetworkPolicyPort { Port = "http" },
                ],
            },
            From(PodPeer(namespaces: Labels(("team", "front")))),
        ]);
        var egress = Policy("front", "out", types: ["Egress"], egress:
        [
            new V1NetworkPolicyEgressRule { To = [PodPeer(Labels(("app", "server")), new V1LabelSelector())], Ports = [new V1NetworkPolicyPort { Port = "http" }] },
            new V1NetworkPolicyEgressRule { To = [Block("0.0.0.0/0")], Ports = [new V1NetworkPolicyPort { Protocol = "UDP", Port = 53 }] },
        ]);
        return PolicyCompiler.Compile(new PolicyState([ports, egress, Policy("web", "deny")], pods, namespaces, "node-a"), Names);
    }

    private Task<CommandResult> RunAsync(params string[] command) => _commands.RunCheckedAsync(command[0], command[1..], null, CancellationToken.None);

    /// <summary>The host's commands run inside one network namespace, each recorded as "tool args".</summary>
    private sealed class NetnsCommands(string netns) : IHostCommands
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public Task<CommandResult> RunAsync(string tool, IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken)
        {
            Lines.Enqueue(string.Join(' ', [tool, .. arguments]));
            return HostCommands.Instance.RunAsync("nsenter", [$"--net=/run/netns/{netns}", tool, .. arguments], input, cancellationToken);
        }
    }
}
