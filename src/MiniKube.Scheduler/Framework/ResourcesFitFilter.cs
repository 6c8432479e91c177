using MiniKube.Scheduler.Cache;

namespace MiniKube.Scheduler.Framework;

/// <summary>
/// The pod's requests must fit in the node's allocatable minus what its pods already request,
/// and the node's pod count must stay within allocatable "pods" (plugins/noderesources/fit.go).
/// Every shortfall is a reason of its own ("Insufficient cpu", "Too many pods" ...).
/// </summary>
internal static class ResourcesFitFilter
{
    public static FilterFailure? Check(PodInfo pod, NodeInfo node)
    {
        List<string>? reasons = null;
        if (node.PodCount + 1 > node.AllowedPods)
        {
            (reasons ??= []).Add("Too many pods");
        }
        var request = pod.Requests;
        if (!request.IsZero)
        {
            var allocatable = node.Allocatable;
            var requested = node.Requested;
            if (allocatable.MilliCpu < request.MilliCpu + requested.MilliCpu)
            {
                (reasons ??= []).Add("Insufficient cpu");
            }
            if (allocatable.Memory < request.Memory + requested.Memory)
            {
                (reasons ??= []).Add("Insufficient memory");
            }
            if (allocatable.EphemeralStorage < request.EphemeralStorage + requested.EphemeralStorage)
            {
                (reasons ??= []).Add("Insufficient ephemeral-storage");
            }
            foreach (var (name, amount) in request.Scalars ?? [])
            {
                if (allocatable.Scalar(name) < amount + requested.Scalar(name))
                {
                    (reasons ??= []).Add("Insufficient " + name);
                }
            }
        }
        return reasons is null ? null : new FilterFailure(reasons, unresolvable: false);
    }
}
