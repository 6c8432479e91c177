using System.Net;
using k8s.Models;

namespace MiniKube.Controllers.PersistentVolume;

/// <summary>
/// kube-controller-manager's persistentvolume-binder (pkg/controller/volume/persistentvolume/
/// pv_controller.go): binds each pending claim to the volume <see cref="VolumeMatcher"/> picks —
/// volume claimRef, volume phase Bound, claim volumeName (+ bind-completed, bound-by-controller),
/// claim status Bound with the volume's capacity and access modes, in upstream's order so a crash
/// between writes is finished by the next sync. Claims of WaitForFirstConsumer classes wait for the
/// scheduler's selected-node annotation. A claim nothing fits is handed to its class's provisioner
/// (storage-provisioner annotations, ExternalProvisioning event). A volume whose claim is gone is
/// Released; Delete removes it unless a provisioner made it (then that provisioner deletes it),
/// Retain keeps it. Two queues as upstream: claims and volumes, each synced level-triggered.
/// </summary>
public sealed partial class PersistentVolumeBinder : Controller
{
    /// <summary>How often a pending claim is looked at again without any change (upstream's 15 s resync).</summary>
    internal static readonly TimeSpan PendingRecheck = TimeSpan.FromSeconds(15);

    private readonly Informer<V1PersistentVolume> _volumes;
    private readonly Informer<V1PersistentVolumeClaim> _claims;
    private readonly Informer<V1StorageClass> _classes;
    private readonly Informer<V1Node> _nodes;
    private readonly ReconcileLoop<NamespacedName> _claimQueue;
    private readonly ReconcileLoop<NamespacedName> _volumeQueue;

    public PersistentVolumeBinder(ControllerContext context)
        : base(context, "persistentvolume-binder", eventSource: "persistentvolume-controller")
    {
        _claimQueue = Loop<NamespacedName>(2, SyncClaimAsync);
        _volumeQueue = Loop<NamespacedName>(2, SyncVolumeAsync);
        _volumes = context.Informers.PersistentVolumes;
        _claims = context.Informers.PersistentVolumeClaims;
        _classes = context.Informers.StorageClasses;
        _nodes = context.Informers.Nodes;
        _claims.AddHandler(OnClaimChanged);
        _volumes.AddHandler(OnVolumeChanged);
    }

    public override Task RunAsync(CancellationToken cancellationToken) => RunTogetherAsync(cancellationToken, _claimQueue.RunAsync, _volumeQueue.RunAsync);

    private void OnClaimChanged(ObjectChange<V1PersistentVolumeClaim> change)
    {
        _claimQueue.Add(change.Name);
        if (change.IsDelete)
        {
            // Its volume is released now.
            var claim = change.Latest;
            foreach (var volume in _volumes.List().Where(v => v.Spec?.ClaimRef is { } r && r.Name == claim.Metadata.Name && r.NamespaceProperty == claim.Metadata.NamespaceProperty))
            {
                _volumeQueue.Add(new NamespacedName(volume.Metadata.Name));
            }
        }
    }

    private void OnVolumeChanged(ObjectChange<V1PersistentVolume> change)
    {
        _volumeQueue.Add(change.Name);
        var volume = change.Latest;
        if (change.IsDelete)
        {
            if (volume.Spec?.ClaimRef is { } gone)
            {
                _claimQueue.Add(new NamespacedName(gone.NamespaceProperty, gone.Name));
            }
            return;
        }
        if (volume.Spec?.ClaimRef is { } claimRef)
        {
            // A volume provisioned or pre-bound for a claim: bind that claim now.
            _claimQueue.Add(new NamespacedName(claimRef.NamespaceProperty, claimRef.Name));
        }
        else if (volume.Status?.Phase == "Available")
        {
            // A free volume may fit any pending claim.
            foreach (var claim in _claims.List().Where(c => string.IsNullOrEmpty(c.Spec?.VolumeName)))
            {
                _claimQueue.Add(NamespacedName.Of(claim));
            }
        }
    }

