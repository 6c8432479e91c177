using k8s.Models;
using System.Diagnostics;
using System.Net;
using MiniKube.Agent.Network;
using MiniKube.Agent.NetworkPolicy;
using MiniKube.Agent.Tests.Network;
using static MiniKube.Agent.Tests.NetworkPolicy.PolicyObjects;

namespace MiniKube.Agent.Tests.NetworkPolicy;

/// <summary>
/// Policies enforced by the real kernel (needs root, iproute2, iptables, ipset, busybox): three
/// network namespaces of the test's own, wired to a test bridge by the pod network as sandboxes
/// are (<see cref="TestPodNetwork"/>: bridge <c>mkt…</c>, its own chains), stand for pods
/// <c>client</c> (ns <c>front</c>), <c>server</c> (ns <c>web</c>, an HTTP server on 8080) and
/// <c>other</c> (ns <c>misc</c>). The rule sync runs with a prefix of the test's own, and real
/// TCP connections show what passes. Everything goes in TearDown.
/// </summary>
[TestFixture, Category("Integration"), NonParallelizable]
public sealed class PolicyFirewallLinuxTests
{
    private readonly Dictionary<string, (string Netns, IPAddress Ip)> _pods = [];
    private TestPodNetwork _network = null!;
    private PolicyNames _names = null!;
    private PolicyFirewall _firewall = null!;
    private readonly List<Process> _holders = [];
    private readonly List<string> _netns = [];
    private string _lastError = "";

    [SetUp]
    public async Task StartPods()
    {
        _network = TestPodNetwork.Real("10.251");
        _names = new PolicyNames("MKP" + _network.Id.ToUpperInvariant());
        _firewall = new PolicyFirewall(HostCommands.Instance, _names);
        await _network.Network.ConfigureAsync(_network.PodCidr, CancellationToken.None);
        foreach (var (pod, letter) in new[] { ("client", 'a'), ("server", 'b'), ("other", 'c') })
        {
            _pods[pod] = await PodAsync(pod, letter);
        }
        var site = Directory.CreateDirectory(Path.Combine(_network.Directory, "site")).FullName;
        await File.WriteAllTextAsync(Path.Combine(site, "index.html"), "served");
        Hold(Process.Start(new ProcessStartInfo("nsenter", [$"--net=/run/netns/{_pods["server"].Netns}", "busybox", "httpd", "-f", "-p", "8080", "-h", site]) { UseShellExecute = false })!);
        Assert.That(await ConnectsAsync("client", "server", waitForServer: true), Is.True, $"reachable before any policy: {_lastError}");
    }

    [TearDown]
    public async Task RemoveEverything()
    {
        await _firewall.TearDownAsync(CancellationToken.None);
        foreach (var holder in _holders)
        {
            holder.Kill();
            await holder.WaitForExitAsync();
            holder.Dispose();
        }
        foreach (var netns in _netns)
        {
            await HostCommands.Instance.RunAsync("ip", ["netns", "del", netns], null, CancellationToken.None);
        }
        await _network.DisposeAsync();
        // NUnit keeps one fixture instance for all its tests.
        _holders.Clear();
        _netns.Clear();
        _pods.Clear();
    }

    [Test]
    public async Task Sync_DefaultDenyThenAllowByPodLabel_OnlyTheLabelledClientPasses_AndRemovalRestores()
    {
        var deny = Policy("web", "deny-all");
        var allow = Policy("web", "allow-client", ingress: [From(PodPeer(Labels(("role", "client")), namespaces: new V1LabelSelector()))]);

        await SyncAsync(deny);
        var deniedClient = await ConnectsAsync("client", "server");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        var fromNode = await http.GetStringAsync($"http://{_pods["server"].Ip}:8080/index.html");
        await SyncAsync(deny, allow);
        var allowedClient = await ConnectsAsync("client", "server");
        var deniedOther = await ConnectsAsync("other", "server");
        await SyncAsync();
        var restored = await ConnectsAsync("other", "server");
        var sets = await HostCommands.Instance.RunAsync("ipset", ["list", "-n"], null, CancellationToken.None);

        Assert.That(deniedClient, Is.False, "default deny");
        Assert.That(fromNode, Is.EqualTo("served"), "the node reaches its pods");
        Assert.That(allowedClient, Is.True, "allowed by pod label");
        Assert.That(deniedOther, Is.False, "not labelled");
        Assert.That(restored, Is.True, "no policy, no restriction");
        Assert.That(sets.Output, Does.Not.Contain(_names.SetPrefix), "unused sets destroyed");
    }

