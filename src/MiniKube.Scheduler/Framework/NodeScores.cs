using MiniKube.Scheduler.Cache;

namespace MiniKube.Scheduler.Framework;

/// <summary>
/// The scores that rank feasible nodes, each 0–100 like upstream's framework.MaxNodeScore, and
/// their weights in the default profile (pkg/scheduler/apis/config/v1/default_plugins.go).
/// </summary>
internal static class NodeScores
{
    public const int MaxScore = 100;

    /// <summary>NodeResourcesFit's weight.</summary>
    public const int LeastAllocatedWeight = 1;

    /// <summary>PodTopologySpread's weight; its system default constraints spread a controller's pods over hostnames.</summary>
    public const int OwnerSpreadWeight = 2;

    /// <summary>TaintToleration's weight (PreferNoSchedule).</summary>
    public const int PreferNoScheduleWeight = 3;

    /// <summary>
    /// Least-allocated (plugins/noderesources/least_allocated.go): the free share of CPU and of
    /// memory once the pod is added, averaged with equal weights. Requests count with the defaults
    /// for containers that set none, so empty pods spread too.
    /// </summary>
    public static long LeastAllocated(PodInfo pod, NodeInfo node)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(node);
        var cpu = FreeShare(node.NonZeroMilliCpu + pod.NonZeroMilliCpu, node.Allocatable.MilliCpu);
        var memory = FreeShare(node.NonZeroMemory + pod.NonZeroMemory, node.Allocatable.Memory);
        return (cpu + memory) / 2;
    }

    /// <summary>
    /// Spreading the pods of one controller over nodes: a node with fewer of the owner's pods
    /// scores higher, scaled against the busiest candidate (as upstream's SelectorSpread normalized).
    /// A pod without a controller scores every node the same.
    /// </summary>
    public static long OwnerSpread(int ownerPodsOnNode, int maxOwnerPodsOnCandidates) =>
        maxOwnerPodsOnCandidates == 0 ? MaxScore : (long)MaxScore * (maxOwnerPodsOnCandidates - ownerPodsOnNode) / maxOwnerPodsOnCandidates;

    /// <summary>How many PreferNoSchedule taints of the node the pod does not tolerate.</summary>
    public static int IntolerablePreferNoSchedule(PodInfo pod, NodeInfo node)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(node);
        var count = 0;
        foreach (var taint in node.PreferNoScheduleTaints)
        {
            if (!Tolerations.Tolerate(pod.Tolerations, taint))
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>upstream DefaultNormalizeScore with reverse: fewest intolerable taints → 100.</summary>
    public static long PreferNoSchedule(int count, int maxCount) =>
        maxCount == 0 ? MaxScore : (long)MaxScore * (maxCount - count) / maxCount;

    private static long FreeShare(long requested, long capacity) =>
        capacity == 0 || requested > capacity ? 0 : (capacity - requested) * MaxScore / capacity;
}
