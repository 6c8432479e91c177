using MiniKube.Testing;
using k8s;
using k8s.Models;
using MiniKube.Addons.LocalPath;
using MiniKube.Api;

namespace MiniKube.Addons.Tests.LocalPath;

public sealed class LocalPathProvisionerTests
{
    private StorageWorld _world = null!;

    [SetUp]
    public void SetUp() => _world = new StorageWorld();

    [TearDown]
    public async Task TearDown() => await _world.DisposeAsync();

    private async Task<LocalPathProvisioner> StartAsync()
    {
        await _world.StartAsync();
        return new LocalPathProvisioner(_world.Context, new LocalPathOptions { StorageDirectory = "/data/storage" });
    }

    [Test]
    public void For_Claim_VolumeShapedAsLocalPathProvisionerMakesIt()
    {
        var claim = StorageWorld.Claim("data-db-0", "64Mi", "local-path", selectedNode: "node1");

        var volume = LocalPathVolumes.For(claim, "node1", LocalPathVolumes.StorageClass("local-path"), "/data/storage");

        Assert.That(volume.Metadata.Name, Is.EqualTo("pvc-uid-data-db-0"));
        Assert.That(volume.Metadata.Annotations["pv.kubernetes.io/provisioned-by"], Is.EqualTo("rancher.io/local-path"));
        Assert.That(volume.Spec.Capacity["storage"].ToString(), Is.EqualTo("64Mi"));
        Assert.That(volume.Spec.AccessModes, Is.EqualTo(new[] { "ReadWriteOnce" }));
        Assert.That(volume.Spec.StorageClassName, Is.EqualTo("local-path"));
        Assert.That(volume.Spec.PersistentVolumeReclaimPolicy, Is.EqualTo("Delete"));
        Assert.That(volume.Spec.HostPath.Path, Is.EqualTo("/data/storage/pvc-uid-data-db-0_default_data-db-0"));
        Assert.That(volume.Spec.HostPath.Type, Is.EqualTo("DirectoryOrCreate"));
        var term = volume.Spec.NodeAffinity.Required.NodeSelectorTerms.Single().MatchExpressions.Single();
        Assert.That((term.Key, term.OperatorProperty, term.Values.Single()), Is.EqualTo(("kubernetes.io/hostname", "In", "node1")));
        Assert.That((volume.Spec.ClaimRef.NamespaceProperty, volume.Spec.ClaimRef.Name, volume.Spec.ClaimRef.Uid), Is.EqualTo(("default", "data-db-0", "uid-data-db-0")));
    }

    [Test]
    public void StorageClass_IsTheDefaultWaitForFirstConsumerClass()
    {
        var storageClass = LocalPathVolumes.StorageClass("local-path");

        Assert.That(storageClass.Provisioner, Is.EqualTo("rancher.io/local-path"));
        Assert.That(storageClass.VolumeBindingMode, Is.EqualTo("WaitForFirstConsumer"));
        Assert.That(storageClass.ReclaimPolicy, Is.EqualTo("Delete"));
        Assert.That(storageClass.Metadata.Annotations["storageclass.kubernetes.io/is-default-class"], Is.EqualTo("true"));
    }

    [Test]
    public async Task SyncClaim_SelectedNode_CreatesTheVolume()
    {
        _world.Classes.Add(LocalPathVolumes.StorageClass("local-path"));
        _world.Claims.Add(StorageWorld.Claim("data", "1Gi", "local-path", selectedNode: "node1"));
        var provisioner = await StartAsync();

        await provisioner.SyncClaimAsync(NamespacedName.Parse("default/data"), CancellationToken.None);

        Assert.That(_world.Api.Writes.Select(c => c.ToString()), Is.EqualTo(new[] { "POST /api/v1/persistentvolumes" }));
        var volume = KubernetesJson.Deserialize<V1PersistentVolume>(_world.Api.Writes[0].Body!);
        Assert.That(volume.Metadata.Name, Is.EqualTo("pvc-uid-data"));
        Assert.That(volume.Spec.HostPath.Path, Is.EqualTo("/data/storage/pvc-uid-data_default_data"));
    }

    [Test]
    public async Task SyncClaim_NoSelectedNodeOrOtherProvisionerOrAlreadyMade_CreatesNothing()
    {
        _world.Classes.Add(LocalPathVolumes.StorageClass("local-path"));
        _world.Classes.Add(StorageWorld.Class("nfs", "Immediate", "example.com/nfs"));
        _world.Claims.Add(StorageWorld.Claim("waiting", "1Gi", "local-path"));
        _world.Claims.Add(StorageWorld.Claim("not-ours", "1Gi", "nfs", selectedNode: "node1"));
        _world.Claims.Add(StorageWorld.Claim("made", "1Gi", "local-path", selectedNode: "node1"));
        _world.Volumes.Add(StorageWorld.Volume("pvc-uid-made", "1Gi", "local-path", phase: "Pending"));
        var provisioner = await StartAsync();

        foreach (var key in new[] { "default/waiting", "default/not-ours", "default/made" })
        {
            await provisioner.SyncClaimAsync(NamespacedName.Parse(key), CancellationToken.None);
        }

        Assert.That(_world.Api.Writes, Is.Empty);
    }

    [TestCase("Released", "rancher.io/local-path", true)]
    [TestCase("Bound", "rancher.io/local-path", false)]
    [TestCase("Released", null, false)]
    public async Task SyncVolume_ReleasedVolumeItMade_Deleted(string phase, string? provisionedBy, bool deleted)
    {
        var volume = StorageWorld.Volume("pvc-1", "1Gi", "local-path", phase: phase);
        volume.Spec.PersistentVolumeReclaimPolicy = "Delete";
        volume.Metadata.Annotations = provisionedBy is null ? null : new Dictionary<string, string> { ["pv.kubernetes.io/provisioned-by"] = provisionedBy };
        _world.Volumes.Add(volume);
        var provisioner = await StartAsync();

        await provisioner.SyncVolumeAsync(NamespacedName.Parse("pvc-1"), CancellationToken.None);

        Assert.That(_world.Api.Writes.Select(c => c.ToString()), Is.EqualTo(deleted ? new[] { "DELETE /api/v1/persistentvolumes/pvc-1" } : Array.Empty<string>()));
    }
}
