namespace MiniKube.Api;

/// <summary>
/// The annotations through which the binder, the scheduler and provisioners coordinate, as
/// upstream names them (pkg/controller/volume/persistentvolume/util/util.go, and the StorageClass
/// ones of pkg/volume/util/storageclass.go).
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

    /// <summary>On a StorageClass: "true" makes it the class of claims that name none (and its beta twin, still honoured).</summary>
    public const string IsDefaultClass = "storageclass.kubernetes.io/is-default-class";

    public const string BetaIsDefaultClass = "storageclass.beta.kubernetes.io/is-default-class";

    /// <summary>On a claim or volume: its class, by the beta annotation that still wins over spec.storageClassName.</summary>
    public const string BetaStorageClass = "volume.beta.kubernetes.io/storage-class";

    /// <summary>A class whose volumes are created by hand only (StorageClass.provisioner).</summary>
    public const string NoProvisioner = "kubernetes.io/no-provisioner";
}
