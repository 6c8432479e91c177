using k8s.Models;

namespace MiniKube.Controllers.Common;

/// <summary>
/// The questions workload controllers ask about a pod's state (pkg/api/v1/pod/util.go IsPodReady,
/// IsPodAvailable; pkg/controller/controller_utils.go IsPodActive, IsPodTerminating). Reads only.
/// </summary>
public static class PodState
{
    /// <summary>Succeeded or Failed: the pod will not run again.</summary>
    public static bool IsFinished(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return pod.Status?.Phase is "Succeeded" or "Failed";
    }

    /// <summary>Not finished and not being deleted: the pod counts towards a workload's replicas.</summary>
    public static bool IsActive(V1Pod pod) => !IsFinished(pod) && pod.Metadata.DeletionTimestamp is null;

    /// <summary>Being deleted but not finished yet.</summary>
    public static bool IsTerminating(V1Pod pod) => !IsFinished(pod) && pod.Metadata.DeletionTimestamp is not null;

    /// <summary>The pod's Ready condition is True.</summary>
    public static bool IsReady(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return ReadyCondition(pod)?.Status == "True";
    }

    /// <summary>Running and Ready.</summary>
    public static bool IsRunningAndReady(V1Pod pod) => pod.Status?.Phase == "Running" && IsReady(pod);

    /// <summary>Ready for at least <paramref name="minReadySeconds"/> at <paramref name="now"/>.</summary>
    public static bool IsAvailable(V1Pod pod, int minReadySeconds, DateTimeOffset now)
    {
        if (!IsReady(pod))
        {
            return false;
        }
        if (minReadySeconds <= 0)
        {
            return true;
        }
        var since = ReadyCondition(pod)?.LastTransitionTime;
        return since is { } t && new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)).AddSeconds(minReadySeconds) <= now;
    }

    /// <summary>How long until the first of <paramref name="pods"/> that is ready but not yet available becomes available (plus a little, to land after it); null when none will.</summary>
    public static TimeSpan? UntilNextAvailable(IEnumerable<V1Pod> pods, int minReadySeconds, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pods);
        if (minReadySeconds <= 0)
        {
            return null;
        }
        var waits = pods
            .Where(p => IsReady(p) && !IsAvailable(p, minReadySeconds, now))
            .Select(p => ReadyCondition(p)?.LastTransitionTime)
            .Where(t => t is not null)
            .Select(t => new DateTimeOffset(DateTime.SpecifyKind(t!.Value, DateTimeKind.Utc)).AddSeconds(minReadySeconds) - now)
            .ToList();
        return waits.Count == 0 ? null : waits.Min() + TimeSpan.FromMilliseconds(100);
    }

    /// <summary>When the pod finished: its last container's finish time, else when Ready went False, else when deletion began (pkg/controller/job/backoff_utils.go getFinishedTime).</summary>
    public static DateTimeOffset? FinishedAt(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var finished = pod.Status?.ContainerStatuses?
            .Select(c => c.State?.Terminated?.FinishedAt)
            .Where(t => t is not null)
            .Max();
        finished ??= ReadyCondition(pod) is { Status: "False" } ready ? ready.LastTransitionTime : null;
        finished ??= pod.Metadata.DeletionTimestamp;
        return finished is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;
    }

    private static V1PodCondition? ReadyCondition(V1Pod pod) => pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
}
