using k8s;
using k8s.Models;
using MiniKube.Controllers.Tests.Common;

namespace MiniKube.Controllers.Tests.ReplicaSet;

[Category("Integration")]
public sealed class ReplicaSetControllerIntegrationTests
{
    private const string Ns = "default";

    private ClusterHarness _cluster = null!;

    private Kubernetes Client => _cluster.Client;

    [SetUp]
    public async Task SetUp() => _cluster = await ClusterHarness.StartControllersAsync(null);

    [TearDown]
    public async Task TearDown() => await _cluster.DisposeAsync();

    [Test]
    public async Task Create_ReplicaSetWithMatchingOrphan_AdoptsItAndCreatesTheRest()
    {
        var orphan = await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "orphan", Labels = Labels() },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] },
        }, Ns);

        var rs = await Client.AppsV1.CreateNamespacedReplicaSetAsync(new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ReplicaSetSpec { Replicas = 3, Selector = new V1LabelSelector { MatchLabels = Labels() }, Template = Template() },
        }, Ns);

        var pods = await _cluster.EventuallyAsync(async () => await _cluster.ActivePodsAsync(Ns, "app=web") is { Count: 3 } p
            && p.All(x => x.Metadata.OwnerReferences?.SingleOrDefault()?.Uid == rs.Metadata.Uid) ? p : null, "three owned pods");
        Assert.That(pods.Select(p => p.Metadata.Uid), Does.Contain(orphan.Metadata.Uid));
        await _cluster.MarkPodsReadyAsync(Ns, "app=web");
        await _cluster.EventuallyAsync(async () => (await Client.AppsV1.ReadNamespacedReplicaSetAsync("web", Ns)).Status is
            { Replicas: 3, ReadyReplicas: 3, AvailableReplicas: 3, FullyLabeledReplicas: 3, ObservedGeneration: 1 }, "the status counts");
    }

    [Test]
    public async Task Create_ReplicationController_GetsOwnedPodsAndStatus()
    {
        await Client.CoreV1.CreateNamespacedReplicationControllerAsync(new V1ReplicationController
        {
            Metadata = new V1ObjectMeta { Name = "legacy" },
            Spec = new V1ReplicationControllerSpec { Replicas = 2, Selector = Labels(), Template = Template() },
        }, Ns);

        var pods = await _cluster.EventuallyAsync(async () => await _cluster.ActivePodsAsync(Ns, "app=web") is { Count: 2 } p ? p : null, "two pods");
        Assert.That(pods.Select(p => p.Metadata.OwnerReferences.Single().Kind), Is.All.EqualTo("ReplicationController"));
        await _cluster.EventuallyAsync(async () => (await Client.CoreV1.ReadNamespacedReplicationControllerAsync("legacy", Ns)).Status is { Replicas: 2, ObservedGeneration: 1 }, "the status");
    }

    private static Dictionary<string, string> Labels() => new() { ["app"] = "web" };

    private static V1PodTemplateSpec Template() => new()
    {
        Metadata = new V1ObjectMeta { Labels = Labels() },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] },
    };
}
