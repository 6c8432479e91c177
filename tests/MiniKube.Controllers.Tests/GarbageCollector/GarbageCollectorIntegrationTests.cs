using k8s;
using k8s.Models;
using static MiniKube.Controllers.Tests.Common.ClusterHarness;

namespace MiniKube.Controllers.Tests.GarbageCollector;

/// <summary>
/// The garbage collector alone against an in-process API server: ReplicaSet objects with no
/// ReplicaSet controller running own pods and ConfigMaps, and are deleted as kubectl does
/// with --cascade=background|foreground|orphan.
/// </summary>
[Category("Integration")]
public sealed class GarbageCollectorIntegrationTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["app"] = "web" };

    private static async Task<V1ReplicaSet> CreateReplicaSetAsync(Kubernetes client, string name) =>
        await client.AppsV1.CreateNamespacedReplicaSetAsync(new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1ReplicaSetSpec
            {
                Replicas = 0,
                Selector = new V1LabelSelector { MatchLabels = Labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = Labels },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] },
                },
            },
        }, "default");

    private static V1OwnerReference RefTo(V1ReplicaSet owner, bool block = true) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "ReplicaSet",
        Name = owner.Metadata.Name,
        Uid = owner.Metadata.Uid,
        Controller = true,
        BlockOwnerDeletion = block,
    };

    [Test]
    public async Task DeleteOwner_Background_DeletesDependents_ButNotThoseWithAnotherLiveOwner()
    {
        await using var harness = await StartControllersAsync(["garbagecollector"]);
        var client = harness.Client;
        var rs = await CreateReplicaSetAsync(client, "web");
        var keeper = await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "keeper" } }, "default");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web-1", Labels, [RefTo(rs)]), "default");
        var shared = new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = "shared",
                OwnerReferences = [RefTo(rs), new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "keeper", Uid = keeper.Metadata.Uid }],
            },
        };
        await client.CoreV1.CreateNamespacedConfigMapAsync(shared, "default");

        await client.AppsV1.DeleteNamespacedReplicaSetAsync("web", "default", new V1DeleteOptions { PropagationPolicy = "Background" });

        await harness.EventuallyGoneAsync(async () => await client.CoreV1.ReadNamespacedPodAsync("web-1", "default"), "the pod of the deleted ReplicaSet");
        var kept = await harness.EventuallyAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync("shared", "default"),
            cm => cm?.Metadata.OwnerReferences is { Count: 1 }, "the dead reference removed from the shared ConfigMap");
        Assert.That(kept.Metadata.OwnerReferences[0].Name, Is.EqualTo("keeper"));
    }

    [Test]
    public async Task DeleteOwner_Foreground_WaitsForBlockingDependents_ThenOwnerGoes()
    {
        await using var harness = await StartControllersAsync(["garbagecollector"]);
        var client = harness.Client;
        var rs = await CreateReplicaSetAsync(client, "web");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web-1", Labels, [RefTo(rs)]), "default");
        // A dependent that lingers after its delete, as a pod on a node or an object with a finalizer does.
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "slow", Finalizers = ["example.com/hold"], OwnerReferences = [RefTo(rs)] },
        }, "default");

        await client.AppsV1.DeleteNamespacedReplicaSetAsync("web", "default", new V1DeleteOptions { PropagationPolicy = "Foreground" });

        await harness.EventuallyGoneAsync(async () => await client.CoreV1.ReadNamespacedPodAsync("web-1", "default"), "the pod");
        await harness.EventuallyAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync("slow", "default"), cm => cm?.Metadata.DeletionTimestamp is not null, "the slow dependent deleting");
        var waiting = await client.AppsV1.ReadNamespacedReplicaSetAsync("web", "default");
        Assert.That(waiting.Metadata.Finalizers, Does.Contain("foregroundDeletion"), "the owner waits for its blocking dependent");

        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "slow", "default");

        await harness.EventuallyGoneAsync(async () => await client.AppsV1.ReadNamespacedReplicaSetAsync("web", "default"), "the owner after its last blocking dependent");
    }

    [Test]
    public async Task DeleteOwner_Orphan_LeavesDependentsWithoutTheReference()
    {
        await using var harness = await StartControllersAsync(["garbagecollector"]);
        var client = harness.Client;
        var rs = await CreateReplicaSetAsync(client, "web");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web-1", Labels, [RefTo(rs)]), "default");

        await client.AppsV1.DeleteNamespacedReplicaSetAsync("web", "default", new V1DeleteOptions { PropagationPolicy = "Orphan" });

        await harness.EventuallyGoneAsync(async () => await client.AppsV1.ReadNamespacedReplicaSetAsync("web", "default"), "the orphaning owner");
        var pod = await client.CoreV1.ReadNamespacedPodAsync("web-1", "default");
        Assert.That(pod.Metadata.OwnerReferences, Is.Null.Or.Empty);
        Assert.That(pod.Metadata.DeletionTimestamp, Is.Null);
    }
}
