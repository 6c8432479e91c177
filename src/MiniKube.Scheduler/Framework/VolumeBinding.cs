using MiniKube.Scheduler.Cache;

namespace MiniKube.Scheduler.Framework;

/// <summary>What volume binding found for one pod before any node is looked at.</summary>
/// <param name="Rejection">Set when no node can do (a claim missing, being deleted, or unbound with Immediate binding): the PreFilter message.</param>
/// <param name="BoundVolumes">The volumes of bound claims, by name; null where the claim names a volume that does not exist.</param>
/// <param name="DelayedClaims">Unbound claims of WaitForFirstConsumer classes: the chosen node goes on them as volume.kubernetes.io/selected-node.</param>
internal sealed record PodVolumes(string? Rejection, IReadOnlyList<(string Name, V1PersistentVolume? Volume)> BoundVolumes, IReadOnlyList<V1PersistentVolumeClaim> DelayedClaims)
{
    public static PodVolumes Rejected(string message) => new(message, [], []);
}

/// <summary>
/// The VolumeBinding plugin (pkg/scheduler/framework/plugins/volumebinding), for pods that name
/// PersistentVolumeClaims. PreFilter: every claim must exist and not be deleting
/// ('persistentvolumeclaim "x" not found'), and an unbound claim whose class binds immediately
/// must wait for the binder ("pod has unbound immediate PersistentVolumeClaims"). Filter: a node
/// must satisfy the node affinity of every bound volume ("node(s) had volume node affinity
/// conflict"), and an unbound WaitForFirstConsumer claim already given to another node rules the
/// node out ("node(s) didn't find available persistent volumes to bind"). Otherwise the claim is
/// for the provisioner: after the pod's node is chosen the scheduler writes that node on it.
/// Not done: matching static volumes of no-provisioner classes per node, and waiting in PreBind
/// for the binding to finish (the kubelet waits for the claim to be bound instead).
/// </summary>
internal sealed class VolumeBinding(
    Func<string, V1PersistentVolumeClaim?> claims,
    Func<string, V1PersistentVolume?> volumes,
    Func<string, V1StorageClass?> classes)
{
    public const string SelectedNodeAnnotation = StorageAnnotations.SelectedNode;

    private static readonly FilterFailure NodeConflict = FilterFailure.Of("node(s) had volume node affinity conflict", unresolvable: true);
    private static readonly FilterFailure VolumeMissing = FilterFailure.Of("node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)", unresolvable: true);
    private static readonly FilterFailure BindConflict = FilterFailure.Of("node(s) didn't find available persistent volumes to bind", unresolvable: true);

    /// <summary>Looks the pod's claims up once per decision; call only for pods with claims.</summary>
    public PodVolumes PreFilter(PodInfo pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var bound = new List<(string, V1PersistentVolume?)>();
        var delayed = new List<V1PersistentVolumeClaim>();
        var immediateUnbound = false;
        foreach (var name in pod.ClaimNames)
        {
            var claim = claims(ObjectKeys.Of(pod.Namespace, name));
            if (claim is null)
            {
                return PodVolumes.Rejected($"persistentvolumeclaim \"{name}\" not found");
            }
            if (claim.Metadata.DeletionTimestamp is not null)
            {
                return PodVolumes.Rejected($"persistentvolumeclaim \"{name}\" is being deleted");
            }
            if (claim.Spec?.VolumeName is { Length: > 0 } volumeName)
            {
                bound.Add((volumeName, volumes(volumeName)));
            }
            else if (claim.Spec?.StorageClassName is { Length: > 0 } className && classes(className)?.VolumeBindingMode == "WaitForFirstConsumer")
            {
                delayed.Add(claim);
            }
            else
            {
                immediateUnbound = true;
            }
        }
        return immediateUnbound
            ? PodVolumes.Rejected("pod has unbound immediate PersistentVolumeClaims")
            : new PodVolumes(null, bound, delayed);
    }

    public static FilterFailure? Check(PodVolumes volumes, NodeInfo node)
    {
        ArgumentNullException.ThrowIfNull(volumes);
        ArgumentNullException.ThrowIfNull(node);
        foreach (var (_, volume) in volumes.BoundVolumes)
        {
            if (volume is null)
            {
                return VolumeMissing;
            }
            if (!NodeAffinity.MatchesRequired(volume.Spec?.NodeAffinity?.Required, node.Name, node.Labels))
            {
                return NodeConflict;
            }
        }
        foreach (var claim in volumes.DelayedClaims)
        {
            if (claim.Metadata.Annotations?.TryGetValue(SelectedNodeAnnotation, out var selected) == true && selected != node.Name)
            {
                return BindConflict; // being provisioned for another node
            }
        }
        return null;
    }
}
