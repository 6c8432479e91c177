using System.Net;
using MiniKube.Agent.Network;
using MiniKube.Agent.Proxy;
using static MiniKube.Agent.Tests.Proxy.ProxyObjects;

namespace MiniKube.Agent.Tests.Network;

/// <summary>
/// <see cref="NodeNetworkTeardown"/> on the real kernel (needs root, iproute2, iptables, ipset),
/// inside a network namespace this test makes, where it sets up what an agent makes — the service
/// proxy's and the pod network's chains and hooks, a network policy ipset, the bridge, the VXLAN
/// device, a pod veth and a route to another node — beside rules, a set and a link that are not
/// ours. The teardown runs in the namespace through nsenter; deleting the namespace cleans up after.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class NodeNetworkTeardownLinuxTests
{
    private string _namespace = "";
    private NamespaceCommands _commands = null!;

    [SetUp]
    public async Task CreateNamespace()
    {
        _namespace = "mkube-test-td" + Guid.NewGuid().ToString("N")[..6];
        await CheckedAsync(HostCommands.Instance, "ip", "netns", "add", _namespace);
        _commands = new NamespaceCommands(_namespace);
    }

    [TearDown]
    public Task DeleteNamespace() => HostCommands.Instance.RunAsync("ip", ["netns", "del", _namespace], null, CancellationToken.None);

    [Test]
    public async Task RunAsync_AfterAnAgentsSetup_LeavesNoChainSetLinkOrRouteOfOurs_AndNothingElseGoes()
    {
        await SetUpLikeAnAgentAsync();
        var ipam = Directory.CreateTempSubdirectory("mkube-td-").FullName;
        Directory.CreateDirectory(Path.Combine(ipam, "mkube"));
        var teardown = new NodeNetworkTeardown(_commands);

        var removed = await teardown.RunAsync(ipam, CancellationToken.None);
        var again = await teardown.RunAsync(ipam, CancellationToken.None);

        var saved = string.Concat(await Task.WhenAll(new[] { "filter", "nat" }.Select(async t => (await _commands.RunAsync("iptables-save", ["-t", t], null, CancellationToken.None)).Output)));
        Assert.That(saved, Does.Not.Contain("MKUBE"));
        Assert.That(saved, Does.Contain(":OTHER-CHAIN").And.Contain("-A FORWARD -j OTHER-CHAIN"), "a chain and hook not ours stay");
        var sets = (await _commands.RunAsync("ipset", ["list", "-n"], null, CancellationToken.None)).Output;
        Assert.That(sets, Does.Not.Contain("MKUBE").And.Contain("other-set"));
        var links = (await _commands.RunAsync("ip", ["-o", "link", "show"], null, CancellationToken.None)).Output;
        Assert.That(links, Does.Not.Contain("mkube0").And.Not.Contain("mkube.1").And.Not.Contain("mkv").And.Contain("lan0"));
        var routes = (await _commands.RunAsync("ip", ["-4", "route", "show"], null, CancellationToken.None)).Output;
        Assert.That(routes, Does.Not.Contain("10.42.7.0/24").And.Contain("203.0.113.0/24"), "our route to another node goes, the others stay");
        Assert.That(Directory.Exists(Path.Combine(ipam, "mkube")), Is.False);
        Assert.That(removed, Has.Count.GreaterThanOrEqualTo(5), string.Join('\n', removed));
        Assert.That(again, Is.Empty, "a second run finds nothing");
        Directory.Delete(ipam, recursive: true);
    }

    private async Task SetUpLikeAnAgentAsync()
    {
        var iptables = new Iptables(_commands);
        // The service proxy's rules, with a Local LoadBalancer restricted by source ranges, and its hooks.
        var service = LoadBalancerService("web", "10.43.0.10", ["192.0.2.1"], Port("http", 80, nodePort: 30080));
        service.Spec.LoadBalancerSourceRanges = ["198.51.100.0/24"];
        var ports = ServicePorts.From([service], [Slice("web", "http", 8080, "10.42.0.5")], "node");
        await iptables.RestoreAsync(ProxyRules.Build(ports, [], "10.42.0.0/16", IPAddress.Parse("192.0.2.1")), CancellationToken.None);
        foreach (var jump in ProxyRules.Jumps)
        {
            await iptables.EnsureRuleAsync(jump.Table, jump.Chain, jump.Arguments, CancellationToken.None);
        }
        // The pod network's chains and hooks, and a hostPort chain.
        await new PodNetworkRules(iptables, IPNetwork.Parse("10.42.0.0/16")).EnsureAsync(CancellationToken.None);
        var hostPorts = new HostPortRules(iptables);
        await hostPorts.EnsureAsync(CancellationToken.None);
        await hostPorts.AddAsync("0123456789abcdef0123", IPAddress.Parse("10.42.0.5"), [new MiniKube.Agent.Runtime.PortMapping(80, 8080, "TCP", null)], CancellationToken.None);
        // A network policy set, the bridge, a pod's veth on it, the VXLAN device and a route to another node's podCIDR.
        await CheckedAsync(_commands, "ipset", "create", "MKUBE-NPPEER-0123456789ab", "hash:net");
        await CheckedAsync(_commands, "ip", "link", "add", "name", "mkube0", "type", "bridge");
        await CheckedAsync(_commands, "ip", "link", "add", "mkv0123456789ab", "type", "veth", "peer", "name", "podside");
        await CheckedAsync(_commands, "ip", "link", "set", "mkv0123456789ab", "master", "mkube0");
        await CheckedAsync(_commands, "ip", "link", "add", "lan0", "type", "veth", "peer", "name", "lan1");
        await CheckedAsync(_commands, "ip", "addr", "add", "192.0.2.1/24", "dev", "lan0");
        await CheckedAsync(_commands, "ip", "link", "set", "lan0", "up");
        await CheckedAsync(_commands, "ip", "link", "add", "name", "mkube.1", "type", "vxlan", "id", "1", "local", "192.0.2.1", "dstport", "8472", "nolearning");
        await CheckedAsync(_commands, "ip", "route", "add", "10.42.7.0/24", "via", "192.0.2.7", "proto", NodeRoutes.RouteProtocol);
        // What is not ours: a chain with a hook, a set, a route.
        await iptables.RestoreAsync("*filter\n:OTHER-CHAIN - [0:0]\n-A OTHER-CHAIN -j ACCEPT\n-A FORWARD -j OTHER-CHAIN\nCOMMIT\n", CancellationToken.None);
        await CheckedAsync(_commands, "ipset", "create", "other-set", "hash:ip");
        await CheckedAsync(_commands, "ip", "route", "add", "203.0.113.0/24", "via", "192.0.2.9");
    }

    private static async Task CheckedAsync(IHostCommands commands, string tool, params string[] arguments) =>
        await commands.RunCheckedAsync(tool, arguments, null, CancellationToken.None);

    /// <summary>Runs every tool inside the test's network namespace.</summary>
    private sealed class NamespaceCommands(string name) : IHostCommands
    {
        public Task<CommandResult> RunAsync(string tool, IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken) =>
            HostCommands.Instance.RunAsync("nsenter", [$"--net=/run/netns/{name}", tool, .. arguments], input, cancellationToken);
    }
}
