using k8s.Models;

namespace MiniKube.Controllers.Disruption;

/// <summary>
/// The health of a budget's pods at one instant (pkg/controller/disruption/disruption.go
/// buildDisruptedPodMap and countHealthyPods). The eviction handler writes
/// <c>status.disruptedPods[pod] = now</c> before deleting a pod, so the budget counts that pod
/// as gone at once; an entry is kept while its pod exists, is not yet being deleted and the
/// entry is younger than <see cref="DeletionTimeout"/>. An older entry means the deletion never
/// came: it is dropped (and reported) and the pod counts again.
/// </summary>
internal sealed record BudgetHealth(int CurrentHealthy, IReadOnlyDictionary<string, DateTime> DisruptedPods, IReadOnlyList<V1Pod> NotDeleted, DateTimeOffset? RecheckAt)
{
    /// <summary>Upstream's DeletionTimeout: how long an eviction's pod may take to show a deletion timestamp.</summary>
    public static readonly TimeSpan DeletionTimeout = TimeSpan.FromMinutes(2);

    public static BudgetHealth Of(V1PodDisruptionBudget pdb, IReadOnlyList<V1Pod> pods, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pdb);
        ArgumentNullException.ThrowIfNull(pods);
        var recorded = pdb.Status?.DisruptedPods;
        var disrupted = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        var notDeleted = new List<V1Pod>();
        DateTimeOffset? recheckAt = null;
        foreach (var pod in pods)
        {
            // A pod being deleted no longer needs its entry; one that is gone is not in pods at all.
            if (recorded is null || pod.Metadata.DeletionTimestamp is not null || !recorded.TryGetValue(pod.Metadata.Name, out var entry) || entry is not { } at)
            {
                continue;
            }
            var expires = Utc(at) + DeletionTimeout;
            if (expires < now)
            {
                notDeleted.Add(pod);
                continue;
            }
            disrupted[pod.Metadata.Name] = at;
            if (recheckAt is null || expires < recheckAt)
            {
                recheckAt = expires;
            }
        }
        var healthy = pods.Count(p => p.Metadata.DeletionTimestamp is null && !IsDisrupted(p, disrupted, now) && PodState.IsReady(p));
        return new BudgetHealth(healthy, disrupted, notDeleted, recheckAt);
    }

    private static bool IsDisrupted(V1Pod pod, Dictionary<string, DateTime> disrupted, DateTimeOffset now) =>
        disrupted.TryGetValue(pod.Metadata.Name, out var at) && Utc(at) + DeletionTimeout > now;

    /// <summary>Times arrive from JSON as UTC whatever their kind says.</summary>
    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));
}
