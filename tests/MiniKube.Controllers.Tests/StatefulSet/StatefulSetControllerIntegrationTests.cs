using k8s;
using k8s.Models;
using MiniKube.Controllers.Tests.Common;

namespace MiniKube.Controllers.Tests.StatefulSet;

[Category("Integration")]
public sealed class StatefulSetControllerIntegrationTests
{
    private static V1StatefulSet NewSet() => new()
    {
        Metadata = new V1ObjectMeta { Name = "web" },
        Spec = new V1StatefulSetSpec
        {
            Replicas = 3,
            ServiceName = "web",
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            Template = TestObjects.Template(new Dictionary<string, string> { ["app"] = "web" }, image: "nginx:1"),
            VolumeClaimTemplates =
            [
                new V1PersistentVolumeClaim
                {
                    Metadata = new V1ObjectMeta { Name = "data" },
                    Spec = new V1PersistentVolumeClaimSpec
                    {
                        AccessModes = ["ReadWriteOnce"],
                        Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") } },
                    },
                },
            ],
        },
    };

    private static async Task<IList<V1Pod>> LivePodsAsync(ClusterHarness cluster) =>
        [.. (await cluster.PodsAsync("app=web")).Where(p => p.Metadata.DeletionTimestamp is null).OrderBy(p => p.Metadata.Name, StringComparer.Ordinal)];

    [Test]
    public async Task StatefulSet_OrderedStartRollingUpdateAndScaleDown_FollowOrdinals()
    {
        await using var cluster = await ClusterHarness.StartAsync("statefulset");
        await cluster.Client.AppsV1.CreateNamespacedStatefulSetAsync(NewSet(), TestObjects.Namespace);

        for (var ordinal = 0; ordinal < 3; ordinal++)
        {
            var expected = Enumerable.Range(0, ordinal + 1).Select(i => $"web-{i}").ToArray();
            var pods = await cluster.EventuallyAsync(async () => await LivePodsAsync(cluster) is { } p && p.Count == ordinal + 1 ? p : null, $"web-{ordinal}");
            Assert.That(pods.Select(p => p.Metadata.Name), Is.EqualTo(expected), "one more only once the previous is ready");
            await cluster.SetPhaseAsync(pods[^1], "Running");
        }
        var claims = await cluster.Client.CoreV1.ListNamespacedPersistentVolumeClaimAsync(TestObjects.Namespace);
        Assert.That(claims.Items.Select(c => c.Metadata.Name).Order(), Is.EqualTo(new[] { "data-web-0", "data-web-1", "data-web-2" }));
        var (exit, output) = await Kubectl.RunAsync(cluster.KubeconfigPath, "rollout", "status", "-n", TestObjects.Namespace, "sts/web", "--timeout=20s");
        Assert.That(exit, Is.Zero, output);

        var patch = new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"nginx:2"}]}}}}""", V1Patch.PatchType.StrategicMergePatch);
        await cluster.Client.AppsV1.PatchNamespacedStatefulSetAsync(patch, "web", TestObjects.Namespace);
        var status = await cluster.EventuallyAsync(async () =>
        {
            await cluster.StartPendingPodsAsync("app=web");
            var set = await cluster.Client.AppsV1.ReadNamespacedStatefulSetAsync("web", TestObjects.Namespace);
            return set.Status is { UpdatedReplicas: 3, ReadyReplicas: 3 } s && s.CurrentRevision == s.UpdateRevision && s.ObservedGeneration == set.Metadata.Generation ? s : null;
        }, "the rolling update to finish");
        Assert.That((await LivePodsAsync(cluster)).Select(p => p.Spec.Containers[0].Image), Is.EqualTo(new[] { "nginx:2", "nginx:2", "nginx:2" }));
        (exit, output) = await Kubectl.RunAsync(cluster.KubeconfigPath, "rollout", "status", "-n", TestObjects.Namespace, "sts/web", "--timeout=20s");
        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain("roll out complete: 3 new pods have been updated"), "kubectl says \"partitioned\" as the partition defaults to 0");

        var scale = new V1Patch("""{"spec":{"replicas":1}}""", V1Patch.PatchType.MergePatch);
        await cluster.Client.AppsV1.PatchNamespacedStatefulSetAsync(scale, "web", TestObjects.Namespace);
        var remaining = await cluster.EventuallyAsync(async () => await LivePodsAsync(cluster) is { Count: 1 } p ? p : null, "scale down to one");
        Assert.That(remaining.Single().Metadata.Name, Is.EqualTo("web-0"));
        claims = await cluster.Client.CoreV1.ListNamespacedPersistentVolumeClaimAsync(TestObjects.Namespace);
        Assert.That(claims.Items, Has.Count.EqualTo(3), "claims are retained on scale-down");
        Assert.That(status.UpdateRevision, Does.StartWith("web-"));
    }
}
