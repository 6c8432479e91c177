using k8s.Models;

namespace MiniKube.Controllers.ReplicaSet;

/// <summary>
/// What workload controllers read from a pod's status (pkg/api/v1/pod/util.go IsPodReady,
/// IsPodAvailable; pkg/controller/controller_utils.go IsPodActive). Reads only.
/// </summary>
public static class PodReadiness
{
    /// <summary>Not Succeeded, not Failed and not being deleted: the pod counts towards its owner's replicas.</summary>
    public static bool IsActive(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return pod.Status?.Phase is not ("Succeeded" or "Failed") && pod.Metadata.DeletionTimestamp is null;
    }

    /// <summary>The pod's Ready condition is True.</summary>
    public static bool IsReady(V1Pod pod) => ReadyCondition(pod)?.Status == "True";

    /// <summary>When the pod last became Ready, or null when it is not Ready or the time is unknown.</summary>
    public static DateTime? ReadySince(V1Pod pod) =>
        ReadyCondition(pod) is { Status: "True", LastTransitionTime: { } since } ? DateTime.SpecifyKind(since, DateTimeKind.Utc) : null;

    /// <summary>Ready for more than <paramref name="minReadySeconds"/> at <paramref name="now"/> (any Ready pod when it is 0).</summary>
    public static bool IsAvailable(V1Pod pod, int minReadySeconds, DateTimeOffset now)
    {
        if (!IsReady(pod))
        {
            return false;
        }
        return minReadySeconds <= 0 || (ReadySince(pod) is { } since && since.AddSeconds(minReadySeconds) < now.UtcDateTime);
    }

    private static V1PodCondition? ReadyCondition(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
    }
}
