using System.Net;
using k8s.Models;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Agent.Network;
using MiniKube.Testing;

namespace MiniKube.Agent.Tests.Network;

/// <summary>
/// <see cref="OverlayNetwork"/> against an in-process API server under the identities it runs
/// with (the node's own for its annotations, system:kube-proxy for reading Nodes), over a fake
/// host runner.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class OverlayNetworkTests
{
    private const string VtepMac = "6a:80:55:fa:7e:d5";
    private TestApiServer _api = null!;
    private Kubernetes _admin = null!;
    private Kubernetes _node = null!;
    private Kubernetes _proxy = null!;

    [SetUp]
    public async Task SetUp()
    {
        _api = await TestApiServer.StartAsync();
        _admin = _api.Client();
        _node = TestIdentities.Client(_api, "system:node:a", "system:nodes");
        _proxy = TestIdentities.Client(_api, "system:kube-proxy");
        await CreateNodeAsync("a", "10.42.0.0/24", null);
        await CreateNodeAsync("b", "10.42.1.0/24", FlannelAnnotations.For(OverlayBackend.Vxlan, IPAddress.Parse("192.168.5.2"), "aa:bb:cc:dd:ee:01"));
    }

    [TearDown]
    public async Task TearDown()
    {
        _node.Dispose();
        _proxy.Dispose();
        _admin.Dispose();
        await _api.DisposeAsync();
    }

    [Test]
    public void ListNodes_AsTheNode_IsForbiddenButTheProxyMay()
    {
        // Why the overlay reads Nodes as system:kube-proxy: AuthorizeNodeWithSelectors lets a kubelet read only its own Node.
        var refused = Assert.ThrowsAsync<HttpOperationException>(() => _node.CoreV1.ListNodeAsync());

        Assert.That(refused!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(async () => await _proxy.CoreV1.ListNodeAsync(), Throws.Nothing);
    }

    [Test]
    public async Task RunAsync_AsNodeAndProxy_PublishesItsAnnotationsRoutesToThePeerAndDropsItWhenDeleted()
    {
        var commands = new LockedCommands(new FakeHostCommands()
            .Answer("ip -d -o link show", 1, error: "Device \"mkube.1\" does not exist.")
            .Answer("ip -o link show", 0, $"7: mkube.1: <UP> mtu 1450\\    link/ether {VtepMac} brd ff:ff:ff:ff:ff:ff\n")
            // The kernel as it is once b's route is in: only what is missing is added, and b's removal shows as a delete.
            .Answer("ip -4 route show", 0, "10.42.1.0/24 via 10.42.1.0 dev mkube.1 onlink \n"));
        using var overlay = new OverlayNetwork(_node, _proxy, Options(OverlayBackend.Vxlan), "a", commands, NullLogger.Instance) { ResyncInterval = TimeSpan.FromMilliseconds(100) };
        using var stop = new CancellationTokenSource();
        var running = overlay.RunAsync(stop.Token);

        await WaitForAsync(() => commands.Inputs().Any(i => i.Contains("neigh replace 10.42.1.0 lladdr aa:bb:cc:dd:ee:01 dev mkube.1 nud permanent", StringComparison.Ordinal)));
        var node = await _admin.CoreV1.ReadNodeAsync("a");
        await _admin.CoreV1.DeleteNodeAsync("b");
        await WaitForAsync(() => commands.Inputs().Any(i => i.Contains("route del 10.42.1.0/24 proto 77", StringComparison.Ordinal)));
        await stop.CancelAsync();
        await running;

        Assert.That(node.Metadata.Annotations, Is.SupersetOf(FlannelAnnotations.For(OverlayBackend.Vxlan, IPAddress.Parse("192.168.5.1"), VtepMac)));
    }

    [Test]
    public async Task RunAsync_None_RemovesOurRoutesAndDeviceAndWritesNothing()
    {
        var commands = new LockedCommands(new FakeHostCommands()
            .Answer("ip -4 route show", 0, "10.42.1.0/24 via 192.168.5.2 dev lan0 \n"));
        using var overlay = new OverlayNetwork(_node, _proxy, Options(OverlayBackend.None), "a", commands, NullLogger.Instance);

        await overlay.RunAsync(CancellationToken.None);
        var node = await _admin.CoreV1.ReadNodeAsync("a");

        Assert.That(commands.Inputs(), Does.Contain("route del 10.42.1.0/24 proto 77\n"));
        Assert.That(commands.Lines(), Does.Contain("ip link del dev mkube.1"));
        Assert.That(node.Metadata.Annotations ?? new Dictionary<string, string>(), Does.Not.ContainKey(FlannelAnnotations.BackendType));
    }

    [Test]
    public async Task SyncAsync_PeerOnThisVeryMachine_GetsNoRoute()
    {
        var commands = new FakeHostCommands().Answer("ip -o link show", 0, $"7: mkube.1: <UP> mtu 1450\\    link/ether {VtepMac} brd ff:ff:ff:ff:ff:ff\n");
        var sameHost = FlannelAnnotations.For(OverlayBackend.Vxlan, IPAddress.Parse("192.168.5.1"), VtepMac);
        using var overlay = new OverlayNetwork(_node, _proxy, Options(OverlayBackend.Vxlan), "a", commands, NullLogger.Instance);

        await overlay.SyncAsync([FlannelAnnotationsTests.Node("a", "10.42.0.0/24", sameHost), FlannelAnnotationsTests.Node("c", "10.42.2.0/24", sameHost)], CancellationToken.None);

        Assert.That(commands.Calls.Select(c => c.Input).OfType<string>(), Has.None.Contains("10.42.2.0"));
    }

    private static PodNetworkOptions Options(OverlayBackend backend) => new()
    {
        IpamDirectory = Path.GetTempPath(),
        ClusterCidr = IPNetwork.Parse("10.42.0.0/16"),
        NodeIp = "192.168.5.1",
        Mtu = 1450,
        Backend = backend,
    };

    private async Task CreateNodeAsync(string name, string podCidr, IReadOnlyDictionary<string, string>? annotations)
    {
        var node = await _admin.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = name, Annotations = annotations?.ToDictionary() } });
        node.Spec = new V1NodeSpec { PodCIDR = podCidr, PodCIDRs = [podCidr] };
        await _admin.CoreV1.ReplaceNodeAsync(node, name);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(100);
        }
        Assert.That(condition(), Is.True, "not within 10 s");
    }

    /// <summary>The fake runner behind a lock, read by the test while the overlay's loop runs.</summary>
    private sealed class LockedCommands(FakeHostCommands inner) : IHostCommands
    {
        private readonly Lock _lock = new();

        public List<string> Inputs()
        {
            lock (_lock)
            {
                return inner.Calls.Select(c => c.Input).OfType<string>().ToList();
            }
        }

        public List<string> Lines()
        {
            lock (_lock)
            {
                return inner.Lines.ToList();
            }
        }

        public Task<CommandResult> RunAsync(string tool, IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                return inner.RunAsync(tool, arguments, input, cancellationToken);
            }
        }
    }
}