    [Test]
    public async Task Sync_AllowByNamespaceLabel_OnlyPodsOfTheLabelledNamespacePass()
    {
        await SyncAsync(Policy("web", "from-front", ingress: [From(PodPeer(namespaces: Labels(("team", "front"))))]));

        Assert.That(await ConnectsAsync("client", "server"), Is.True);
        Assert.That(await ConnectsAsync("other", "server"), Is.False);
    }

    [Test]
    public async Task Sync_AllowByIpBlockWithExcept_TheExceptedAddressIsRejected()
    {
        var block = Block(_network.PodCidr.ToString(), $"{_pods["other"].Ip}/32");

        await SyncAsync(Policy("web", "from-block", ingress: [From(block)]));

        Assert.That(await ConnectsAsync("client", "server"), Is.True);
        Assert.That(await ConnectsAsync("other", "server"), Is.False);
    }

    [Test]
    public async Task Sync_EgressDenyThenAllowToNamedPort_ClientReachesOnlyWhatItMay()
    {
        var deny = Policy("front", "no-egress", types: ["Egress"]);
        var toServer = Policy("front", "to-web", egress: [new V1NetworkPolicyEgressRule { To = [PodPeer(namespaces: Labels(("kubernetes.io/metadata.name", "web")))], Ports = [new V1NetworkPolicyPort { Port = "http" }] }]);

        await SyncAsync(deny);
        var denied = await ConnectsAsync("client", "server");
        await SyncAsync(deny, toServer);

        Assert.That(denied, Is.False);
        Assert.That(await ConnectsAsync("client", "server"), Is.True);
    }

    private async Task SyncAsync(params V1NetworkPolicy[] policies)
    {
        V1Pod[] pods =
        [
            Pod("front", "client", _pods["client"].Ip.ToString(), labels: new Dictionary<string, string> { ["role"] = "client" }),
            Pod("web", "server", _pods["server"].Ip.ToString(), ports: new V1ContainerPort { Name = "http", ContainerPort = 8080 }),
            Pod("misc", "other", _pods["other"].Ip.ToString()),
        ];
        V1Namespace[] namespaces = [Namespace("front", new Dictionary<string, string> { ["team"] = "front", ["kubernetes.io/metadata.name"] = "front" }), Namespace("web"), Namespace("misc")];
        await _firewall.ApplyAsync(PolicyCompiler.Compile(new PolicyState(policies, pods, namespaces, "node-a"), _names), full: policies.Length % 2 == 0, CancellationToken.None);
    }

    /// <summary>
    /// Whether a TCP connection (an HTTP GET) from one pod to another's port 8080 gets its answer
    /// within 3 s (busybox wget's own -T crashes on Debian 12's busybox); a just-started server is given a few tries.
    /// </summary>
    private async Task<bool> ConnectsAsync(string from, string to, bool waitForServer = false)
    {
        for (var attempt = 0; ; attempt++)
        {
            var get = await HostCommands.Instance.RunAsync("timeout", ["3", "nsenter", $"--net=/run/netns/{_pods[from].Netns}", "busybox", "wget", "-q", "-O", "-", $"http://{_pods[to].Ip}:8080/index.html"], null, CancellationToken.None);
            _lastError = $"{get.ExitCode} {get.Output} {get.Error}";
            if (get.Succeeded || !waitForServer || attempt == 20)
            {
                return get.Succeeded && get.Output == "served";
            }
            await Task.Delay(100);
        }
    }

    /// <summary>A network namespace held by a sleeping process, attached to the test bridge as a sandbox.</summary>
    private async Task<(string Netns, IPAddress Ip)> PodAsync(string pod, char letter)
    {
        var netns = $"mkube-test-{_network.Id}-{pod}";
        var created = await HostCommands.Instance.RunAsync("ip", ["netns", "add", netns], null, CancellationToken.None);
        Assert.That(created.Succeeded, Is.True, created.Error);
        _netns.Add(netns);
        var holder = Hold(Process.Start(new ProcessStartInfo("nsenter", [$"--net=/run/netns/{netns}", "sleep", "600"]) { UseShellExecute = false })!);
        var ip = await _network.Network.AttachAsync(new string(letter, 16) + _network.Id, holder.Id, [], CancellationToken.None);
        return (netns, ip);
    }

    private Process Hold(Process process)
    {
        _holders.Add(process);
        return process;
    }
}
