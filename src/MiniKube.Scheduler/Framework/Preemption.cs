using MiniKube.Scheduler.Cache;

namespace MiniKube.Scheduler.Framework;

/// <summary>A node where evicting <see cref="Victims"/> (most important first) lets the pod fit.</summary>
internal sealed record PreemptionPlan(NodeInfo Node, IReadOnlyList<PodInfo> Victims);

/// <summary>
/// What preemption decided for a pod no node fits: a <see cref="Plan"/>, or the
/// <see cref="Verdict"/> that follows "preemption: " in the FailedScheduling message; and the
/// node the pod's status.nominatedNodeName should name (null clears it).
/// </summary>
internal sealed record PreemptionResult(PreemptionPlan? Plan, string? Verdict, string? NominatedNode = null);

/// <summary>
/// The default profile's PostFilter, DefaultPreemption (pkg/scheduler/framework/preemption and
/// plugins/defaultpreemption of v1.32), for a pod that fits nowhere: on each node whose failure
/// evicting pods could fix, remove every pod of lower priority; if the pod then fits, give back
/// the most important of them (higher priority, then the earlier start) one by one while it still
/// fits; the rest are that node's victims. Among the nodes with victims it picks the one whose
/// most important victim has the lowest priority, then the lowest sum of victim priorities, then
/// the fewest victims. Not eligible: preemptionPolicy Never, or a nominated node where a
/// lower-priority pod this scheduler preempted is still terminating (the room is coming).
/// <para>
/// Simplified against upstream: PodDisruptionBudgets are not weighed, pods nominated to a node
/// do not hold its room for themselves, pods being bound (assumed) are never victims, and the
/// anti-affinity of victims is not lifted in the dry run (a node refused for anti-affinity stays
/// refused). Runs under the scheduler's lock; the dry run changes a node's aggregates and puts
/// them back before it returns.
/// </para>
/// </summary>
internal static class Preemption
{
    /// <summary>The condition a victim gets before it is deleted (v1.DisruptionTarget).</summary>
    public const string DisruptionTarget = "DisruptionTarget";

    /// <summary>v1.PodReasonPreemptionByScheduler.</summary>
    public const string PreemptionByScheduler = "PreemptionByScheduler";

    public const string NotEligibleNever = "not eligible due to preemptionPolicy=Never.";

    public const string NotEligibleTerminating = "not eligible due to a terminating pod on the nominated node.";

    public static FilterFailure NotHelpful { get; } = FilterFailure.Of("Preemption is not helpful for scheduling", unresolvable: true);

    public static FilterFailure NoVictims { get; } = FilterFailure.Of("No preemption victims found for incoming pod", unresolvable: true);

