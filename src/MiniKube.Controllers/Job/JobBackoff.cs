using k8s.Models;

namespace MiniKube.Controllers.Job;

/// <summary>
/// How long a Job waits before replacing failed pods (pkg/controller/job/backoff_utils.go):
/// 10 s after the last failure, doubling with each failure since the last success, at most
/// 10 minutes. Computed from the pods that still exist, so it survives a controller restart.
/// </summary>
public static class JobBackoff
{
    public static readonly TimeSpan Initial = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan Max = TimeSpan.FromMinutes(10);

    /// <summary>The delay still to wait at <paramref name="now"/>; zero or less when pods may be created.</summary>
    public static TimeSpan Remaining(IEnumerable<V1Pod> pods, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pods);
        var finished = pods.Where(PodState.IsFinished).ToList();
        var lastSuccess = finished.Where(p => p.Status.Phase == "Succeeded").Select(FinishTime).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        var failures = finished.Where(p => p.Status.Phase == "Failed").Select(FinishTime).Where(t => t > lastSuccess).ToList();
        if (failures.Count == 0)
        {
            return TimeSpan.Zero;
        }
        var delay = Initial;
        for (var i = 1; i < failures.Count && delay < Max; i++)
        {
            delay *= 2;
        }
        if (delay > Max)
        {
            delay = Max;
        }
        return failures.Max() + delay - now;
    }

    // Upstream falls back to "now" for a pod without any finish time; the creation time keeps this a pure function of the pods.
    private static DateTimeOffset FinishTime(V1Pod pod) =>
        PodState.FinishedAt(pod)
        ?? (pod.Metadata.CreationTimestamp is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : DateTimeOffset.MinValue);
}
