using k8s.Models;

namespace MiniKube.Controllers.Deployment;

/// <summary>
/// How the Deployment controller picks and orders its ReplicaSets (pkg/controller/controller_utils.go
/// ReplicaSetsByCreationTimestamp / BySizeNewer / BySizeOlder, deployment_util.go FindNewReplicaSet,
/// FindOldReplicaSets, ReplicaSetsByRevision): the new set is the oldest whose template equals
/// the Deployment's (hash label aside); every other set is old; "active" sets want pods.
/// </summary>
public static class ReplicaSetOrder
{
    /// <summary>Older first; equal times by name.</summary>
    public static int ByCreation(V1ReplicaSet a, V1ReplicaSet b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var byTime = Nullable.Compare(a.Metadata.CreationTimestamp, b.Metadata.CreationTimestamp);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.Metadata.Name, b.Metadata.Name);
    }

    /// <summary>Larger first; equal sizes newer first (who grows first when scaling up).</summary>
    public static int BySizeNewer(V1ReplicaSet a, V1ReplicaSet b) =>
        Size(a) != Size(b) ? Size(b).CompareTo(Size(a)) : ByCreation(b, a);

    /// <summary>Larger first; equal sizes older first (who shrinks first when scaling down).</summary>
    public static int BySizeOlder(V1ReplicaSet a, V1ReplicaSet b) =>
        Size(a) != Size(b) ? Size(b).CompareTo(Size(a)) : ByCreation(a, b);

    /// <summary>Lower revision first; equal revisions by creation.</summary>
    public static int ByRevision(V1ReplicaSet a, V1ReplicaSet b)
    {
        var byRevision = RevisionAnnotations.RevisionOf(a).CompareTo(RevisionAnnotations.RevisionOf(b));
        return byRevision != 0 ? byRevision : ByCreation(a, b);
    }

    public static V1ReplicaSet? FindNew(V1Deployment d, IEnumerable<V1ReplicaSet> sets)
    {
        ArgumentNullException.ThrowIfNull(d);
        return sets.Order(Comparer<V1ReplicaSet>.Create(ByCreation))
            .FirstOrDefault(rs => PodTemplateHash.EqualIgnoreHash(rs.Spec.Template, d.Spec.Template));
    }

    public static List<V1ReplicaSet> FindOld(V1Deployment d, IReadOnlyCollection<V1ReplicaSet> sets)
    {
        var newRs = FindNew(d, sets);
        return [.. sets.Where(rs => newRs is null || rs.Metadata.Uid != newRs.Metadata.Uid)];
    }

    /// <summary>The sets that want pods (spec.replicas &gt; 0).</summary>
    public static List<V1ReplicaSet> Active(IEnumerable<V1ReplicaSet?> sets) => [.. sets.OfType<V1ReplicaSet>().Where(rs => Size(rs) > 0)];

    public static int Size(V1ReplicaSet rs)
    {
        ArgumentNullException.ThrowIfNull(rs);
        return rs.Spec.Replicas ?? 0;
    }

    /// <summary>The sum of spec.replicas.</summary>
    public static int DesiredTotal(IEnumerable<V1ReplicaSet?> sets) => sets.OfType<V1ReplicaSet>().Sum(Size);

    /// <summary>The sum of status.availableReplicas.</summary>
    public static int AvailableTotal(IEnumerable<V1ReplicaSet?> sets) => sets.OfType<V1ReplicaSet>().Sum(rs => rs.Status?.AvailableReplicas ?? 0);

    /// <summary>The sum of status.replicas.</summary>
    public static int ActualTotal(IEnumerable<V1ReplicaSet?> sets) => sets.OfType<V1ReplicaSet>().Sum(rs => rs.Status?.Replicas ?? 0);
}
