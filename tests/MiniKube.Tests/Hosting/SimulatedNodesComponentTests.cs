using System.Net;
using k8s;
using k8s.Models;
using MiniKube.Hosting;

namespace MiniKube.Tests.Hosting;

/// <summary><c>mkube server --disable-agent --simulate-nodes 3</c>, in process: three Ready nodes that run pods.</summary>
[TestFixture]
[Category("Integration")]
public sealed class SimulatedNodesComponentTests
{
    private ServerHost _server = null!;

    private Kubernetes Client => _server.Admin;

    [SetUp]
    public async Task SetUp() =>
        _server = await ServerHost.StartAsync("mkube-simnodes-", (services, dataDir) => services.AddSimulatedNodes(new SimulatedNodesSettings(3, "test", dataDir, "127.0.0.1")));

    [TearDown]
    public async Task TearDown() => await _server.DisposeAsync();

    [Test]
    public async Task Run_ThreeNodes_AllRegisterReadyWithTheirOwnKubeletPort()
    {
        IList<V1Node> nodes = [];
        await ServerHost.WaitUntilAsync(async () =>
        {
            nodes = (await Client.CoreV1.ListNodeAsync()).Items;
            return nodes.Count == 3 && nodes.All(IsReady);
        });

        Assert.That(nodes.Select(n => n.Metadata.Name), Is.EquivalentTo(new[] { "test-sim-000", "test-sim-001", "test-sim-002" }));
        var ports = nodes.Select(n => n.Status.DaemonEndpoints.KubeletEndpoint.Port).ToList();
        Assert.That(ports, Is.Unique.And.All.GreaterThan(0));
        foreach (var node in nodes)
        {
            var lease = await Client.CoordinationV1.ReadNamespacedLeaseAsync(node.Metadata.Name, "kube-node-lease");
            Assert.That(lease.Spec.HolderIdentity, Is.EqualTo(node.Metadata.Name));
        }
    }

    [Test]
    public async Task Run_PodBoundToASimulatedNode_ReachesRunningWithAFleetIp()
    {
        await ServerHost.WaitUntilAsync(async () => (await Client.CoreV1.ListNodeAsync()).Items.Count(IsReady) == 3);
        var pods = new[] { "test-sim-001", "test-sim-002" }.Select(node => new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "on-" + node },
            Spec = new V1PodSpec
            {
                NodeName = node,
                TerminationGracePeriodSeconds = 1,
                Containers = [new V1Container { Name = "main", Image = "busybox", Command = ["sleep", "3600"] }],
            },
        });
        // No controller manager in this host: the default ServiceAccount pods need, and the
        // kube-root-ca.crt ConfigMap their token volume projects, are made by hand.
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "default" } }, "default");
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "kube-root-ca.crt" }, Data = new Dictionary<string, string> { ["ca.crt"] = "test CA" } }, "default");
        foreach (var pod in pods)
        {
            await Client.CoreV1.CreateNamespacedPodAsync(pod, "default");
        }

        IList<V1Pod> running = [];
        await ServerHost.WaitUntilAsync(async () =>
        {
            running = [.. (await Client.CoreV1.ListNamespacedPodAsync("default")).Items.Where(p => p.Status?.Phase == "Running")];
            return running.Count == 2;
        });

        var fleet = IPNetwork.Parse("10.42.128.0/17");
        Assert.That(running.Select(p => p.Status.HostIP), Is.All.EqualTo("127.0.0.1"));
        Assert.That(running.Select(p => p.Status.PodIP), Is.Unique);
        Assert.That(running.All(p => fleet.Contains(IPAddress.Parse(p.Status.PodIP))), "pod IPs from the simulated nodes' shared pool");
        Assert.That(running.Select(p => p.Status.ContainerStatuses.Single().State.Running), Is.All.Not.Null);
    }

    private static bool IsReady(V1Node node) =>
        node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
}
