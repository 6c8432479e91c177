using System.Globalization;
using k8s.Models;

namespace MiniKube.Controllers.ReplicaSet;

/// <summary>
/// Which pods a shrinking ReplicaSet deletes first (pkg/controller/controller_utils.go
/// ActivePodsWithRanks.Less, with the PodDeletionCost and LogarithmicScaleDown gates on as in
/// v1.32): unassigned before assigned; Pending before Unknown before Running; not Ready before
/// Ready; lower controller.kubernetes.io/pod-deletion-cost first; more pods of the same owner on
/// the node first; Ready for less time first (compared in powers of two of their age); more
/// container restarts first; younger first (again by powers of two); then by uid.
/// </summary>
public sealed class PodDeletionOrder : IComparer<V1Pod>
{
    public const string DeletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost";

    private readonly Func<V1Pod, int> _rank;
    private readonly DateTime _now;

    /// <param name="rank">How many related active pods share the pod's node (doubled-up pods go first).</param>
    /// <param name="now">The time ages are measured against.</param>
    public PodDeletionOrder(Func<V1Pod, int> rank, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rank);
        _rank = rank;
        _now = now.UtcDateTime;
    }

    /// <summary>The first <paramref name="count"/> pods to delete, ranked by the pods of <paramref name="related"/> on the same node.</summary>
    public static List<V1Pod> PodsToDelete(IReadOnlyList<V1Pod> pods, IEnumerable<V1Pod> related, int count, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(related);
        if (count >= pods.Count)
        {
            return [.. pods];
        }
        var perNode = related.Where(PodReadiness.IsActive)
            .GroupBy(p => p.Spec?.NodeName ?? "", StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var order = new PodDeletionOrder(p => perNode.GetValueOrDefault(p.Spec?.NodeName ?? ""), now);
        return [.. pods.Order(order).Take(count)];
    }

    public int Compare(V1Pod? x, V1Pod? y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Less(x, y) ? -1 : Less(y, x) ? 1 : 0;
    }

    private bool Less(V1Pod a, V1Pod b)
    {
        var nodeA = a.Spec?.NodeName ?? "";
        var nodeB = b.Spec?.NodeName ?? "";
        if (nodeA != nodeB && (nodeA.Length == 0 || nodeB.Length == 0))
        {
            return nodeA.Length == 0;
        }
        if (PhaseOrdinal(a) != PhaseOrdinal(b))
        {
            return PhaseOrdinal(a) < PhaseOrdinal(b);
        }
        var readyA = PodReadiness.IsReady(a);
        if (readyA != PodReadiness.IsReady(b))
        {
            return !readyA;
        }
        if (DeletionCost(a) != DeletionCost(b))
        {
            return DeletionCost(a) < DeletionCost(b);
        }
        if (_rank(a) != _rank(b))
        {
            return _rank(a) > _rank(b);
        }
        if (readyA)
        {
            var sinceA = PodReadiness.ReadySince(a);
            var sinceB = PodReadiness.ReadySince(b);
            if (sinceA != sinceB)
            {
                return YoungerInPowersOfTwo(sinceA, sinceB, a, b);
            }
        }
        if (MaxRestarts(a) != MaxRestarts(b))
        {
            return MaxRestarts(a) > MaxRestarts(b);
        }
        var createdA = a.Metadata.CreationTimestamp;
        var createdB = b.Metadata.CreationTimestamp;
        if (createdA != createdB)
        {
            return YoungerInPowersOfTwo(createdA, createdB, a, b);
        }
        return false;
    }

    // Upstream's logarithmicRankDiff: ages within the same power of two (in nanoseconds) tie,
    // and ties fall back to the uid so the choice is spread instead of always the newest.
    private bool YoungerInPowersOfTwo(DateTime? a, DateTime? b, V1Pod podA, V1Pod podB)
    {
        if (a is null || b is null)
        {
            return a is null;
        }
        var diff = LogRank(a.Value) - LogRank(b.Value);
        return diff == 0 ? string.CompareOrdinal(podA.Metadata.Uid, podB.Metadata.Uid) < 0 : diff < 0;
    }

    private long LogRank(DateTime at)
    {
        var nanos = (_now - DateTime.SpecifyKind(at, DateTimeKind.Utc)).Ticks * 100.0;
        return nanos > 0 ? (long)Math.Log2(nanos) : -1;
    }

    private static int PhaseOrdinal(V1Pod pod) => pod.Status?.Phase switch
    {
        "Pending" => 0,
        "Unknown" => 1,
        "Running" => 2,
        _ => 0,
    };

    private static int DeletionCost(V1Pod pod) =>
        pod.Metadata.Annotations?.TryGetValue(DeletionCostAnnotation, out var text) == true
        && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var cost) ? cost : 0;

    private static int MaxRestarts(V1Pod pod) => pod.Status?.ContainerStatuses?.Select(c => c.RestartCount).DefaultIfEmpty(0).Max() ?? 0;
}
