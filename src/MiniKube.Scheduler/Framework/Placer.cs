using MiniKube.Scheduler.Cache;

namespace MiniKube.Scheduler.Framework;

/// <summary>The outcome of one decision: the chosen node, or the diagnosis of why none fits.</summary>
internal sealed record Placement(NodeInfo? Node, FitDiagnosis? Diagnosis);

/// <summary>
/// One scheduling decision (upstream schedule_one.go schedulePod): filter nodes in turn from a
/// rotating start until enough feasible ones are found (<see cref="FeasibleNodeCount"/>), score
/// those, and take the best, breaking ties at random. Filters run in the default profile's order
/// and a node's first failing filter is its reason, as upstream's framework stops at the first.
/// Must be called under the cache's lock; it reads aggregates, it never changes them.
/// </summary>
internal sealed class Placer(Random random)
{
    private readonly List<NodeInfo> _feasible = [];
    private int _nextStart;

    /// <param name="volumes">What volume binding found for the pod; null for pods without claims.</param>
    public Placement Place(PodInfo pod, SchedulerCache cache, PodVolumes? volumes = null)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(cache);
        var nodes = cache.Nodes;
        var diagnosis = new FitDiagnosis(nodes.Count);
        if (nodes.Count == 0)
        {
            return new Placement(null, diagnosis);
        }
        var affinity = InterPodAffinityFilter.For(pod, cache);
        var wanted = FeasibleNodeCount.For(nodes.Count);
        _feasible.Clear();
        var start = _nextStart % nodes.Count;
        var examined = 0;
        while (examined < nodes.Count && _feasible.Count < wanted)
        {
            var node = nodes[(start + examined) % nodes.Count];
            examined++;
            if (Filter(pod, node, affinity, volumes) is { } failure)
            {
                diagnosis.Add(failure);
            }
            else
            {
                _feasible.Add(node);
            }
        }
        _nextStart = (start + examined) % nodes.Count;
        return _feasible.Count switch
        {
            0 => new Placement(null, diagnosis),
            1 => new Placement(_feasible[0], null),
            _ => new Placement(Best(pod, _feasible), null),
        };
    }

    /// <summary>The default profile's filters in order: NodeUnschedulable, TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit, VolumeBinding, InterPodAffinity.</summary>
    public static FilterFailure? Filter(PodInfo pod, NodeInfo node, InterPodAffinityFilter? affinity, PodVolumes? volumes = null) =>
        NodeUnschedulableFilter.Check(pod, node)
        ?? TaintTolerationFilter.Check(pod, node)
        ?? NodeAffinityFilter.Check(pod, node)
        ?? NodePortsFilter.Check(pod, node)
        ?? ResourcesFitFilter.Check(pod, node)
        ?? (volumes is null ? null : VolumeBinding.Check(volumes, node))
        ?? affinity?.Check(node);

    private NodeInfo Best(PodInfo pod, List<NodeInfo> candidates)
    {
        var maxOwnerPods = 0;
        var maxPreferNoSchedule = 0;
        foreach (var node in candidates)
        {
            maxOwnerPods = Math.Max(maxOwnerPods, node.OwnerCount(pod.OwnerUid));
            if (node.PreferNoScheduleTaints.Count > 0)
            {
                maxPreferNoSchedule = Math.Max(maxPreferNoSchedule, NodeScores.IntolerablePreferNoSchedule(pod, node));
            }
        }
        NodeInfo best = candidates[0];
        var bestScore = long.MinValue;
        var ties = 0;
        foreach (var node in candidates)
        {
            var score = (NodeScores.LeastAllocatedWeight * NodeScores.LeastAllocated(pod, node))
                + (NodeScores.OwnerSpreadWeight * NodeScores.OwnerSpread(node.OwnerCount(pod.OwnerUid), maxOwnerPods))
                + (NodeScores.PreferNoScheduleWeight * NodeScores.PreferNoSchedule(node.PreferNoScheduleTaints.Count == 0 ? 0 : NodeScores.IntolerablePreferNoSchedule(pod, node), maxPreferNoSchedule));
            if (score > bestScore)
            {
                (best, bestScore, ties) = (node, score, 1);
            }
            else if (score == bestScore && random.Next(++ties) == 0)
            {
                // Reservoir sampling: each of the tied nodes ends up chosen with equal chance (upstream selectHost).
                best = node;
            }
        }
        return best;
    }
}