    public async Task SyncClaimAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        if (_claims.Get(key) is not { } claim || claim.Metadata.DeletionTimestamp is not null)
        {
            return;
        }
        // A 409 or 404 (someone changed or removed what we read) goes back to the loop: it looks again, rate-limited, from the next cache state.
        if (string.IsNullOrEmpty(claim.Spec?.VolumeName))
        {
            await SyncUnboundClaimAsync(claim, cancellationToken);
        }
        else
        {
            await SyncBoundClaimAsync(claim, cancellationToken);
        }
    }

    public async Task SyncVolumeAsync(NamespacedName name, CancellationToken cancellationToken)
    {
        if (_volumes.Get(name) is not { } volume || volume.Metadata.DeletionTimestamp is not null)
        {
            return;
        }
        await SyncVolumeAsync(volume, cancellationToken);
    }

    private async Task SyncUnboundClaimAsync(V1PersistentVolumeClaim claim, CancellationToken cancellationToken)
    {
        var className = claim.Spec?.StorageClassName ?? "";
        var storageClass = className.Length == 0 ? null : _classes.Get(className);
        var delayBinding = storageClass?.VolumeBindingMode == "WaitForFirstConsumer";
        (string, IDictionary<string, string>?)? node = claim.Metadata.Annotations?.TryGetValue(StorageAnnotations.SelectedNode, out var selected) == true
            ? (selected, _nodes.Get(selected)?.Metadata.Labels ?? new Dictionary<string, string> { [WellKnownLabels.Hostname] = selected })
            : null;
        if (VolumeMatcher.FindBest(claim, _volumes.List(), node, delayBinding) is { } volume)
        {
            await BindAsync(volume, claim, cancellationToken);
            return;
        }
        if (delayBinding && node is null)
        {
            Events.Record(claim, EventTypes.Normal, "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
        }
        else if (className.Length > 0)
        {
            claim = await RequestProvisioningAsync(claim, className, storageClass, cancellationToken);
        }
        else
        {
            Events.Record(claim, EventTypes.Normal, "FailedBinding", "no persistent volumes available for this claim and no storage class is set");
        }
        await WriteClaimStatusAsync(claim, "Pending", null, cancellationToken);
        _claimQueue.AddAfter(NamespacedName.Of(claim), PendingRecheck);
    }

    /// <summary>
    /// Marks the claim for its class's provisioner (pv_controller.go provisionClaimOperationExternal):
    /// the storage-provisioner annotations, and the event kubectl describe shows while waiting.
    /// </summary>
    private async Task<V1PersistentVolumeClaim> RequestProvisioningAsync(V1PersistentVolumeClaim claim, string className, V1StorageClass? storageClass, CancellationToken cancellationToken)
    {
        if (storageClass is null)
        {
            Events.Record(claim, EventTypes.Warning, "ProvisioningFailed", $"storageclass.storage.k8s.io \"{className}\" not found");
            return claim;
        }
        if (storageClass.Provisioner == StorageAnnotations.NoProvisioner)
        {
            Events.Record(claim, EventTypes.Normal, "FailedBinding", "no persistent volumes available for this claim and no storage class is set");
            return claim;
        }
        var provisioner = storageClass.Provisioner;
        if (claim.Metadata.Annotations?.TryGetValue(StorageAnnotations.StorageProvisioner, out var current) != true || current != provisioner)
        {
            var updated = ObjectCopy.Clone(claim);
            updated.Metadata.Annotations ??= new Dictionary<string, string>();
            updated.Metadata.Annotations[StorageAnnotations.StorageProvisioner] = provisioner;
            updated.Metadata.Annotations[StorageAnnotations.BetaStorageProvisioner] = provisioner;
            claim = await Client.CoreV1.ReplaceNamespacedPersistentVolumeClaimAsync(updated, claim.Metadata.Name, claim.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
        }
        Events.Record(claim, EventTypes.Normal, "ExternalProvisioning",
            $"Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.");
        return claim;
    }

    private async Task SyncBoundClaimAsync(V1PersistentVolumeClaim claim, CancellationToken cancellationToken)
    {
        var volume = _volumes.Get(claim.Spec.VolumeName);
        if (volume is null)
        {
            if (claim.Metadata.Annotations?.ContainsKey(StorageAnnotations.BindCompleted) == true)
            {
                if (claim.Status?.Phase != "Lost")
                {
                    Events.Record(claim, EventTypes.Warning, "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
                }
                await WriteClaimStatusAsync(claim, "Lost", null, cancellationToken);
            }
            else
            {
                // Pre-bound by the user to a volume that does not exist yet.
                await WriteClaimStatusAsync(claim, "Pending", null, cancellationToken);
            }
            return;
        }
        if (volume.Spec?.ClaimRef is null || VolumeMatcher.IsBoundTo(volume, claim))
        {
            await BindAsync(volume, claim, cancellationToken);
            return;
        }
        if (claim.Status?.Phase != "Lost")
        {
            Events.Record(claim, EventTypes.Warning, "ClaimMisbound", "Two claims are bound to the same volume, this one is bound incorrectly");
        }
        await WriteClaimStatusAsync(claim, "Lost", null, cancellationToken);
    }

    private async Task SyncVolumeAsync(V1PersistentVolume volume, CancellationToken cancellationToken)
    {
        if (volume.Spec?.ClaimRef is not { } claimRef)
        {
            await WriteVolumePhaseAsync(volume, "Available", cancellationToken);
            return;
        }
        var claim = _claims.Cache.Get(claimRef.NamespaceProperty, claimRef.Name);
        if (claim is not null && !string.IsNullOrEmpty(claimRef.Uid) && claim.Metadata.Uid != claimRef.Uid)
        {
            claim = null; // a new claim of the same name is not the one this volume served
        }
        if (claim is null)
        {
            if (string.IsNullOrEmpty(claimRef.Uid))
            {
                // Pre-bound by the user to a claim not created yet: usable by that claim only.
                await WriteVolumePhaseAsync(volume, "Available", cancellationToken);
                return;
            }
            await ReleaseAsync(volume, cancellationToken);
            return;
        }
        if (string.IsNullOrEmpty(claim.Spec?.VolumeName))
        {
            // The claim sync finishes the binding (a provisioner writes only the volume).
            _claimQueue.Add(NamespacedName.Of(claim));
            return;
        }
        if (claim.Spec.VolumeName == volume.Metadata.Name)
        {
            await WriteVolumePhaseAsync(volume, "Bound", cancellationToken);
            return;
        }
        // The claim went to another volume.
        if (volume.Metadata.Annotations?.ContainsKey(StorageAnnotations.ProvisionedBy) == true && volume.Spec.PersistentVolumeReclaimPolicy == "Delete")
        {
            await ReleaseAsync(volume, cancellationToken); // made for this claim and not needed
            return;
        }
        await UnbindAsync(volume, cancellationToken);
    }

    /// <summary>Phase Released, then the reclaim policy: Delete removes the volume (a provisioner's own volumes are left to it), Retain keeps it.</summary>
    private async Task ReleaseAsync(V1PersistentVolume volume, CancellationToken cancellationToken)
    {
        if (volume.Status?.Phase is not ("Released" or "Failed"))
        {
            var (name, phase) = (volume.Metadata.Name, volume.Status?.Phase ?? "Pending");
            LogReleased(name, phase);
            volume = await WriteVolumePhaseAsync(volume, "Released", cancellationToken);
        }
        if (volume.Spec.PersistentVolumeReclaimPolicy != "Delete" || volume.Metadata.Annotations?.ContainsKey(StorageAnnotations.ProvisionedBy) == true)
        {
            return;
        }
        try
        {
            await Client.CoreV1.DeletePersistentVolumeAsync(volume.Metadata.Name,
                new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = volume.Metadata.Uid } }, cancellationToken: cancellationToken);
            var name = volume.Metadata.Name;
            LogDeleted(name);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Already gone.
        }
    }

    /// <summary>upstream unbindVolume: a binding we made is undone; a user's pre-binding keeps the name and loses the uid.</summary>
    private async Task UnbindAsync(V1PersistentVolume volume, CancellationToken cancellationToken)
    {
        var updated = ObjectCopy.Clone(volume);
        if (updated.Metadata.Annotations?.Remove(StorageAnnotations.BoundByController) == true)
        {
            updated.Spec.ClaimRef = null;
        }
        else
        {
            updated.Spec.ClaimRef.Uid = null;
        }
        updated = await Client.CoreV1.ReplacePersistentVolumeAsync(updated, updated.Metadata.Name, cancellationToken: cancellationToken);
        await WriteVolumePhaseAsync(updated, "Available", cancellationToken);
    }

    /// <summary>
    /// upstream bind(): volume claimRef, volume phase, claim volumeName, claim status — each write
    /// only when it changes something, so a sync after a partial bind completes it.
    /// </summary>
    private async Task BindAsync(V1PersistentVolume volume, V1PersistentVolumeClaim claim, CancellationToken cancellationToken)
    {
        if (!(VolumeMatcher.IsBoundTo(volume, claim) && volume.Spec.ClaimRef.Uid == claim.Metadata.Uid))
        {
            var boundByUser = VolumeMatcher.IsBoundTo(volume, claim);
            var updated = ObjectCopy.Clone(volume);
            updated.Spec.ClaimRef = ObjectReferences.To(claim);
            if (!boundByUser)
            {
                updated.Metadata.Annotations ??= new Dictionary<string, string>();
                updated.Metadata.Annotations.TryAdd(StorageAnnotations.BoundByController, "yes");
            }
            volume = await Client.CoreV1.ReplacePersistentVolumeAsync(updated, updated.Metadata.Name, cancellationToken: cancellationToken);
        }
        volume = await WriteVolumePhaseAsync(volume, "Bound", cancellationToken);
        var annotations = claim.Metadata.Annotations;
        if (claim.Spec.VolumeName != volume.Metadata.Name || annotations?.ContainsKey(StorageAnnotations.BindCompleted) != true)
        {
            var updated = ObjectCopy.Clone(claim);
            updated.Metadata.Annotations ??= new Dictionary<string, string>();
            if (updated.Spec.VolumeName != volume.Metadata.Name)
            {
                updated.Spec.VolumeName = volume.Metadata.Name;
                updated.Metadata.Annotations.TryAdd(StorageAnnotations.BoundByController, "yes");
            }
            updated.Metadata.Annotations.TryAdd(StorageAnnotations.BindCompleted, "yes");
            claim = await Client.CoreV1.ReplaceNamespacedPersistentVolumeClaimAsync(updated, updated.Metadata.Name, updated.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
            var (ns, name, volumeName) = (claim.Metadata.NamespaceProperty, claim.Metadata.Name, volume.Metadata.Name);
            LogBound(ns, name, volumeName);
        }
        await WriteClaimStatusAsync(claim, "Bound", volume, cancellationToken);
    }

    private async Task<V1PersistentVolume> WriteVolumePhaseAsync(V1PersistentVolume volume, string phase, CancellationToken cancellationToken)
    {
        if (volume.Status?.Phase == phase)
        {
            return volume;
        }
        var updated = ObjectCopy.Clone(volume);
        updated.Status ??= new V1PersistentVolumeStatus();
        updated.Status.Phase = phase;
        updated.Status.LastPhaseTransitionTime = Time.GetUtcNow().UtcDateTime;
        return await Client.CoreV1.ReplacePersistentVolumeStatusAsync(updated, updated.Metadata.Name, cancellationToken: cancellationToken);
    }

    /// <summary>The claim's phase, and while Bound the volume's capacity and access modes (upstream updateClaimStatus).</summary>
    private async Task WriteClaimStatusAsync(V1PersistentVolumeClaim claim, string phase, V1PersistentVolume? volume, CancellationToken cancellationToken)
    {
        var status = claim.Status ?? new V1PersistentVolumeClaimStatus();
        var capacity = volume?.Spec?.Capacity;
        var accessModes = volume?.Spec?.AccessModes;
        if (status.Phase == phase && (volume is null || (SameQuantities(status.Capacity, capacity) && SameModes(status.AccessModes, accessModes))))
        {
            return;
        }
        var updated = ObjectCopy.Clone(claim);
        updated.Status ??= new V1PersistentVolumeClaimStatus();
        updated.Status.Phase = phase;
        if (volume is not null)
        {
            updated.Status.Capacity = capacity is null ? null : new Dictionary<string, ResourceQuantity>(capacity);
            updated.Status.AccessModes = accessModes is null ? null : [.. accessModes];
        }
        await Client.CoreV1.ReplaceNamespacedPersistentVolumeClaimStatusAsync(updated, updated.Metadata.Name, updated.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
    }

    private static bool SameQuantities(IDictionary<string, ResourceQuantity>? a, IDictionary<string, ResourceQuantity>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0)
        && (a is null || a.All(kv => b!.TryGetValue(kv.Key, out var other) && other.ToDecimal() == kv.Value.ToDecimal()));

    private static bool SameModes(IList<string>? a, IList<string>? b) => (a ?? []).SequenceEqual(b ?? []);

    [LoggerMessage(EventId = LogEvents.Controllers + 660, Level = LogLevel.Information, Message = "Claim {Namespace}/{Name} bound to volume {Volume}")]
    private partial void LogBound(string @namespace, string name, string volume);

    [LoggerMessage(EventId = LogEvents.Controllers + 661, Level = LogLevel.Information, Message = "Volume {Volume} released (was {Phase}): its claim is gone")]
    private partial void LogReleased(string volume, string phase);

    [LoggerMessage(EventId = LogEvents.Controllers + 662, Level = LogLevel.Information, Message = "Volume {Volume} deleted (reclaim policy Delete)")]
    private partial void LogDeleted(string volume);
}
