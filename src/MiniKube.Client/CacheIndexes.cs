using k8s;
using k8s.Models;

namespace MiniKube.Client;

/// <summary>Index functions the scheduler and controllers share (add with <see cref="ObjectCache{T}.AddIndex"/>).</summary>
public static class CacheIndexes
{
    public const string PodsByNodeName = "spec.nodeName";
    public const string ByOwnerUid = "metadata.ownerReferences.uid";

    /// <summary>Pods by the node they are bound to; unbound pods are not indexed.</summary>
    public static IEnumerable<string> NodeNameOf(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return pod.Spec?.NodeName is { Length: > 0 } node ? [node] : [];
    }

    /// <summary>Objects by the UIDs of their owners (every owner reference, controller or not).</summary>
    public static IEnumerable<string> OwnerUidsOf(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return obj.Metadata.OwnerReferences?.Select(o => o.Uid) ?? [];
    }
}
