using MiniKube.Scheduler.Cache;

namespace MiniKube.Scheduler.Framework;

/// <summary>spec.nodeSelector and required node affinity must both match the node (plugins/nodeaffinity).</summary>
internal static class NodeAffinityFilter
{
    private static readonly FilterFailure Failure = FilterFailure.Of("node(s) didn't match Pod's node affinity/selector", unresolvable: true);

    public static FilterFailure? Check(PodInfo pod, NodeInfo node)
    {
        var spec = pod.Pod.Spec;
        if (spec is null)
        {
            return null;
        }
        return NodeAffinity.PodMatches(spec, node.Name, node.Labels) ? null : Failure;
    }
}
