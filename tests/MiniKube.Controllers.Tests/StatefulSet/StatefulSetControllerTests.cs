using MiniKube.Testing;
using k8s.Models;
using MiniKube.Controllers.Common;
using MiniKube.Controllers.StatefulSet;
using MiniKube.Controllers.Tests.Common;

namespace MiniKube.Controllers.Tests.StatefulSet;

public sealed class StatefulSetControllerTests
{
    private const string PodsPath = "/api/v1/namespaces/ns/pods";
    private static readonly Dictionary<string, string> Labels = new() { ["app"] = "web" };
    private static readonly V1OwnerReference Owner = TestObjects.Owner("apps/v1", "StatefulSet", "web");

    private static V1StatefulSet NewSet(int replicas = 3, string policy = "OrderedReady", int partition = 0) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "StatefulSet",
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = TestObjects.Namespace, Uid = "uid-web", Generation = 1, ResourceVersion = "2" },
        Spec = new V1StatefulSetSpec
        {
            Replicas = replicas,
            ServiceName = "web",
            PodManagementPolicy = policy,
            Selector = new V1LabelSelector { MatchLabels = Labels },
            Template = TestObjects.Template(Labels, image: "nginx:2"),
            UpdateStrategy = new V1StatefulSetUpdateStrategy { Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateStatefulSetStrategy { Partition = partition } },
            VolumeClaimTemplates =
            [
                new V1PersistentVolumeClaim
                {
                    Metadata = new V1ObjectMeta { Name = "data" },
                    Spec = new V1PersistentVolumeClaimSpec { AccessModes = ["ReadWriteOnce"] },
                },
            ],
        },
    };

    /// <summary>The revision the controller stores for <paramref name="set"/>'s template (so the set starts up to date).</summary>
    private static V1ControllerRevision Revision(V1StatefulSet set, long number = 1, string? name = null)
    {
        var data = ControllerHistory.Patch(set.Spec.Template);
        name ??= "web-" + ControllerHistory.Hash(data.ToJsonString(), null);
        return new V1ControllerRevision
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = TestObjects.Namespace, Labels = new Dictionary<string, string> { [ControllerHistory.HashLabel] = name[4..] }, OwnerReferences = [Owner], ResourceVersion = "1" },
            Data = data,
            Revision = number,
        };
    }

    private static V1Pod SetPod(int ordinal, string revision, bool ready = true)
    {
        var labels = new Dictionary<string, string>(Labels) { [ControllerHistory.HashLabel] = revision };
        return TestObjects.Pod($"web-{ordinal}", Owner, labels, ready ? "Running" : "Pending", ready: ready);
    }

    private static async Task<(ControllerHarness Harness, StatefulSetController Controller)> StartAsync(V1StatefulSet set, V1Pod[] pods, params V1ControllerRevision[] revisions)
    {
        var harness = new ControllerHarness().Seed(set).Seed(pods).Seed(revisions).Seed<V1PersistentVolumeClaim>();
        var controller = new StatefulSetController(harness.Context);
        await harness.StartAsync();
        return (harness, controller);
    }

    [Test]
    public async Task SyncAsync_NewSet_CreatesClaimThenOnlyOrdinalZero()
    {
        var set = NewSet();
        var (harness, controller) = await StartAsync(set, [], Revision(set));
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/web"), CancellationToken.None);

        var writes = harness.Api.Writes.Where(c => c.Method == "POST").Select(c => c.Path).ToList();
        Assert.That(writes, Is.EqualTo(new[] { "/api/v1/namespaces/ns/persistentvolumeclaims", PodsPath }));
        var claim = harness.Bodies<V1PersistentVolumeClaim>("POST", "/api/v1/namespaces/ns/persistentvolumeclaims").Single();
        Assert.That(claim.Metadata.Name, Is.EqualTo("data-web-0"));
        Assert.That(claim.Metadata.Labels["app"], Is.EqualTo("web"));
        var pod = harness.Bodies<V1Pod>("POST", PodsPath).Single();
        Assert.That(pod.Metadata.Name, Is.EqualTo("web-0"));
        Assert.That((pod.Spec.Hostname, pod.Spec.Subdomain), Is.EqualTo(("web-0", "web")));
        Assert.That(pod.Metadata.Labels[StatefulPods.PodNameLabel], Is.EqualTo("web-0"));
        Assert.That(pod.Metadata.Labels[StatefulPods.PodIndexLabel], Is.EqualTo("0"));
        Assert.That(pod.Metadata.Labels[ControllerHistory.HashLabel], Is.EqualTo(Revision(set).Metadata.Name));
        Assert.That(pod.Spec.Volumes.Single().PersistentVolumeClaim.ClaimName, Is.EqualTo("data-web-0"));
    }

    [Test]
    public async Task SyncAsync_OrdinalZeroReady_CreatesOrdinalOne()
    {
        var set = NewSet();
        var revision = Revision(set);
        var (harness, controller) = await StartAsync(set, [SetPod(0, revision.Metadata.Name)], revision);
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/web"), CancellationToken.None);

        Assert.That(harness.Bodies<V1Pod>("POST", PodsPath).Select(p => p.Metadata.Name), Is.EqualTo(new[] { "web-1" }));
    }

    [Test]
    public async Task SyncAsync_OrdinalZeroNotReady_Waits()
    {
        var set = NewSet();
        var revision = Revision(set);
        var (harness, controller) = await StartAsync(set, [SetPod(0, revision.Metadata.Name, ready: false)], revision);
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/web"), CancellationToken.None);

        Assert.That(harness.Writes("POST", PodsPath), Is.Empty);
    }

    [Test]
    public async Task SyncAsync_Parallel_CreatesAllOrdinalsAtOnce()
    {
        var set = NewSet(policy: "Parallel");
        var (harness, controller) = await StartAsync(set, [], Revision(set));
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/web"), CancellationToken.None);

        Assert.That(harness.Bodies<V1Pod>("POST", PodsPath).Select(p => p.Metadata.Name), Is.EquivalentTo(new[] { "web-0", "web-1", "web-2" }));
    }

    [Test]
    public async Task SyncAsync_ScaleDown_DeletesHighestOrdinalOnlyAndKeepsClaims()
    {
        var set = NewSet(replicas: 1);
        var revision = Revision(set);
        var (harness, controller) = await StartAsync(set, [SetPod(0, revision.Metadata.Name), SetPod(1, revision.Metadata.Name), SetPod(2, revision.Metadata.Name)], revision);
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/web"), CancellationToken.None);

        Assert.That(harness.Api.Writes.Where(c => c.Method == "DELETE").Select(c => c.Path), Is.EqualTo(new[] { PodsPath + "/web-2" }));
    }

    [Test]
    public async Task SyncAsync_RollingUpdateWithPartition_ReplacesHighestOldPodOnly()
    {
        var set = NewSet(partition: 1);
        set.Status = new V1StatefulSetStatus { CurrentRevision = "web-old" };
        var old = NewSet();
        old.Spec.Template.Spec.Containers[0].Image = "nginx:1";
        var (harness, controller) = await StartAsync(set, [SetPod(0, "web-old"), SetPod(1, "web-old"), SetPod(2, "web-old")], Revision(old, 1, "web-old"));
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/web"), CancellationToken.None);

        Assert.That(harness.Writes("DELETE", PodsPath).Select(c => c.Path), Is.EqualTo(new[] { PodsPath + "/web-2" }));
        var status = harness.Bodies<V1StatefulSet>("PUT", "/apis/apps/v1/namespaces/ns/statefulsets/web/status").Single().Status;
        Assert.That(status.CurrentRevision, Is.EqualTo("web-old"));
        Assert.That(status.UpdateRevision, Is.Not.EqualTo("web-old"));
        Assert.That((status.Replicas, status.ReadyReplicas, status.CurrentReplicas, status.UpdatedReplicas), Is.EqualTo((3, 3, 3, 0)));
    }

    [Test]
    public async Task SyncAsync_PodBelowPartitionRecreated_GetsTheCurrentRevision()
    {
        var set = NewSet(partition: 2);
        set.Status = new V1StatefulSetStatus { CurrentRevision = "web-old" };
        var old = NewSet();
        old.Spec.Template.Spec.Containers[0].Image = "nginx:1";
        var (harness, controller) = await StartAsync(set, [], Revision(old, 1, "web-old"));
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/web"), CancellationToken.None);

        var pod = harness.Bodies<V1Pod>("POST", PodsPath).Single();
        Assert.That(pod.Metadata.Labels[ControllerHistory.HashLabel], Is.EqualTo("web-old"));
        Assert.That(pod.Spec.Containers[0].Image, Is.EqualTo("nginx:1"));
    }
}
