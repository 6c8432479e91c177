using k8s;
using k8s.Models;
using MiniKube.Controllers.Common;
using MiniKube.Controllers.DaemonSet;
using MiniKube.Controllers.Tests.Common;

namespace MiniKube.Controllers.Tests.DaemonSet;

[Category("Integration")]
public sealed class DaemonSetControllerIntegrationTests
{
    private static V1DaemonSet NewDaemonSet(string image) => new()
    {
        Metadata = new V1ObjectMeta { Name = "agent" },
        Spec = new V1DaemonSetSpec
        {
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "agent" } },
            Template = TestObjects.Template(new Dictionary<string, string> { ["app"] = "agent" }, image: image),
        },
    };

    [Test]
    public async Task DaemonSet_TwoNodesThenNewImage_RollsOutAndKubectlRolloutStatusSucceeds()
    {
        await using var cluster = await ClusterHarness.StartAsync("daemonset");
        foreach (var name in new[] { "n1", "n2" })
        {
            await cluster.Client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = name } });
        }
        await cluster.Client.AppsV1.CreateNamespacedDaemonSetAsync(NewDaemonSet("busybox:1"), TestObjects.Namespace);

        var pods = await cluster.EventuallyAsync(async () => await cluster.PodsAsync("app=agent") is { Count: 2 } p ? p : null, "a pod per node");
        Assert.That(pods.Select(DaemonPods.TargetNode), Is.EquivalentTo(new[] { "n1", "n2" }));
        await cluster.StartPendingPodsAsync("app=agent");
        var (exit, output) = await Kubectl.RunAsync(cluster.KubeconfigPath, "rollout", "status", "-n", TestObjects.Namespace, "ds/agent", "--timeout=20s");
        Assert.That(exit, Is.Zero, output);

        var patch = new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"busybox:2"}]}}}}""", V1Patch.PatchType.StrategicMergePatch);
        await cluster.Client.AppsV1.PatchNamespacedDaemonSetAsync(patch, "agent", TestObjects.Namespace);
        var status = await cluster.EventuallyAsync(async () =>
        {
            await cluster.StartPendingPodsAsync("app=agent");
            var ds = await cluster.Client.AppsV1.ReadNamespacedDaemonSetAsync("agent", TestObjects.Namespace);
            return ds.Status is { UpdatedNumberScheduled: 2, NumberAvailable: 2 } s && s.ObservedGeneration == ds.Metadata.Generation ? s : null;
        }, "the rolling update to finish");

        Assert.That(status.DesiredNumberScheduled, Is.EqualTo(2));
        (exit, output) = await Kubectl.RunAsync(cluster.KubeconfigPath, "rollout", "status", "-n", TestObjects.Namespace, "ds/agent", "--timeout=20s");
        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain("successfully rolled out"));
        var images = (await cluster.PodsAsync("app=agent")).Where(p => p.Metadata.DeletionTimestamp is null).Select(p => p.Spec.Containers[0].Image);
        Assert.That(images, Is.EqualTo(new[] { "busybox:2", "busybox:2" }));
        var revisions = await cluster.Client.AppsV1.ListNamespacedControllerRevisionAsync(TestObjects.Namespace);
        Assert.That(revisions.Items.Select(r => r.Revision).Order(), Is.EqualTo(new long[] { 1, 2 }));
        Assert.That(revisions.Items.All(r => r.Metadata.Labels.ContainsKey(ControllerHistory.HashLabel)), Is.True);
        (exit, output) = await Kubectl.RunAsync(cluster.KubeconfigPath, "rollout", "history", "-n", TestObjects.Namespace, "ds/agent", "--revision=1");
        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain("busybox:1"));
    }
}
