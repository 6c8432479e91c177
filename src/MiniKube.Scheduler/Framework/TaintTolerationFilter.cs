using MiniKube.Scheduler.Cache;

namespace MiniKube.Scheduler.Framework;

/// <summary>
/// The node's first NoSchedule or NoExecute taint the pod does not tolerate keeps it off
/// (plugins/tainttoleration; PreferNoSchedule only affects scoring upstream). The reason names
/// the taint as "{key: value}", as Kubernetes 1.32 does.
/// </summary>
internal static class TaintTolerationFilter
{
    public static FilterFailure? Check(PodInfo pod, NodeInfo node)
    {
        foreach (var taint in node.Taints)
        {
            if (!Tolerations.Tolerate(pod.Tolerations, taint))
            {
                return FilterFailure.Of($"node(s) had untolerated taint {{{taint.Key}: {taint.Value}}}", unresolvable: true);
            }
        }
        return null;
    }
}
