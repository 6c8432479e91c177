
namespace MiniKube.Addons.LocalPath;

/// <summary>
/// The volume the local-path provisioner makes for a claim, shaped as rancher/local-path-provisioner
/// (provisioner.go Provision) makes it: named pvc-&lt;claim uid&gt;, a hostPath directory
/// &lt;storage dir&gt;/pvc-&lt;uid&gt;_&lt;namespace&gt;_&lt;claim&gt; created on first use, pinned
/// to the chosen node by required node affinity on kubernetes.io/hostname, pre-bound to the claim
/// by claimRef (uid included) so the binder binds exactly that pair.
/// </summary>
public static class LocalPathVolumes
{
    public const string ProvisionerName = "rancher.io/local-path";

    public const string HostnameLabel = WellKnownLabels.Hostname;

    public static string NameFor(V1PersistentVolumeClaim claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return "pvc-" + claim.Metadata.Uid;
    }

    public static V1PersistentVolume For(V1PersistentVolumeClaim claim, string nodeName, V1StorageClass storageClass, string storageDirectory)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(storageClass);
        var name = NameFor(claim);
        var (ns, claimName) = (claim.Metadata.NamespaceProperty, claim.Metadata.Name);
        var request = claim.Spec?.Resources?.Requests?.TryGetValue("storage", out var storage) == true ? storage : new ResourceQuantity("0");
        return new V1PersistentVolume
        {
            ApiVersion = "v1",
            Kind = "PersistentVolume",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Annotations = new Dictionary<string, string> { [StorageAnnotations.ProvisionedBy] = ProvisionerName },
            },
            Spec = new V1PersistentVolumeSpec
            {
                Capacity = new Dictionary<string, ResourceQuantity> { ["storage"] = request },
                AccessModes = [.. claim.Spec?.AccessModes ?? []],
                VolumeMode = claim.Spec?.VolumeMode ?? "Filesystem",
                StorageClassName = storageClass.Metadata.Name,
                PersistentVolumeReclaimPolicy = storageClass.ReclaimPolicy ?? "Delete",
                MountOptions = storageClass.MountOptions is { } options ? [.. options] : null,
                HostPath = new V1HostPathVolumeSource { Path = Path.Combine(storageDirectory, $"{name}_{ns}_{claimName}"), Type = "DirectoryOrCreate" },
                NodeAffinity = new V1VolumeNodeAffinity
                {
                    Required = new V1NodeSelector
                    {
                        NodeSelectorTerms =
                        [
                            new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = HostnameLabel, OperatorProperty = "In", Values = [nodeName] }] },
                        ],
                    },
                },
                ClaimRef = ObjectReferences.To(claim),
            },
        };
    }

    /// <summary>The class k3s ships: local-path, default, WaitForFirstConsumer (a volume lives on one node, so the pod's node decides), Delete.</summary>
    public static V1StorageClass StorageClass(string name) => new()
    {
        ApiVersion = "storage.k8s.io/v1",
        Kind = "StorageClass",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Annotations = new Dictionary<string, string> { [StorageAnnotations.IsDefaultClass] = "true" },
        },
        Provisioner = ProvisionerName,
        VolumeBindingMode = "WaitForFirstConsumer",
        ReclaimPolicy = "Delete",
    };
}
