using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Agent.Tests.Network;
using MiniKube.Agent.Runtime;
using MiniKube.Agent.Runtime.Docker;

namespace MiniKube.Agent.Tests.Runtime.Docker;

/// <summary>
/// Sandboxes of the Docker runtime on mkube's pod network (needs root and a Docker engine with
/// the offline images of scripts/images): network mode none, wired to a bridge, talking to each
/// other. The bridge, chains and node name are unique to each test; containers carry the test's
/// node as owner label (never an e2e- name) and go in TearDown with the network.
/// </summary>
[Category("E2E")]
[NonParallelizable]
public sealed class DockerPodNetworkTests
{
    private const string Busybox = "mkube.local/busybox:1";

    private TestPodNetwork _network = null!;
    private DockerRuntime _runtime = null!;

    private string Node => "podnet-test-" + _network.Id;

    [SetUp]
    public void CreateRuntime()
    {
        _network = TestPodNetwork.Real("10.251");
        _runtime = new DockerRuntime(NullLogger<DockerRuntime>.Instance, node: Node, network: _network.Network);
    }

    [TearDown]
    public async Task RemoveEverything()
    {
        using (var docker = new DockerClientConfiguration(new Uri(DockerRuntime.DefaultEndpoint)).CreateClient())
        {
            var mine = await docker.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = DockerLabels.Filter((DockerLabels.Managed, Node)) });
            foreach (var container in mine)
            {
                await docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
            }
        }
        await _network.DisposeAsync(); // tears the network down after its containers went
        _runtime.Dispose();

    }

    [Test]
    public async Task RunSandboxAsync_NetworkNotConfigured_RefusesWithTheReason()
    {
        Assert.That(_runtime.NetworkProblem, Does.Contain("no spec.podCIDR"));
        Assert.That(async () => await _runtime.RunSandboxAsync(Config("early"), CancellationToken.None),
            Throws.InvalidOperationException.With.Message.StartWith("network is not ready: "));
    }

    [Test]
    public async Task RunSandboxAsync_TwoPods_GetPodCidrAddressesAndConnect()
    {
        await _runtime.UpdatePodCidrAsync(_network.PodCidr, CancellationToken.None);
        var client = await _runtime.RunSandboxAsync(Config("client"), CancellationToken.None);
        var server = await _runtime.RunSandboxAsync(Config("server"), CancellationToken.None);
        // The server's files: its own hostname and hosts file, served over HTTP on the pod's address.
        var web = await StartAsync(server, "web", ["httpd", "-f", "-p", "8080", "-h", "/etc"]);
        var shell = await StartAsync(client, "shell", ["sleep", "300"]);

        var listed = (await _runtime.ListPodsAsync(CancellationToken.None)).Sandboxes;
        var ping = await _runtime.ExecSyncAsync(shell, ["ping", "-c", "1", "-W", "2", server.Ip!], TimeSpan.FromSeconds(10), CancellationToken.None);
        var tcp = await ExecUntilZeroAsync(shell, ["wget", "-q", "-O", "/dev/null", $"http://{server.Ip}:8080/hostname"]);
        var ownName = await _runtime.ExecSyncAsync(web, ["grep", "-q", $"^{server.Ip}\tserver$", "/etc/hosts"], TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.That(_network.PodCidr.Contains(IPAddress.Parse(client.Ip!)) && _network.PodCidr.Contains(IPAddress.Parse(server.Ip!)), Is.True, $"{client.Ip}, {server.Ip} in {_network.PodCidr}");
        Assert.That(client.Ip, Is.Not.EqualTo(server.Ip));
        Assert.That(listed.Select(s => (s.Id, s.Ip)), Is.EquivalentTo(new[] { (client.Id, client.Ip), (server.Id, server.Ip) }), "the relist reports the addresses assigned");
        Assert.That(ping, Is.Zero, "ping between the pods");
        Assert.That(tcp, Is.Zero, "TCP between the pods");
        Assert.That(ownName, Is.Zero, "the pod's hostname resolves to its address");
    }

    [Test]
    public async Task RemoveSandboxAsync_Wired_ReleasesTheAddress()
    {
        await _runtime.UpdatePodCidrAsync(_network.PodCidr, CancellationToken.None);
        var sandbox = await _runtime.RunSandboxAsync(Config("short"), CancellationToken.None);

        await _runtime.StopSandboxAsync(sandbox.Id, CancellationToken.None);
        await _runtime.RemoveSandboxAsync(sandbox.Id, CancellationToken.None);

        Assert.That(_network.Network.AddressOf(sandbox.Id), Is.Null);
        Assert.That(Directory.EnumerateFiles(Path.Combine(_network.Directory, "mkube")).Select(Path.GetFileName), Is.EqualTo(new[] { "last_reserved_ip" }));
    }

    private static SandboxConfig Config(string name) => new(Guid.NewGuid().ToString(), "podnet-test", name, name);

    private async Task<string> StartAsync(PodSandbox sandbox, string name, IReadOnlyList<string> command)
    {
        Assert.That(await _runtime.ImageStatusAsync(Busybox, CancellationToken.None), Is.Not.Null, "scripts/images builds it");
        var id = await _runtime.CreateContainerAsync(sandbox, new ContainerConfig(name, Busybox) { Command = command }, CancellationToken.None);
        await _runtime.StartContainerAsync(id, CancellationToken.None);
        return id;
    }

    /// <summary>A server just started may not listen yet: a few tries, 200 ms apart.</summary>
    private async Task<int> ExecUntilZeroAsync(string container, IReadOnlyList<string> command)
    {
        var code = -1;
        for (var i = 0; i < 10 && code != 0; i++)
        {
            if (i > 0)
            {
                await Task.Delay(200);
            }
            code = await _runtime.ExecSyncAsync(container, command, TimeSpan.FromSeconds(10), CancellationToken.None);
        }
        return code;
    }
}
