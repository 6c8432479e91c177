using k8s;
using k8s.Models;
using static MiniKube.Scheduler.Tests.Integration.ClusterObjects;
using static MiniKube.Scheduler.Tests.TestObjects;

namespace MiniKube.Scheduler.Tests.Integration;

/// <summary>The scheduler's volume binding against an in-process API server (no binder, no provisioner).</summary>
[TestFixture]
[Category("Integration")]
public sealed class VolumeSchedulingTests : SchedulerCluster
{
    protected override async Task SeedAsync()
    {
        await CreateNodeAsync(Client, Node("node-a"));
        await CreateNodeAsync(Client, Node("node-b"));
        await Client.StorageV1.CreateStorageClassAsync(new V1StorageClass
        {
            Metadata = new V1ObjectMeta { Name = "local-path" },
            Provisioner = "rancher.io/local-path",
            VolumeBindingMode = "WaitForFirstConsumer",
        });
    }

    [Test]
    public async Task PodWithMissingClaim_Unschedulable_ThenClaimCreated_BoundAndClaimGetsSelectedNode()
    {
        var pod = Pod("db-0");
        pod.Spec.Volumes = [new V1Volume { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = "data-db-0" } }];
        await Client.CoreV1.CreateNamespacedPodAsync(pod, "default");

        var pending = await WaitForPodAsync(Client, "db-0", p => p.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Reason == "Unschedulable") == true);
        Assert.That(pending.Status.Conditions.Single(c => c.Type == "PodScheduled").Message, Is.EqualTo(
            "0/2 nodes are available: persistentvolumeclaim \"data-db-0\" not found. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."));

        await Client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(new V1PersistentVolumeClaim
        {
            Metadata = new V1ObjectMeta { Name = "data-db-0" },
            Spec = new V1PersistentVolumeClaimSpec
            {
                StorageClassName = "local-path",
                AccessModes = ["ReadWriteOnce"],
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("64Mi") } },
            },
        }, "default");

        var bound = await WaitForPodAsync(Client, "db-0", p => !string.IsNullOrEmpty(p.Spec.NodeName));
        var claim = await Client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("data-db-0", "default");
        Assert.That(claim.Metadata.Annotations["volume.kubernetes.io/selected-node"], Is.EqualTo(bound.Spec.NodeName));
    }
}
