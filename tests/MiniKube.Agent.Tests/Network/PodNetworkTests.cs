using System.Net;
using MiniKube.Agent.Network;
using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Tests.Network;

/// <summary>The command sequences of the pod network, against a fake command runner.</summary>
public sealed class PodNetworkTests
{
    private const string SandboxA = "0123456789abcdef0123456789abcdef";
    private const string SandboxB = "fedcba9876543210fedcba9876543210";
    private static readonly PortMapping WebPort = new(80, 8080, "TCP", null);

    /// <summary>A host where nothing of ours exists yet: no bridge, no hooks (<c>-C</c> fails).</summary>
    private static FakeHostCommands FreshHost() => new FakeHostCommands()
        .Answer("ip -o -4 addr show dev mkube0", 1, error: "Device \"mkube0\" does not exist.")
        .Answer("iptables -w 5 -t filter -C", 1)
        .Answer("iptables -w 5 -t nat -C", 1);

    /// <summary>A network configured on <paramref name="commands"/> with the given sandboxes attached (A with pid 4242, B with 4343), and the calls so far forgotten.</summary>
    private static async Task<TestPodNetwork> ConfiguredAsync(FakeHostCommands commands, params (string Id, PortMapping[] Ports)[] sandboxes)
    {
        var test = TestPodNetwork.Fake(commands);
        await test.Network.ConfigureAsync(test.PodCidr, CancellationToken.None);
        foreach (var (id, ports) in sandboxes)
        {
            await test.Network.AttachAsync(id, id == SandboxA ? 4242 : 4343, ports, CancellationToken.None);
        }
        commands.Calls.Clear();
        return test;
    }

    private static IEnumerable<string?> Restores(FakeHostCommands commands) =>
        commands.Calls.Where(c => c.Line.StartsWith("iptables-restore", StringComparison.Ordinal)).Select(c => c.Input);

    [Test]
    public async Task Problem_BeforeConfigure_SaysThePodCidrIsMissing()
    {
        await using var test = TestPodNetwork.Fake(FreshHost());

        Assert.That(test.Network.Problem, Is.EqualTo("mkube pod network not initialized: the node has no spec.podCIDR yet"));
        Assert.That(async () => await test.Network.AttachAsync(SandboxA, 4242, [], CancellationToken.None), Throws.InvalidOperationException);
    }

