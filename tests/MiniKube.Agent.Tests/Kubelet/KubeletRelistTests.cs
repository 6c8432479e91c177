using k8s;
using k8s.Models;

namespace MiniKube.Agent.Tests.Kubelet;

/// <summary>The kubelet lists the runtime once per relist for the whole node, not per pod.</summary>
[TestFixture]
[Category("Integration")]
public sealed class KubeletRelistTests
{
    [Test]
    public async Task IdleNodeWithPods_OneRuntimeListingPerRelistAndNoneFromSyncs()
    {
        await using var cluster = await KubeletTestCluster.StartAsync();
        var runtime = new CountingRuntime(cluster.Runtime);
        await cluster.StartKubeletAsync(runtime: runtime);
        for (var i = 0; i < 5; i++)
        {
            await cluster.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = $"idle-{i}" },
                Spec = new V1PodSpec { NodeName = KubeletTestCluster.NodeName, Containers = [new V1Container { Name = "main", Image = "mkube.local/busybox:1" }] },
            }, "default");
        }
        for (var i = 0; i < 5; i++)
        {
            await cluster.WaitForPodAsync($"idle-{i}", p => p.Status?.Phase == "Running");
        }
        await Task.Delay(1000); // the last status writes settle

        var (lists, others) = (runtime.PodLists, runtime.OtherLists);
        await Task.Delay(2000);
        var relists = runtime.PodLists - lists;

        // 200 ms relists: about 10 in 2 s, whatever the number of pods; the syncs themselves list nothing.
        Assert.That(relists, Is.InRange(5, 14));
        Assert.That(runtime.OtherLists - others, Is.Zero);
    }
}
