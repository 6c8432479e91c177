using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// The other objects a Pod or PersistentVolume names, read from its JSON: what a kubelet needs to
/// run the pod, and so what the Node authorizer lets it read (pkg/api/v1/pod/util.go
/// VisitPodSecretNames and VisitPodConfigmapNames over every container kind,
/// component-helpers ephemeral.VolumeClaimName, pkg/api/v1/persistentvolume/util.go
/// VisitPVSecretNames). NodeRestriction uses the same functions to refuse mirror pods that name any.
/// </summary>
internal static class PodReferences
{
    /// <summary>The annotation that marks a mirror pod (the API object of a kubelet's static pod).</summary>
    public const string MirrorAnnotation = "kubernetes.io/config.mirror";

    // In-tree volume sources whose secretRef is read by the kubelet (the pod's own namespace).
    private static readonly string[] SecretRefVolumes = ["cephfs", "cinder", "flexVolume", "rbd", "scaleIO", "iscsi", "storageos"];

    // PersistentVolume sources whose secretRef falls back to the claim's namespace when it names none.
    private static readonly string[] ClaimNamespacedSecretRefs = ["cephfs", "flexVolume", "rbd", "scaleIO", "iscsi"];

    // The CSI secrets the kubelet reads (the controller-side ones it never sees).
    private static readonly string[] KubeletCsiSecrets = ["nodePublishSecretRef", "nodeStageSecretRef", "nodeExpandSecretRef"];

    /// <summary>Whether <paramref name="pod"/> carries the mirror annotation.</summary>
    public static bool IsMirror(JsonObject pod) => pod.Obj("metadata").Obj("annotations").Has(MirrorAnnotation);

    /// <summary>Secrets the pod names: image pull secrets, env and envFrom of every container, and volumes.</summary>
    public static IEnumerable<string> SecretNames(JsonObject pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var spec = pod.Obj("spec");
        foreach (var (_, pull) in spec.Items("imagePullSecrets"))
        {
            yield return pull.StrOrEmpty("name");
        }
        foreach (var name in ContainerReferences(spec, "secretRef", "secretKeyRef"))
        {
            yield return name;
        }
        foreach (var (_, volume) in spec.Items("volumes"))
        {
            yield return volume.Obj("secret").StrOrEmpty("secretName");
            yield return volume.Obj("azureFile").StrOrEmpty("secretName");
            yield return volume.Obj("csi").Obj("nodePublishSecretRef").StrOrEmpty("name");
            foreach (var source in SecretRefVolumes)
            {
                yield return volume.Obj(source).Obj("secretRef").StrOrEmpty("name");
            }
            foreach (var (_, projection) in volume.Obj("projected").Items("sources"))
            {
                yield return projection.Obj("secret").StrOrEmpty("name");
            }
        }
    }

    /// <summary>ConfigMaps the pod names: env and envFrom of every container, and volumes.</summary>
    public static IEnumerable<string> ConfigMapNames(JsonObject pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var spec = pod.Obj("spec");
        foreach (var name in ContainerReferences(spec, "configMapRef", "configMapKeyRef"))
        {
            yield return name;
        }
        foreach (var (_, volume) in spec.Items("volumes"))
        {
            yield return volume.Obj("configMap").StrOrEmpty("name");
            foreach (var (_, projection) in volume.Obj("projected").Items("sources"))
            {
                yield return projection.Obj("configMap").StrOrEmpty("name");
            }
        }
    }

    /// <summary>PersistentVolumeClaims the pod uses: its claims, and the &lt;pod&gt;-&lt;volume&gt; claim of each ephemeral volume.</summary>
    public static IEnumerable<string> ClaimNames(JsonObject pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var podName = ObjectMeta.Name(pod) ?? "";
        foreach (var (_, volume) in pod.Obj("spec").Items("volumes"))
        {
            if (volume.Obj("persistentVolumeClaim") is { } claim)
            {
                yield return claim.StrOrEmpty("claimName");
            }
            else if (volume.Has("ephemeral"))
            {
                yield return podName + "-" + volume.StrOrEmpty("name");
            }
        }
    }

    /// <summary>
    /// The Secrets a PersistentVolume's source names that the kubelet reads, with their namespace
    /// (for older sources the bound claim's when the reference names none).
    /// </summary>
    public static IEnumerable<(string Namespace, string Name)> PersistentVolumeSecrets(JsonObject pv)
    {
        ArgumentNullException.ThrowIfNull(pv);
        var spec = pv.Obj("spec");
        var claimNamespace = spec.Obj("claimRef").StrOrEmpty("namespace");
        if (spec.Obj("azureFile") is { } azure && azure.StrOrEmpty("secretName") is { Length: > 0 } azureSecret)
        {
            yield return (azure.Str("secretNamespace") is { Length: > 0 } azureNamespace ? azureNamespace : claimNamespace, azureSecret);
        }
        foreach (var source in SecretRefVolumes)
        {
            if (spec.Obj(source).Obj("secretRef") is { } reference)
            {
                var ns = reference.StrOrEmpty("namespace");
                yield return (ns.Length == 0 && ClaimNamespacedSecretRefs.Contains(source) ? claimNamespace : ns, reference.StrOrEmpty("name"));
            }
        }
        foreach (var field in KubeletCsiSecrets)
        {
            if (spec.Obj("csi").Obj(field) is { } reference)
            {
                yield return (reference.StrOrEmpty("namespace"), reference.StrOrEmpty("name"));
            }
        }
    }

    // envFrom[].<fromField>.name and env[].valueFrom.<keyField>.name of init, regular and ephemeral containers.
    private static IEnumerable<string> ContainerReferences(JsonObject? spec, string fromField, string keyField)
    {
        foreach (var list in (string[])["initContainers", "containers", "ephemeralContainers"])
        {
            foreach (var (_, container) in spec.Items(list))
            {
                foreach (var (_, from) in container.Items("envFrom"))
                {
                    yield return from.Obj(fromField).StrOrEmpty("name");
                }
                foreach (var (_, env) in container.Items("env"))
                {
                    yield return env.Obj("valueFrom").Obj(keyField).StrOrEmpty("name");
                }
            }
        }
    }
}