    /// <param name="diagnosis">Why no node fit, from the decision that just failed.</param>
    /// <param name="volumes">What volume binding found for the pod; null for pods without claims.</param>
    public static PreemptionResult Evaluate(PodInfo pod, SchedulerCache cache, FitDiagnosis diagnosis, PodVolumes? volumes)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(diagnosis);
        if (pod.PreemptionNever)
        {
            return new(null, NotEligibleNever);
        }
        // The common case costs nothing more: with no pod of lower priority there is nothing to evict.
        if (!cache.HasPodBelow(pod.Priority) || diagnosis.RejectedBeforeNodes)
        {
            return new(null, diagnosis.NoVictimsVerdict());
        }
        var affinity = InterPodAffinityFilter.For(pod, cache);
        if (TerminatingOnNominatedNode(pod, cache, affinity, volumes))
        {
            // Upstream returns no PostFilter result here, which keeps the nomination.
            return new(null, NotEligibleTerminating, pod.Pod.Status!.NominatedNodeName);
        }
        var lower = LowerPriorityPodsByNode(pod, cache);
        var outcomes = new FitDiagnosis(cache.Nodes.Count);
        var candidates = new List<PreemptionPlan>();
        foreach (var node in cache.Nodes)
        {
            var failure = Placer.Filter(pod, node, affinity, volumes);
            if (failure is null || failure.Unresolvable)
            {
                outcomes.Add(NotHelpful);
            }
            else if (!lower.TryGetValue(node.Name, out var onNode))
            {
                outcomes.Add(NoVictims);
            }
            else if (SelectVictims(pod, node, onNode, affinity, volumes, out var stillFailing) is { } plan)
            {
                candidates.Add(plan);
            }
            else
            {
                outcomes.Add(stillFailing!);
            }
        }
        if (candidates.Count == 0)
        {
            return new(null, outcomes.Summary());
        }
        var best = Best(candidates);
        return new(best, null, best.Node.Name);
    }

    /// <summary>MoreImportantPod: higher priority first, then the one that started earlier (a pod not started yet counts as starting now).</summary>
    public static int CompareImportance(PodInfo x, PodInfo y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var byPriority = y.Priority.CompareTo(x.Priority);
        return byPriority != 0 ? byPriority : StartTime(x).CompareTo(StartTime(y));
    }

    /// <summary>podTerminatingByPreemption: being deleted after this scheduler marked it DisruptionTarget.</summary>
    public static bool TerminatingByPreemption(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return pod.Metadata.DeletionTimestamp is not null
            && pod.Status?.Conditions?.FirstOrDefault(c => c.Type == DisruptionTarget) is { Status: "True", Reason: PreemptionByScheduler };
    }

    private static DateTime StartTime(PodInfo pod) => pod.Pod.Status?.StartTime ?? DateTime.MaxValue;

    // PodEligibleToPreemptOthers: wait while an earlier preemption's victims are leaving the
    // nominated node, unless that node can no longer take the pod at all.
    private static bool TerminatingOnNominatedNode(PodInfo pod, SchedulerCache cache, InterPodAffinityFilter? affinity, PodVolumes? volumes)
    {
        if (pod.Pod.Status?.NominatedNodeName is not { Length: > 0 } nominated || cache.Node(nominated) is not { } node)
        {
            return false;
        }
        if (Placer.Filter(pod, node, affinity, volumes) is { Unresolvable: true })
        {
            return false;
        }
        return cache.Pods.Values.Any(p => p.NodeName == nominated && p.Priority < pod.Priority && TerminatingByPreemption(p.Pod));
    }

    private static Dictionary<string, List<PodInfo>> LowerPriorityPodsByNode(PodInfo pod, SchedulerCache cache)
    {
        var byNode = new Dictionary<string, List<PodInfo>>(StringComparer.Ordinal);
        foreach (var (key, placed) in cache.Pods)
        {
            if (placed.Priority >= pod.Priority || cache.IsAssumed(key) || placed.NodeName is not { } nodeName)
            {
                continue;
            }
            if (!byNode.TryGetValue(nodeName, out var list))
            {
                byNode[nodeName] = list = [];
            }
            list.Add(placed);
        }
        return byNode;
    }

    // selectVictimsOnNode: the dry run on the node's own aggregates, restored before returning.
    private static PreemptionPlan? SelectVictims(PodInfo pod, NodeInfo node, List<PodInfo> lower, InterPodAffinityFilter? affinity, PodVolumes? volumes, out FilterFailure? stillFailing)
    {
        var removed = new List<PodInfo>(lower);
        foreach (var victim in removed)
        {
            node.RemovePod(victim);
        }
        try
        {
            stillFailing = Placer.Filter(pod, node, affinity, volumes);
            if (stillFailing is not null)
            {
                return null;
            }
            removed.Sort(CompareImportance);
            var victims = new List<PodInfo>();
            foreach (var candidate in removed)
            {
                node.AddPod(candidate);
                if (Placer.Filter(pod, node, affinity, volumes) is not null)
                {
                    node.RemovePod(candidate);
                    victims.Add(candidate);
                }
            }
            removed = victims;
            return new PreemptionPlan(node, victims);
        }
        finally
        {
            foreach (var victim in removed)
            {
                node.AddPod(victim);
            }
        }
    }

    // pickOneNodeForPreemption with the default score functions PDBs aside.
    private static PreemptionPlan Best(List<PreemptionPlan> candidates) =>
        candidates
            .OrderBy(c => c.Victims.Count == 0 ? int.MinValue : c.Victims[0].Priority)
            .ThenBy(c => c.Victims.Sum(v => (long)v.Priority + int.MaxValue + 1))
            .ThenBy(c => c.Victims.Count)
            .First();
}
