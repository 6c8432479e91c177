using k8s.Autorest;
using MiniKube.Client.Controllers;
using MiniKube.Client.Events;

namespace MiniKube.Addons.LocalPath;

/// <summary>
/// k3s' local-path provisioner as a loop of the controller manager: at start makes the default
/// StorageClass "local-path" (left alone if it exists); for each unbound claim of a class whose
/// provisioner is rancher.io/local-path and that the scheduler has given a node
/// (volume.kubernetes.io/selected-node), creates the hostPath volume <see cref="LocalPathVolumes"/>
/// describes; the binder then binds the pair. A volume it made that the binder marked Released
/// under reclaim policy Delete is deleted. The directory on the node stays: removing it is the
/// node's job (upstream runs a helper pod there), which we do not do yet. It acts as
/// <see cref="ServiceAccountName"/>, bound by the bootstrap policy to k3s' local-path-provisioner-role.
/// </summary>
public sealed partial class LocalPathProvisioner : Controller
{
    /// <summary>The kube-system service account it acts as (k3s' local-storage manifest's).</summary>
    public const string ServiceAccountName = "local-path-provisioner-service-account";

    private readonly LocalPathOptions _options;
    private readonly Informer<V1PersistentVolumeClaim> _claims;
    private readonly Informer<V1PersistentVolume> _volumes;
    private readonly Informer<V1StorageClass> _classes;
    private readonly ReconcileLoop<NamespacedName> _claimQueue;
    private readonly ReconcileLoop<NamespacedName> _volumeQueue;

    public LocalPathProvisioner(ControllerContext context, LocalPathOptions options)
        : base(context, "local-path-provisioner", eventSource: LocalPathVolumes.ProvisionerName)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _claimQueue = Loop<NamespacedName>(1, SyncClaimAsync);
        _volumeQueue = Loop<NamespacedName>(1, SyncVolumeAsync);
        _claims = context.Informers.PersistentVolumeClaims;
        _volumes = context.Informers.PersistentVolumes;
        _classes = context.Informers.StorageClasses;
        _claims.AddHandler(change => _claimQueue.Add(change.Name));
        _volumes.AddHandler(change =>
        {
            if (!change.IsDelete && IsOurs(change.Latest))
            {
                _volumeQueue.Add(change.Name);
            }
        });
    }

    public override async Task RunAsync(CancellationToken cancellationToken)
    {
        await EnsureStorageClassAsync(cancellationToken);
        await RunTogetherAsync(cancellationToken, _claimQueue.RunAsync, _volumeQueue.RunAsync);
    }

    private async Task EnsureStorageClassAsync(CancellationToken cancellationToken)
    {
        if (_classes.Get(_options.StorageClassName) is not null)
        {
            return;
        }
        try
        {
            await Client.StorageV1.CreateStorageClassAsync(LocalPathVolumes.StorageClass(_options.StorageClassName), cancellationToken: cancellationToken);
            var name = _options.StorageClassName;
            LogClassCreated(name);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Made by another server, or by the user: theirs stays.
        }
    }

    public async Task SyncClaimAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        if (_claims.Get(key) is not { } claim
            || claim.Metadata.DeletionTimestamp is not null
            || !string.IsNullOrEmpty(claim.Spec?.VolumeName)
            || SelectedNode(claim) is not { } node
            || _classes.Get(claim.Spec?.StorageClassName ?? "") is not { Provisioner: LocalPathVolumes.ProvisionerName } storageClass
            || _volumes.Get(LocalPathVolumes.NameFor(claim)) is not null)
        {
            return;
        }
        var volume = LocalPathVolumes.For(claim, node, storageClass, _options.StorageDirectory);
        var (ns, name, volumeName) = (claim.Metadata.NamespaceProperty, claim.Metadata.Name, volume.Metadata.Name);
        Events.Record(claim, EventTypes.Normal, "Provisioning", $"External provisioner is provisioning volume for claim \"{ns}/{name}\"");
        try
        {
            await Client.CoreV1.CreatePersistentVolumeAsync(volume, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return; // made by an earlier sync whose result the cache has not shown yet
        }
        catch (HttpOperationException e)
        {
            Events.Record(claim, EventTypes.Warning, "ProvisioningFailed", $"failed to provision volume with StorageClass \"{storageClass.Metadata.Name}\": {e.Message}");
            throw; // the loop tries again, rate-limited
        }
        LogProvisioned(volumeName, ns, name, node);
        Events.Record(claim, EventTypes.Normal, "ProvisioningSucceeded", $"Successfully provisioned volume {volumeName}");
    }

    public async Task SyncVolumeAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        var name = key.Name;
        if (_volumes.Get(name) is not { } volume
            || !IsOurs(volume)
            || volume.Metadata.DeletionTimestamp is not null
            || volume.Status?.Phase != "Released"
            || volume.Spec?.PersistentVolumeReclaimPolicy != "Delete")
        {
            return;
        }
        try
        {
            await Client.CoreV1.DeletePersistentVolumeAsync(name,
                new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = volume.Metadata.Uid } }, cancellationToken: cancellationToken);
            var path = volume.Spec.HostPath?.Path ?? "";
            LogDeleted(name, path);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Gone already, or replaced by a new volume of the same name.
        }
    }

    private static string? SelectedNode(V1PersistentVolumeClaim claim) =>
        claim.Metadata.Annotations?.TryGetValue(StorageAnnotations.SelectedNode, out var node) == true && node.Length > 0 ? node : null;

    private static bool IsOurs(V1PersistentVolume volume) =>
        volume.Metadata.Annotations?.TryGetValue(StorageAnnotations.ProvisionedBy, out var provisioner) == true && provisioner == LocalPathVolumes.ProvisionerName;

    [LoggerMessage(EventId = LogEvents.Addons + 880, Level = LogLevel.Information, Message = "Created the default StorageClass {Name}")]
    private partial void LogClassCreated(string name);

    [LoggerMessage(EventId = LogEvents.Addons + 881, Level = LogLevel.Information, Message = "Provisioned volume {Volume} for claim {Namespace}/{Name} on node {Node}")]
    private partial void LogProvisioned(string volume, string @namespace, string name, string node);

    [LoggerMessage(EventId = LogEvents.Addons + 882, Level = LogLevel.Information, Message = "Deleted released volume {Volume}; its directory {Path} stays on the node (remove it by hand if the data is not needed)")]
    private partial void LogDeleted(string volume, string path);
}
