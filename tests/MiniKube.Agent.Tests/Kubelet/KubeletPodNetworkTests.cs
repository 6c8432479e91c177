using System.Net;
using k8s;
using k8s.Models;

namespace MiniKube.Agent.Tests.Kubelet;

/// <summary>
/// The kubelet and a runtime whose pod network waits for the node's podCIDR: the node is
/// NotReady saying so, only hostNetwork pods start, and once the Node has a podCIDR (written
/// here as the node IPAM controller would) the runtime gets it and the other pods start with
/// addresses from it.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class KubeletPodNetworkTests
{
    private KubeletTestCluster _cluster = null!;
    private CountingRuntime _runtime = null!;

    [SetUp]
    public async Task SetUp()
    {
        _cluster = await KubeletTestCluster.StartAsync();
        _runtime = new CountingRuntime(_cluster.Runtime) { WaitsForPodCidr = true };
        await _cluster.StartKubeletAsync(runtime: _runtime);
    }

    [TearDown]
    public async Task TearDown() => await _cluster.DisposeAsync();

    [Test]
    public async Task NoPodCidr_NodeNotReadyAndOnlyHostNetworkPodsRun_UntilTheNodeGetsOne()
    {
        await _cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("web", hostNetwork: false), "default");
        await _cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("host", hostNetwork: true), "default");

        await _cluster.WaitForPodAsync("host", p => p.Status?.Phase == "Running");
        var waiting = await _cluster.WaitForPodAsync("web", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting?.Reason == "ContainerCreating");
        var notReady = (await _cluster.Client.CoreV1.ReadNodeAsync(KubeletTestCluster.NodeName)).Status.Conditions.Single(c => c.Type == "Ready");
        var events = await EventsAsync("web", "NetworkNotReady");

        await _cluster.Client.CoreV1.PatchNodeAsync(new V1Patch("{\"spec\":{\"podCIDR\":\"10.42.7.0/24\",\"podCIDRs\":[\"10.42.7.0/24\"]}}", V1Patch.PatchType.MergePatch), KubeletTestCluster.NodeName);
        var running = await _cluster.WaitForPodAsync("web", p => p.Status?.Phase == "Running" && p.Status.PodIP is not null);
        await KubeletTestCluster.WaitUntilAsync(async () =>
            (await _cluster.Client.CoreV1.ReadNodeAsync(KubeletTestCluster.NodeName)).Status.Conditions.Single(c => c.Type == "Ready").Status == "True",
            "the node never became Ready");

        Assert.That(waiting.Status.Phase, Is.EqualTo("Pending"));
        Assert.That(waiting.Status.PodIP, Is.Null);
        Assert.That((notReady.Status, notReady.Reason, notReady.Message), Is.EqualTo(("False", "KubeletNotReady",
            $"container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: {CountingRuntime.NoPodCidr}")));
        Assert.That(events.First().Message, Is.EqualTo(
            $"network is not ready: container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: {CountingRuntime.NoPodCidr}"));
        Assert.That(events.First().Type, Is.EqualTo("Warning"));
        Assert.That(_runtime.PodCidr, Is.EqualTo(IPNetwork.Parse("10.42.7.0/24")));
        Assert.That(IPNetwork.Parse("10.42.7.0/24").Contains(IPAddress.Parse(running.Status.PodIP)), Is.True,
            $"a lone simulated node's pods take addresses from its podCIDR ({running.Status.PodIP})");
    }

    private async Task<IList<Corev1Event>> EventsAsync(string pod, string reason)
    {
        IList<Corev1Event> events = [];
        await KubeletTestCluster.WaitUntilAsync(async () =>
        {
            events = [.. (await _cluster.Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: $"involvedObject.name={pod}")).Items.Where(e => e.Reason == reason)];
            return events.Count > 0;
        }, $"no {reason} event for {pod}");
        return events;
    }

    private static V1Pod Pod(string name, bool hostNetwork) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            NodeName = KubeletTestCluster.NodeName,
            HostNetwork = hostNetwork,
            TerminationGracePeriodSeconds = 1,
            Containers = [new V1Container { Name = "main", Image = "mkube.local/busybox:1", Command = ["sleep", "3600"] }],
        },
    };
}