    [Test]
    public async Task AddressOf_NewInstanceBeforeConfigure_KnowsTheAddressesHeldAtStart()
    {
        await using var before = await ConfiguredAsync(FreshHost(), (SandboxA, []));
        var address = before.Network.AddressOf(SandboxA);

        using var restarted = new PodNetwork(before.Options, FreshHost(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        Assert.That(restarted.Problem, Is.Not.Null);
        Assert.That(restarted.AddressOf(SandboxA), Is.EqualTo(address), "a restarted kubelet reports running pods' IPs before the podCIDR is read again");
    }

    [Test]
    public async Task ConfigureAsync_FreshHost_CreatesBridgeRulesAndHooks()
    {
        var commands = FreshHost();
        await using var test = TestPodNetwork.Fake(commands);

        await test.Network.ConfigureAsync(test.PodCidr, CancellationToken.None);

        Assert.That(test.Network.Problem, Is.Null);
        Assert.That(commands.Calls.Single(c => c.Line == "ip -batch -").Input,
            Is.EqualTo("link add name mkube0 type bridge\naddr replace 10.42.3.1/24 dev mkube0\nlink set dev mkube0 mtu 1450 up\n"));
        var restores = Restores(commands).ToList();
        Assert.That(restores[0], Does.Contain(":MKUBE-POD-FORWARD - [0:0]\n-A MKUBE-POD-FORWARD -s 10.42.0.0/16"));
        Assert.That(restores[1], Is.EqualTo("*nat\n:MKUBE-HOSTPORTS - [0:0]\n:MKUBE-HOSTPORT-SETMARK - [0:0]\n-A MKUBE-HOSTPORT-SETMARK -j MARK --set-xmark 0x2000/0x2000\nCOMMIT\n"));
        Assert.That(commands.Lines, Is.SupersetOf(new[]
        {
            "iptables -w 5 -t filter -I FORWARD -m comment --comment mkube pod network -j MKUBE-POD-FORWARD",
            "iptables -w 5 -t nat -I POSTROUTING -m comment --comment mkube pod network -j MKUBE-POD-POSTROUTING",
            "iptables -w 5 -t nat -I PREROUTING -m addrtype --dst-type LOCAL -m comment --comment mkube hostPorts -j MKUBE-HOSTPORTS",
            "iptables -w 5 -t nat -I OUTPUT -m addrtype --dst-type LOCAL -m comment --comment mkube hostPorts -j MKUBE-HOSTPORTS",
        }));
    }

    [Test]
    public async Task ConfigureAsync_BridgeAndHooksThere_KeepsThemAndDropsAnOldAddress()
    {
        var commands = new FakeHostCommands()
            .Answer("ip -o -4 addr show dev mkube0", 0, "7: mkube0    inet 10.42.9.1/24 brd 10.42.9.255 scope global mkube0\n")
            .Answer("iptables-save -t nat", 0, "*nat\n:MKUBE-HOSTPORTS - [0:0]\n:MKUBE-HOSTPORT-SETMARK - [0:0]\nCOMMIT\n");
        await using var test = TestPodNetwork.Fake(commands);

        await test.Network.ConfigureAsync(test.PodCidr, CancellationToken.None);

        Assert.That(commands.Calls.Single(c => c.Line == "ip -batch -").Input,
            Is.EqualTo("addr del 10.42.9.1/24 dev mkube0\naddr replace 10.42.3.1/24 dev mkube0\nlink set dev mkube0 mtu 1450 up\n"));
        Assert.That(commands.Lines.Where(l => l.Contains(" -I ", StringComparison.Ordinal)), Is.Empty, "hooks already there are not inserted twice");
        Assert.That(Restores(commands).Count(), Is.EqualTo(1), "the hostPort chains hold running pods' jumps: never redeclared (flushed)");
    }

    [Test]
    public async Task AttachAsync_Sandbox_WiresVethAddressRouteAndHostPorts()
    {
        var commands = FreshHost();
        await using var test = await ConfiguredAsync(commands);

        var address = await test.Network.AttachAsync(SandboxA, 4242, [WebPort], CancellationToken.None);

        Assert.That(address, Is.EqualTo(IPAddress.Parse("10.42.3.2")));
        Assert.That(test.Network.AddressOf(SandboxA), Is.EqualTo(address));
        Assert.That(commands.Calls[0], Is.EqualTo(("ip -batch -", (string?)(
            "link add name mkv0123456789ab mtu 1450 type veth peer name eth0 mtu 1450 netns 4242\n"
            + "link set dev mkv0123456789ab master mkube0\n"
            + "link set dev mkv0123456789ab type bridge_slave hairpin on\n"
            + "link set dev mkv0123456789ab up\n"))));
        Assert.That(commands.Calls[1], Is.EqualTo(("nsenter --net=/proc/4242/ns/net -- ip -batch -", (string?)(
            "link set dev lo up\n"
            + "addr add 10.42.3.2/24 dev eth0\n"
            + "link set dev eth0 up\n"
            + "route replace default via 10.42.3.1 dev eth0\n"))));
        Assert.That(commands.Calls[2].Input, Is.EqualTo(
            "*nat\n:MKUBE-HP-0123456789abcdef - [0:0]\n"
            + "-A MKUBE-HP-0123456789abcdef -s 10.42.3.2/32 -p tcp -m tcp --dport 8080 -j MKUBE-HOSTPORT-SETMARK\n"
            + "-A MKUBE-HP-0123456789abcdef -s 127.0.0.1/32 -p tcp -m tcp --dport 8080 -j MKUBE-HOSTPORT-SETMARK\n"
            + "-A MKUBE-HP-0123456789abcdef -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.42.3.2:80\n"
            + "COMMIT\n"));
        Assert.That(commands.Lines, Does.Contain("iptables -w 5 -t nat -I MKUBE-HOSTPORTS -j MKUBE-HP-0123456789abcdef"));
    }

    [Test]
    public async Task AttachAsync_NoHostPorts_WritesNoRules()
    {
        var commands = FreshHost();
        await using var test = await ConfiguredAsync(commands, (SandboxA, []));

        Assert.That(test.Network.AddressOf(SandboxA), Is.Not.Null);
        Assert.That(commands.Calls, Is.Empty);
    }

    [Test]
    public async Task AttachAsync_NamespaceSideFails_ReleasesTheAddressAndRemovesTheVeth()
    {
        var commands = FreshHost().Answer("nsenter", 1, error: "RTNETLINK answers: File exists");
        await using var test = await ConfiguredAsync(commands);

        Assert.That(async () => await test.Network.AttachAsync(SandboxA, 4242, [], CancellationToken.None),
            Throws.TypeOf<HostCommandException>().With.Message.Contains("File exists"));
        Assert.That(test.Network.AddressOf(SandboxA), Is.Null);
        Assert.That(commands.Lines, Does.Contain("ip link del dev mkv0123456789ab"));
    }

    [Test]
    public async Task AttachAsync_VethLeftFromAnEarlierTry_IsReplaced()
    {
        var commands = FreshHost();
        await using var test = await ConfiguredAsync(commands);
        commands.Answer("ip -batch -", 1, error: "RTNETLINK answers: File exists");

        Assert.That(async () => await test.Network.AttachAsync(SandboxA, 4242, [], CancellationToken.None), Throws.TypeOf<HostCommandException>());
        Assert.That(commands.Lines.Take(4), Is.EqualTo(new[] { "ip -batch -", "ip link show dev mkv0123456789ab", "ip link del dev mkv0123456789ab", "ip -batch -" }),
            "deletes the old veth and tries once more");
    }

    [Test]
    public async Task DetachAsync_Sandbox_RemovesRulesVethAndAddress()
    {
        var commands = FreshHost();
        await using var test = await ConfiguredAsync(commands, (SandboxA, [WebPort]));
        commands.Answer("iptables-save -t nat", 0, "*nat\n:MKUBE-HP-0123456789abcdef - [0:0]\nCOMMIT\n");

        await test.Network.DetachAsync(SandboxA, CancellationToken.None);

        Assert.That(test.Network.AddressOf(SandboxA), Is.Null);
        Assert.That(Restores(commands).Single(), Is.EqualTo("*nat\n-F MKUBE-HP-0123456789abcdef\n-X MKUBE-HP-0123456789abcdef\nCOMMIT\n"));
        Assert.That(commands.Lines, Does.Contain("ip link del dev mkv0123456789ab"));
        Assert.That(await test.Network.AttachAsync(SandboxB, 4343, [], CancellationToken.None), Is.EqualTo(IPAddress.Parse("10.42.3.3")),
            "the next pod gets the next address, not the one just released");
    }

    [Test]
    public async Task CollectGarbageAsync_SandboxGone_ReleasesItsAddressAndHostPortChain()
    {
        var commands = FreshHost();
        await using var test = await ConfiguredAsync(commands, (SandboxA, []), (SandboxB, [WebPort]));
        commands.Answer("iptables-save -t nat", 0, "*nat\n:MKUBE-HOSTPORTS - [0:0]\n:MKUBE-HP-fedcba9876543210 - [0:0]\nCOMMIT\n");

        await test.Network.CollectGarbageAsync(_ => Task.FromResult<IReadOnlySet<string>>(new HashSet<string> { SandboxA }), CancellationToken.None);

        Assert.That(test.Network.AddressOf(SandboxA), Is.Not.Null);
        Assert.That(test.Network.AddressOf(SandboxB), Is.Null);
        Assert.That(Restores(commands).Single(), Is.EqualTo("*nat\n-F MKUBE-HP-fedcba9876543210\n-X MKUBE-HP-fedcba9876543210\nCOMMIT\n"));
    }

    [Test]
    public async Task TearDownAsync_Configured_RemovesHooksChainsBridgeAndAddresses()
    {
        var commands = FreshHost();
        await using var test = await ConfiguredAsync(commands, (SandboxA, []));
        commands.Answer("iptables-save -t filter", 0, "*filter\n:MKUBE-POD-FORWARD - [0:0]\nCOMMIT\n");
        commands.Answer("iptables-save -t nat", 0, "*nat\n:MKUBE-POD-POSTROUTING - [0:0]\n:MKUBE-HOSTPORTS - [0:0]\n:MKUBE-HOSTPORT-SETMARK - [0:0]\nCOMMIT\n");

        await test.Network.TearDownAsync(CancellationToken.None);

        Assert.That(Restores(commands), Is.EqualTo(new[]
        {
            "*nat\n-F MKUBE-HOSTPORTS\n-F MKUBE-HOSTPORT-SETMARK\n-X MKUBE-HOSTPORTS\n-X MKUBE-HOSTPORT-SETMARK\nCOMMIT\n",
            "*filter\n-F MKUBE-POD-FORWARD\n-X MKUBE-POD-FORWARD\nCOMMIT\n",
            "*nat\n-F MKUBE-POD-POSTROUTING\n-X MKUBE-POD-POSTROUTING\nCOMMIT\n",
        }));
        Assert.That(commands.Lines, Does.Contain("ip link del dev mkube0"));
        Assert.That(test.Network.Problem, Is.Not.Null);
        Assert.That(Directory.Exists(Path.Combine(test.Directory, "mkube")), Is.False);
    }

    [Test]
    public void PodRules_HostIpGiven_MatchesOnlyThatAddress()
    {
        var rules = new HostPortRules(new Iptables(new FakeHostCommands())).PodRules("MKUBE-HP-x", IPAddress.Parse("10.42.3.2"), [new PortMapping(53, 5353, "UDP", "192.168.1.5")]);

        Assert.That(rules, Does.Contain("-A MKUBE-HP-x -d 192.168.1.5/32 -p udp -m udp --dport 5353 -j DNAT --to-destination 10.42.3.2:53\n"));
    }

    [Test]
    public void Rules_ClusterCidr_AcceptsItAndMasqueradesOnlyWhatLeavesIt()
    {
        var rules = new PodNetworkRules(new Iptables(new FakeHostCommands()), IPNetwork.Parse("10.42.0.0/16")).Rules();

        Assert.That(rules, Is.EqualTo(
            "*filter\n:MKUBE-POD-FORWARD - [0:0]\n"
            + "-A MKUBE-POD-FORWARD -s 10.42.0.0/16 -m comment --comment \"mkube pods out\" -j ACCEPT\n"
            + "-A MKUBE-POD-FORWARD -d 10.42.0.0/16 -m comment --comment \"mkube pods in\" -j ACCEPT\n"
            + "COMMIT\n*nat\n:MKUBE-POD-POSTROUTING - [0:0]\n"
            + "-A MKUBE-POD-POSTROUTING -m mark --mark 0x2000/0x2000 -m comment --comment \"mkube hostPort hairpin\" -j MASQUERADE\n"
            + "-A MKUBE-POD-POSTROUTING -s 10.42.0.0/16 -d 10.42.0.0/16 -m comment --comment \"mkube pod to pod\" -j RETURN\n"
            + "-A MKUBE-POD-POSTROUTING -s 10.42.0.0/16 ! -d 224.0.0.0/4 -m comment --comment \"mkube pods leaving the cluster\" -j MASQUERADE --random-fully\n"
            + "COMMIT\n"));
    }
}
