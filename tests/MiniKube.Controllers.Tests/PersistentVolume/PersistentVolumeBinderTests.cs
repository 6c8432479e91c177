using MiniKube.Testing;
using k8s;
using k8s.Models;
using MiniKube.Controllers.PersistentVolume;

namespace MiniKube.Controllers.Tests.PersistentVolume;

public sealed class PersistentVolumeBinderTests
{
    private const string VolumesPath = "/api/v1/persistentvolumes";
    private const string ClaimsPath = "/api/v1/namespaces/default/persistentvolumeclaims";

    private StorageWorld _world = null!;

    [SetUp]
    public void SetUp() => _world = new StorageWorld();

    [TearDown]
    public async Task TearDown() => await _world.DisposeAsync();

    private async Task<PersistentVolumeBinder> StartAsync()
    {
        await _world.StartAsync();
        return new PersistentVolumeBinder(_world.Context);
    }

    private static T Body<T>(ApiCall call) => KubernetesJson.Deserialize<T>(call.Body!);

    [Test]
    public async Task SyncClaim_VolumeProvisionedForIt_BindsBothInUpstreamOrder()
    {
        _world.Classes.Add(StorageWorld.Class("local-path", "WaitForFirstConsumer"));
        _world.Claims.Add(StorageWorld.Claim("data", "64Mi", "local-path", selectedNode: "node1"));
        var provisioned = StorageWorld.Volume("pvc-uid-data", "64Mi", "local-path", phase: "Pending", node: "node1");
        provisioned.Spec.ClaimRef = new V1ObjectReference { Kind = "PersistentVolumeClaim", NamespaceProperty = "default", Name = "data", Uid = "uid-data" };
        _world.Volumes.Add(provisioned);
        var binder = await StartAsync();

        await binder.SyncClaimAsync(NamespacedName.Parse("default/data"), CancellationToken.None);

        // The claimRef is already exact, so the volume's spec is not written.
        Assert.That(_world.Api.Writes.Select(c => c.ToString()), Is.EqualTo(new[]
        {
            $"PUT {VolumesPath}/pvc-uid-data/status",
            $"PUT {ClaimsPath}/data",
            $"PUT {ClaimsPath}/data/status",
        }));
        var writes = _world.Api.Writes;
        Assert.That(Body<V1PersistentVolume>(writes[0]).Status.Phase, Is.EqualTo("Bound"));
        var claim = Body<V1PersistentVolumeClaim>(writes[1]);
        Assert.That(claim.Spec.VolumeName, Is.EqualTo("pvc-uid-data"));
        Assert.That(claim.Metadata.Annotations["pv.kubernetes.io/bind-completed"], Is.EqualTo("yes"));
        Assert.That(claim.Metadata.Annotations["pv.kubernetes.io/bound-by-controller"], Is.EqualTo("yes"));
        var status = Body<V1PersistentVolumeClaim>(writes[2]).Status;
        Assert.That(status.Phase, Is.EqualTo("Bound"));
        Assert.That(status.Capacity["storage"].ToString(), Is.EqualTo("64Mi"));
        Assert.That(status.AccessModes, Is.EqualTo(new[] { "ReadWriteOnce" }));
    }

    [Test]
    public async Task SyncClaim_SeveralAvailableVolumes_BindsTheSmallestThatFits()
    {
        _world.Claims.Add(StorageWorld.Claim("data", "1Gi", "manual"));
        _world.Volumes.AddRange(
        [
            StorageWorld.Volume("too-small", "500Mi", "manual"),
            StorageWorld.Volume("big", "5Gi", "manual"),
            StorageWorld.Volume("right", "2Gi", "manual"),
            StorageWorld.Volume("other-class", "1Gi", "fast"),
            StorageWorld.Volume("shared-only", "1Gi", "manual", accessModes: ["ReadWriteMany"]),
            StorageWorld.Volume("not-available", "1Gi", "manual", phase: "Released"),
        ]);
        var binder = await StartAsync();

        await binder.SyncClaimAsync(NamespacedName.Parse("default/data"), CancellationToken.None);

        Assert.That(_world.Api.Writes.Select(c => c.ToString()), Is.EqualTo(new[]
        {
            $"PUT {VolumesPath}/right",
            $"PUT {VolumesPath}/right/status",
            $"PUT {ClaimsPath}/data",
            $"PUT {ClaimsPath}/data/status",
        }));
        var volume = Body<V1PersistentVolume>(_world.Api.Writes[0]);
        Assert.That(volume.Spec.ClaimRef.Name, Is.EqualTo("data"));
        Assert.That(volume.Spec.ClaimRef.Uid, Is.EqualTo("uid-data"));
        Assert.That(volume.Metadata.Annotations["pv.kubernetes.io/bound-by-controller"], Is.EqualTo("yes"));
    }

