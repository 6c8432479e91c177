namespace MiniKube.Api;

/// <summary>
/// The annotations through which the binder, the scheduler and provisioners coordinate, as
/// upstream names them (pkg/controller/volume/persistentvolume/util/util.go).
/// </summary>
public static class StorageAnnotations
{
    /// <summary>On a claim: the binder has bound it at least once (its value does not matter; upstream writes "yes").</summary>
    public const string BindCompleted = "pv.kubernetes.io/bind-completed";

    /// <summary>On a volume or claim: the binder, not the user, set claimRef / volumeName.</summary>
    public const string BoundByController = "pv.kubernetes.io/bound-by-controller";

    /// <summary>On a claim: the node the scheduler chose for its first consumer (WaitForFirstConsumer provisioning); the provisioner reads it.</summary>
    public const string SelectedNode = "volume.kubernetes.io/selected-node";

    /// <summary>On a volume: the provisioner that created it (and that deletes it when released).</summary>
    public const string ProvisionedBy = "pv.kubernetes.io/provisioned-by";

    /// <summary>On a claim: the provisioner expected to create its volume (the beta name is still written upstream).</summary>
    public const string StorageProvisioner = "volume.kubernetes.io/storage-provisioner";

    public const string BetaStorageProvisioner = "volume.beta.kubernetes.io/storage-provisioner";

    /// <summary>A class whose volumes are created by hand only (StorageClass.provisioner).</summary>
    public const string NoProvisioner = "kubernetes.io/no-provisioner";
}
