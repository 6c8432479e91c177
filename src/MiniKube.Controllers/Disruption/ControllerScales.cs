using k8s.Models;

namespace MiniKube.Controllers.Disruption;

/// <summary>The workload that decides how many pods a controller reference stands for, and that number (spec.replicas).</summary>
internal readonly record struct ControllerScale(string Uid, int Replicas);

/// <summary>
/// Maps a pod's controller reference to the scale of the workload behind it, from the informer
/// caches (pkg/controller/disruption/disruption.go finders: ReplicationController, Deployment
/// through its ReplicaSet, ReplicaSet not owned by a Deployment, StatefulSet, then the scale
/// subresource). We have no generic scale client: the last finder is answered from the same
/// caches for these four kinds (what their scale subresource reports) and kinds known to have no
/// scale subresource get upstream's error; any other kind is a workload we cannot find.
/// </summary>
internal sealed class ControllerScales(
    Informer<V1ReplicationController> replicationControllers,
    Informer<V1ReplicaSet> replicaSets,
    Informer<V1Deployment> deployments,
    Informer<V1StatefulSet> statefulSets)
{
    /// <summary>Built-in kinds whose pods a PDB may select but which have no scale subresource, by "group/Kind".</summary>
    private static readonly Dictionary<string, string> Unscalable = new(StringComparer.Ordinal)
    {
        ["apps/DaemonSet"] = "daemonsets.apps",
        ["batch/Job"] = "jobs.batch",
    };

    /// <summary>
    /// The scale behind <paramref name="owner"/> in <paramref name="ns"/>; null when no such
    /// workload exists (or its UID differs). Throws <see cref="ExpectedPodCountException"/> when
    /// the kind cannot have a scale.
    /// </summary>
    public ControllerScale? Find(V1OwnerReference owner, string ns)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var group = GroupOf(owner.ApiVersion);
        if (Is(owner, group, "ReplicationController", ""))
        {
            return Scale(replicationControllers.Cache.Get(ns, owner.Name), owner.Uid, rc => rc.Spec?.Replicas);
        }
        if (Is(owner, group, "ReplicaSet", "apps", "extensions") && replicaSets.Cache.Get(ns, owner.Name) is { } rs && rs.Metadata.Uid == owner.Uid)
        {
            // A Deployment's ReplicaSet stands for the Deployment's replicas, so a rollout with two ReplicaSets counts once.
            if (ControllerRefs.ControllerOf(rs) is { Kind: "Deployment" } deploymentRef)
            {
                if (Is(deploymentRef, GroupOf(deploymentRef.ApiVersion), "Deployment", "apps", "extensions")
                    && Scale(deployments.Cache.Get(ns, deploymentRef.Name), deploymentRef.Uid, d => d.Spec?.Replicas) is { } scale)
                {
                    return scale;
                }
                // Its Deployment is gone: upstream's scale finder then reads the ReplicaSet's own scale.
            }
            return new ControllerScale(rs.Metadata.Uid, rs.Spec?.Replicas ?? 1);
        }
        if (Is(owner, group, "StatefulSet", "apps"))
        {
            return Scale(statefulSets.Cache.Get(ns, owner.Name), owner.Uid, s => s.Spec?.Replicas);
        }
        if (Is(owner, group, "Deployment", "apps", "extensions"))
        {
            return Scale(deployments.Cache.Get(ns, owner.Name), owner.Uid, d => d.Spec?.Replicas);
        }
        if (Unscalable.TryGetValue(group + "/" + owner.Kind, out var resource))
        {
            throw new ExpectedPodCountException($"{resource} does not implement the scale subresource");
        }
        return null;
    }

    private static ControllerScale? Scale<T>(T? workload, string uid, Func<T, int?> replicas)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        workload is not null && workload.Metadata.Uid == uid ? new ControllerScale(uid, replicas(workload) ?? 1) : null;

    private static bool Is(V1OwnerReference owner, string group, string kind, params string[] groups) =>
        owner.Kind == kind && groups.Contains(group, StringComparer.Ordinal);

    /// <summary>The group of an apiVersion: "apps/v1" is "apps", "v1" is the core group "".</summary>
    private static string GroupOf(string? apiVersion) =>
        apiVersion is { } v && v.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 ? v[..slash] : "";
}
