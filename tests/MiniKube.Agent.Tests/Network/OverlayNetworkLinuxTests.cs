using System.Net;
using k8s.Models;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Agent.Network;
using MiniKube.Testing;

namespace MiniKube.Agent.Tests.Network;

/// <summary>
/// Two nodes on the real kernel (needs root, iproute2, busybox): two network namespaces this test
/// makes (<c>mkxn-&lt;id&gt;-a</c>, <c>-b</c>) joined by a veth pair as their LAN (192.168.250.0/24,
/// which exists only inside them), each with a bridge (the role of mkube0) holding a "pod" address of its podCIDR.
/// <see cref="OverlayNetwork"/> runs for each inside its namespace against an in-process API
/// server, as each node's agent would, and traffic crosses between the podCIDRs; deleting a Node
/// takes its route away. Everything is in the namespaces, which go in TearDown.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class OverlayNetworkLinuxTests
{
    private readonly string _id = Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.Next()))[..5];
    private readonly List<System.Diagnostics.Process> _servers = [];
    private TestApiServer _api = null!;
    private Kubernetes _client = null!;
    private string _site = null!;

    private string A => $"mkxn-{_id}-a";

    private string B => $"mkxn-{_id}-b";

    [SetUp]
    public async Task CreateTwoNodes()
    {
        _api = await TestApiServer.StartAsync();
        _client = _api.Client();
        _site = Directory.CreateTempSubdirectory("mkube-overlay-").FullName;
        await File.WriteAllTextAsync(Path.Combine(_site, "index.html"), "hello from node b's pod");
        await RunCheckedAsync("ip", "netns", "add", A);
        await RunCheckedAsync("ip", "netns", "add", B);
        await RunCheckedAsync("ip", "link", "add", $"mkxn{_id}a", "type", "veth", "peer", "name", $"mkxn{_id}b");
        await RunCheckedAsync("ip", "link", "set", $"mkxn{_id}a", "netns", A);
        await RunCheckedAsync("ip", "link", "set", $"mkxn{_id}b", "netns", B);
        await WireAsync(A, $"mkxn{_id}a", "192.168.250.1", "10.42.0.5");
        await WireAsync(B, $"mkxn{_id}b", "192.168.250.2", "10.42.1.5");
        await CreateNodeAsync("a", "10.42.0.0/24");
        await CreateNodeAsync("b", "10.42.1.0/24");
    }

    [TearDown]
    public async Task RemoveEverything()
    {
        foreach (var server in _servers)
        {
            server.Kill();
            await server.WaitForExitAsync();
            server.Dispose();
        }
        _servers.Clear();
        // The LAN pair and every link of ours live in the namespaces and go with them.
        await RunAsync("ip", "netns", "del", A);
        await RunAsync("ip", "netns", "del", B);
        _client.Dispose();
        await _api.DisposeAsync();
        Directory.Delete(_site, recursive: true);
    }

    [TestCase(OverlayBackend.Vxlan)]
    [TestCase(OverlayBackend.HostGw)]
    public async Task SyncAsync_BothNodes_PodAddressesReachEachOtherAndADeletedNodeTakesItsRoute(OverlayBackend backend)
    {
        using var a = Overlay(A, "a", "192.168.250.1", backend);
        using var b = Overlay(B, "b", "192.168.250.2", backend);
        await a.SyncAsync(await NodesAsync(), CancellationToken.None); // publishes a
        await b.SyncAsync(await NodesAsync(), CancellationToken.None); // publishes b, routes to a
        await a.SyncAsync(await NodesAsync(), CancellationToken.None); // routes to b
        await a.SyncAsync(await NodesAsync(), CancellationToken.None); // changes nothing
        _servers.Add(System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("nsenter", [$"--net=/run/netns/{B}", "busybox", "httpd", "-f", "-p", "10.42.1.5:8080", "-h", _site]) { UseShellExecute = false })!);

        var ping = await RunAsync("nsenter", $"--net=/run/netns/{A}", "busybox", "ping", "-c", "1", "-W", "2", "-I", "10.42.0.5", "10.42.1.5");
        var tcp = await RetryAsync(() => RunAsync("nsenter", $"--net=/run/netns/{A}", "busybox", "wget", "-q", "-O", "-", "http://10.42.1.5:8080/index.html"));
        var routesBefore = await RunAsync("nsenter", $"--net=/run/netns/{A}", "ip", "-4", "route", "show", "proto", NodeRoutes.RouteProtocol);
        await _client.CoreV1.DeleteNodeAsync("b");
        await a.SyncAsync(await NodesAsync(), CancellationToken.None);
        var routesAfter = await RunAsync("nsenter", $"--net=/run/netns/{A}", "ip", "-4", "route", "show", "proto", NodeRoutes.RouteProtocol);
        var neighboursAfter = await RunAsync("nsenter", $"--net=/run/netns/{A}", "ip", "-4", "neigh", "show", "nud", "permanent");
        var node = await _client.CoreV1.ReadNodeAsync("a");

        Assert.That(ping.ExitCode, Is.Zero, ping.Output + ping.Error);
        Assert.That(tcp.Output, Is.EqualTo("hello from node b's pod"), tcp.Error);
        Assert.That(routesBefore.Output.Trim(), Is.EqualTo(backend == OverlayBackend.Vxlan
            ? "10.42.1.0/24 via 10.42.1.0 dev mkube.1 onlink"
            : $"10.42.1.0/24 via 192.168.250.2 dev mkxn{_id}a"));
        Assert.That(routesAfter.Output.Trim(), Is.Empty);
        Assert.That(neighboursAfter.Output.Trim(), Is.Empty);
        Assert.That(node.Metadata.Annotations[FlannelAnnotations.BackendType], Is.EqualTo(OverlayBackends.NameOf(backend)));
        Assert.That(node.Metadata.Annotations[FlannelAnnotations.PublicIp], Is.EqualTo("192.168.250.1"));
    }

    [Test]
    public async Task SyncAsync_BackendChangedFromVxlanToHostGw_RemovesTheDeviceAndRoutesDirectly()
    {
        using (var vxlan = Overlay(A, "a", "192.168.250.1", OverlayBackend.Vxlan))
        using (var peer = Overlay(B, "b", "192.168.250.2", OverlayBackend.Vxlan))
        {
            await vxlan.SyncAsync(await NodesAsync(), CancellationToken.None);
            await peer.SyncAsync(await NodesAsync(), CancellationToken.None);
            await vxlan.SyncAsync(await NodesAsync(), CancellationToken.None);
        }
        using var a = Overlay(A, "a", "192.168.250.1", OverlayBackend.HostGw);
        using var b = Overlay(B, "b", "192.168.250.2", OverlayBackend.HostGw);

        await b.SyncAsync(await NodesAsync(), CancellationToken.None);
        await a.SyncAsync(await NodesAsync(), CancellationToken.None);
        var device = await RunAsync("nsenter", $"--net=/run/netns/{A}", "ip", "link", "show", "dev", PodNetworkOptions.DefaultOverlayDevice);
        var routes = await RunAsync("nsenter", $"--net=/run/netns/{A}", "ip", "-4", "route", "show", "proto", NodeRoutes.RouteProtocol);

        Assert.That(device.ExitCode, Is.Not.Zero, "the VXLAN device is gone");
        Assert.That(routes.Output.Trim(), Is.EqualTo($"10.42.1.0/24 via 192.168.250.2 dev mkxn{_id}a"));
    }

    private OverlayNetwork Overlay(string ns, string node, string nodeIp, OverlayBackend backend) =>
        new(_client, _client, new PodNetworkOptions
        {
            IpamDirectory = _site,
            ClusterCidr = IPNetwork.Parse("10.42.0.0/16"),
            NodeIp = nodeIp,
            Mtu = 1450,
            Backend = backend,
        }, node, new NamespaceCommands(ns), NullLogger.Instance);

    private async Task<IReadOnlyCollection<V1Node>> NodesAsync() => (await _client.CoreV1.ListNodeAsync()).Items.ToList();

    private async Task CreateNodeAsync(string name, string podCidr)
    {
        var node = await _client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = name } });
        node.Spec = new V1NodeSpec { PodCIDR = podCidr, PodCIDRs = [podCidr] };
        await _client.CoreV1.ReplaceNodeAsync(node, name);
    }

    /// <summary>The namespace's LAN end, loopback, and a bridge holding the pod address, as mkube0 does (its /24 the node's podCIDR).</summary>
    private static async Task WireAsync(string ns, string lan, string nodeIp, string podIp)
    {
        await RunCheckedAsync("nsenter", [$"--net=/run/netns/{ns}", "ip", "-batch", "-"],
            $"link set dev lo up\naddr add {nodeIp}/24 dev {lan}\nlink set dev {lan} up\nlink add name pod0 type bridge\naddr add {podIp}/24 dev pod0\nlink set dev pod0 up\n");
    }

    private static Task<CommandResult> RunAsync(string tool, params string[] arguments) =>
        HostCommands.Instance.RunAsync(tool, arguments, null, CancellationToken.None);

    private static async Task RunCheckedAsync(string tool, params string[] arguments) =>
        await HostCommands.Instance.RunCheckedAsync(tool, arguments, null, CancellationToken.None);

    private static async Task RunCheckedAsync(string tool, string[] arguments, string input) =>
        await HostCommands.Instance.RunCheckedAsync(tool, arguments, input, CancellationToken.None);

    /// <summary>A server just started may not listen yet: a few tries, 200 ms apart.</summary>
    private static async Task<CommandResult> RetryAsync(Func<Task<CommandResult>> attempt)
    {
        for (var i = 0; ; i++)
        {
            var result = await attempt();
            if (result.Succeeded || i == 9)
            {
                return result;
            }
            await Task.Delay(200);
        }
    }

    /// <summary>Runs every tool inside one network namespace, as the agent of a node living there would.</summary>
    private sealed class NamespaceCommands(string ns) : IHostCommands
    {
        public Task<CommandResult> RunAsync(string tool, IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken) =>
            HostCommands.Instance.RunAsync("nsenter", [$"--net=/run/netns/{ns}", "--", tool, .. arguments], input, cancellationToken);
    }
}
