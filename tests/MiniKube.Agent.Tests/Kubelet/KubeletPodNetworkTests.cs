using System.Net;
using k8s;
using k8s.Models;

namespace MiniKube.Agent.Tests.Kubelet;

/// <summary>The kubelet over a runtime whose pod network waits for the Node's podCIDR (which a test writes as the node IPAM controller would).</summary>
[Category("Integration")]
public sealed class KubeletPodNetworkTests
{
    [Test]
    public async Task NoPodCidr_NodeNotReadyAndOnlyHostNetworkPodsRun_UntilTheNodeGetsOne()
    {
        await using var cluster = await KubeletTestCluster.StartAsync();
        var runtime = new CountingRuntime(cluster.Runtime) { WaitsForPodCidr = true };
        await cluster.StartKubeletAsync(runtime: runtime);
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("web", hostNetwork: false), "default");
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("host", hostNetwork: true), "default");

        await cluster.WaitForPodAsync("host", p => p.Status?.Phase == "Running");
        var waiting = await cluster.WaitForPodAsync("web", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting?.Reason == "ContainerCreating");
        var notReady = (await cluster.Client.CoreV1.ReadNodeAsync(KubeletTestCluster.NodeName)).Status.Conditions.Single(c => c.Type == "Ready");
        var events = await EventsAsync(cluster, "web", "NetworkNotReady");

        await cluster.Client.CoreV1.PatchNodeAsync(new V1Patch("{\"spec\":{\"podCIDR\":\"10.42.7.0/24\",\"podCIDRs\":[\"10.42.7.0/24\"]}}", V1Patch.PatchType.MergePatch), KubeletTestCluster.NodeName);
        var running = await cluster.WaitForPodAsync("web", p => p.Status?.Phase == "Running" && p.Status.PodIP is not null);
        await KubeletTestCluster.WaitUntilAsync(async () =>
            (await cluster.Client.CoreV1.ReadNodeAsync(KubeletTestCluster.NodeName)).Status.Conditions.Single(c => c.Type == "Ready").Status == "True",
            "the node never became Ready");

        Assert.That(waiting.Status.Phase, Is.EqualTo("Pending"));
        Assert.That(waiting.Status.PodIP, Is.Null);
        Assert.That((notReady.Status, notReady.Reason, notReady.Message), Is.EqualTo(("False", "KubeletNotReady",
            $"container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: {CountingRuntime.NoPodCidr}")));
        Assert.That(events.First().Message, Is.EqualTo(
            $"network is not ready: container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: {CountingRuntime.NoPodCidr}"));
        Assert.That(events.First().Type, Is.EqualTo("Warning"));
        Assert.That(runtime.PodCidr, Is.EqualTo(IPNetwork.Parse("10.42.7.0/24")));
        Assert.That(IPNetwork.Parse("10.42.7.0/24").Contains(IPAddress.Parse(running.Status.PodIP)), Is.True,
            $"a lone simulated node's pods take addresses from its podCIDR ({running.Status.PodIP})");
    }

    [Test]
    public async Task Restart_NodeRegisteredWithAPodCidr_NeverReportedNotReady()
    {
        await using var cluster = await KubeletTestCluster.StartAsync();
        // As the kubelet of a previous run (an earlier release, without a local copy) left it: registered, Ready, with its podCIDR.
        var created = await cluster.Client.CoreV1.CreateNodeAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = KubeletTestCluster.NodeName },
            Spec = new V1NodeSpec { PodCIDR = "10.42.7.0/24", PodCIDRs = ["10.42.7.0/24"] },
        });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var reported = new List<string>();
        var watch = Task.Run(async () =>
        {
            await foreach (var (_, node) in MiniKube.Client.KubeListWatches.Nodes(cluster.Client).WatchAsync(created.Metadata.ResourceVersion, stop.Token))
            {
                if (node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready") is { } ready)
                {
                    lock (reported)
                    {
                        reported.Add(ready.Status);
                    }
                    if (ready.Status == "True")
                    {
                        return;
                    }
                }
            }
        }, stop.Token);
        var runtime = new CountingRuntime(cluster.Runtime) { WaitsForPodCidr = true };

        await cluster.StartKubeletAsync(runtime: runtime);
        await watch;

        Assert.That(reported, Is.EqualTo(new[] { "True" }), "the first status the restarted kubelet wrote says Ready");
        Assert.That(runtime.PodCidr, Is.EqualTo(IPNetwork.Parse("10.42.7.0/24")));
    }

    private static async Task<IList<Corev1Event>> EventsAsync(KubeletTestCluster cluster, string pod, string reason)
    {
        IList<Corev1Event> events = [];
        await KubeletTestCluster.WaitUntilAsync(async () =>
        {
            events = [.. (await cluster.Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: $"involvedObject.name={pod}")).Items.Where(e => e.Reason == reason)];
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