    [Test]
    public async Task SyncClaim_WaitForFirstConsumerWithoutNode_BindsNothing()
    {
        _world.Classes.Add(StorageWorld.Class("local", "WaitForFirstConsumer", "kubernetes.io/no-provisioner"));
        _world.Claims.Add(StorageWorld.Claim("data", "1Gi", "local"));
        _world.Volumes.Add(StorageWorld.Volume("fits", "1Gi", "local", node: "node1"));
        var binder = await StartAsync();

        await binder.SyncClaimAsync(NamespacedName.Parse("default/data"), CancellationToken.None);

        Assert.That(_world.Api.Writes, Is.Empty);
    }

    [Test]
    public async Task SyncClaim_WaitForFirstConsumerWithSelectedNode_BindsTheVolumeOnThatNode()
    {
        _world.Classes.Add(StorageWorld.Class("local", "WaitForFirstConsumer", "kubernetes.io/no-provisioner"));
        _world.Nodes.AddRange([StorageWorld.Node("node1"), StorageWorld.Node("node2")]);
        _world.Claims.Add(StorageWorld.Claim("data", "1Gi", "local", selectedNode: "node2"));
        _world.Volumes.AddRange([StorageWorld.Volume("on-node1", "1Gi", "local", node: "node1"), StorageWorld.Volume("on-node2", "2Gi", "local", node: "node2")]);
        var binder = await StartAsync();

        await binder.SyncClaimAsync(NamespacedName.Parse("default/data"), CancellationToken.None);

        Assert.That(_world.Api.Writes[0].ToString(), Is.EqualTo($"PUT {VolumesPath}/on-node2"));
        Assert.That(Body<V1PersistentVolumeClaim>(_world.Api.Writes[2]).Spec.VolumeName, Is.EqualTo("on-node2"));
    }

    [Test]
    public async Task SyncClaim_NothingFitsAndClassHasProvisioner_AsksThatProvisioner()
    {
        _world.Classes.Add(StorageWorld.Class("local-path", "WaitForFirstConsumer"));
        _world.Claims.Add(StorageWorld.Claim("data", "1Gi", "local-path", selectedNode: "node1"));
        var binder = await StartAsync();

        await binder.SyncClaimAsync(NamespacedName.Parse("default/data"), CancellationToken.None);

        Assert.That(_world.Api.Writes.Select(c => c.ToString()), Is.EqualTo(new[] { $"PUT {ClaimsPath}/data" }));
        var annotations = Body<V1PersistentVolumeClaim>(_world.Api.Writes[0]).Metadata.Annotations;
        Assert.That(annotations["volume.kubernetes.io/storage-provisioner"], Is.EqualTo("rancher.io/local-path"));
        Assert.That(annotations["volume.beta.kubernetes.io/storage-provisioner"], Is.EqualTo("rancher.io/local-path"));
    }

    [Test]
    public async Task SyncVolume_NoClaimRef_BecomesAvailable()
    {
        _world.Volumes.Add(StorageWorld.Volume("new", "1Gi", "manual", phase: "Pending"));
        var binder = await StartAsync();

        await binder.SyncVolumeAsync(NamespacedName.Parse("new"), CancellationToken.None);

        Assert.That(_world.Api.Writes.Select(c => c.ToString()), Is.EqualTo(new[] { $"PUT {VolumesPath}/new/status" }));
        Assert.That(Body<V1PersistentVolume>(_world.Api.Writes[0]).Status.Phase, Is.EqualTo("Available"));
    }

    [TestCase("Delete", null, true)]
    [TestCase("Retain", null, false)]
    [TestCase("Delete", "rancher.io/local-path", false)]
    public async Task SyncVolume_ClaimGone_ReleasedThenReclaimedByPolicy(string policy, string? provisionedBy, bool deleted)
    {
        var volume = StorageWorld.Volume("old", "1Gi", "manual", phase: "Bound");
        volume.Spec.PersistentVolumeReclaimPolicy = policy;
        volume.Spec.ClaimRef = new V1ObjectReference { Kind = "PersistentVolumeClaim", NamespaceProperty = "default", Name = "gone", Uid = "uid-gone" };
        if (provisionedBy is not null)
        {
            volume.Metadata.Annotations = new Dictionary<string, string> { ["pv.kubernetes.io/provisioned-by"] = provisionedBy };
        }
        _world.Volumes.Add(volume);
        var binder = await StartAsync();

        await binder.SyncVolumeAsync(NamespacedName.Parse("old"), CancellationToken.None);

        var expected = new List<string> { $"PUT {VolumesPath}/old/status" };
        if (deleted)
        {
            expected.Add($"DELETE {VolumesPath}/old");
        }
        Assert.That(_world.Api.Writes.Select(c => c.ToString()), Is.EqualTo(expected));
        Assert.That(Body<V1PersistentVolume>(_world.Api.Writes[0]).Status.Phase, Is.EqualTo("Released"));
    }
}
