using MiniKube.Scheduler.Cache;

namespace MiniKube.Scheduler.Framework;

/// <summary>A cordoned node (spec.unschedulable) takes only pods that tolerate its taint (plugins/nodeunschedulable).</summary>
internal static class NodeUnschedulableFilter
{
    private static readonly FilterFailure Failure = FilterFailure.Of("node(s) were unschedulable", unresolvable: true);

    private static readonly V1Taint UnschedulableTaint = new() { Key = Taints.Unschedulable, Effect = Taints.NoSchedule };

    public static FilterFailure? Check(PodInfo pod, NodeInfo node) =>
        node.Unschedulable && !Tolerations.Tolerate(pod.Tolerations, UnschedulableTaint) ? Failure : null;
}
