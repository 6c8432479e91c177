using k8s.Models;

namespace MiniKube.Controllers.Disruption;

/// <summary>
/// The status the disruption controller writes on a PodDisruptionBudget and its
/// DisruptionAllowed condition (pkg/controller/disruption/disruption.go updatePdbStatus and
/// failSafe; k8s.io/component-helpers/apps/poddisruptionbudget; apimachinery's
/// meta.SetStatusCondition for the condition's transition time). Each method answers null when
/// the budget already shows what it would write, so an unchanged budget is never written.
/// </summary>
internal static class BudgetStatus
{
    public const string DisruptionAllowedCondition = "DisruptionAllowed";
    public const string SufficientPodsReason = "SufficientPods";
    public const string InsufficientPodsReason = "InsufficientPods";
    public const string SyncFailedReason = "SyncFailed";

    /// <summary>
    /// The status for the counts of one sync. Disruptions are allowed only while the budget
    /// expects pods: a budget that matched nothing must not allow evicting its first pods before
    /// this controller has counted them.
    /// </summary>
    public static V1PodDisruptionBudgetStatus? Updated(V1PodDisruptionBudget pdb, ExpectedPodCount expected, BudgetHealth health, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pdb);
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(health);
        var allowed = expected.Expected > 0 ? Math.Max(0, health.CurrentHealthy - expected.DesiredHealthy) : 0;
        var old = pdb.Status ?? new V1PodDisruptionBudgetStatus();
        if (old.CurrentHealthy == health.CurrentHealthy
            && old.DesiredHealthy == expected.DesiredHealthy
            && old.ExpectedPods == expected.Expected
            && old.DisruptionsAllowed == allowed
            && SameEntries(old.DisruptedPods, health.DisruptedPods)
            && old.ObservedGeneration == pdb.Metadata.Generation
            && ConditionIsUpToDate(pdb))
        {
            return null;
        }
        var generation = pdb.Metadata.Generation;
        var status = new V1PodDisruptionBudgetStatus
        {
            CurrentHealthy = health.CurrentHealthy,
            DesiredHealthy = expected.DesiredHealthy,
            ExpectedPods = expected.Expected,
            DisruptionsAllowed = allowed,
            // Go omits an empty map; so do we.
            DisruptedPods = health.DisruptedPods.Count == 0 ? null : health.DisruptedPods.ToDictionary(e => e.Key, e => (DateTime?)e.Value, StringComparer.Ordinal),
            ObservedGeneration = generation,
            Conditions = CopyConditions(old.Conditions),
        };
        var sufficient = allowed > 0;
        SetCondition(status.Conditions, sufficient ? "True" : "False", sufficient ? SufficientPodsReason : InsufficientPodsReason, "", generation, now);
        return status;
    }

    /// <summary>
    /// failSafe: when the counts cannot be worked out, at least stop evictions: zero allowed
    /// disruptions and DisruptionAllowed False/SyncFailed with the error, the rest as it was.
    /// </summary>
    public static V1PodDisruptionBudgetStatus? FailSafe(V1PodDisruptionBudget pdb, string message, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pdb);
        var old = pdb.Status ?? new V1PodDisruptionBudgetStatus();
        var current = old.Conditions?.FirstOrDefault(c => c.Type == DisruptionAllowedCondition);
        if (old.DisruptionsAllowed == 0
            && current is { Status: "False", Reason: SyncFailedReason }
            && current.Message == message
            && current.ObservedGeneration == old.ObservedGeneration)
        {
            return null;
        }
        var status = new V1PodDisruptionBudgetStatus
        {
            CurrentHealthy = old.CurrentHealthy,
            DesiredHealthy = old.DesiredHealthy,
            ExpectedPods = old.ExpectedPods,
            DisruptionsAllowed = 0,
            DisruptedPods = old.DisruptedPods,
            ObservedGeneration = old.ObservedGeneration,
            Conditions = CopyConditions(old.Conditions),
        };
        // Upstream stamps the condition with the generation last observed, not the current one: this sync observed nothing.
        SetCondition(status.Conditions, "False", SyncFailedReason, message, old.ObservedGeneration, now);
        return status;
    }

    /// <summary>ConditionsAreUpToDate: the condition exists and agrees with disruptionsAllowed for the current generation.</summary>
    private static bool ConditionIsUpToDate(V1PodDisruptionBudget pdb)
    {
        var status = pdb.Status;
        if (status?.Conditions?.FirstOrDefault(c => c.Type == DisruptionAllowedCondition) is not { } condition
            || status.ObservedGeneration != pdb.Metadata.Generation)
        {
            return false;
        }
        return status.DisruptionsAllowed > 0
            ? condition is { Status: "True", Reason: SufficientPodsReason }
            : condition is { Status: "False", Reason: InsufficientPodsReason };
    }

    /// <summary>meta.SetStatusCondition: the transition time moves only when the status does; reason, message and generation always follow.</summary>
    private static void SetCondition(IList<V1Condition> conditions, string status, string reason, string message, long? observedGeneration, DateTimeOffset now)
    {
        var existing = conditions.FirstOrDefault(c => c.Type == DisruptionAllowedCondition);
        if (existing is null)
        {
            conditions.Add(new V1Condition
            {
                Type = DisruptionAllowedCondition,
                Status = status,
                Reason = reason,
                Message = message,
                ObservedGeneration = observedGeneration,
                LastTransitionTime = Seconds(now),
            });
            return;
        }
        if (existing.Status != status)
        {
            existing.Status = status;
            existing.LastTransitionTime = Seconds(now);
        }
        existing.Reason = reason;
        existing.Message = message;
        existing.ObservedGeneration = observedGeneration;
    }

    /// <summary>Copies of the conditions, so the cached budget is never changed.</summary>
    private static List<V1Condition> CopyConditions(IList<V1Condition>? conditions) =>
        conditions is null ? [] : [.. conditions.Select(c => new V1Condition
        {
            Type = c.Type,
            Status = c.Status,
            Reason = c.Reason,
            Message = c.Message ?? "",
            ObservedGeneration = c.ObservedGeneration,
            LastTransitionTime = c.LastTransitionTime,
        })];

    /// <summary>Nil and empty maps are equal, as apimachinery's semantic equality has it; kept entries are the recorded times, unchanged.</summary>
    private static bool SameEntries(IDictionary<string, DateTime?>? old, IReadOnlyDictionary<string, DateTime> current) =>
        (old?.Count ?? 0) == current.Count
        && current.All(e => old!.TryGetValue(e.Key, out var at) && at == e.Value);

    /// <summary>metav1.Time keeps whole seconds on the wire.</summary>
    private static DateTime Seconds(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
}
