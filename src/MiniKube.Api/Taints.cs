using k8s.Models;

namespace MiniKube.Api;

/// <summary>
/// The well-known taints (k8s.io/api/core/v1 well_known_taints.go) and effects that the API
/// server's defaults, the node lifecycle and DaemonSet controllers and the scheduler agree on,
/// and when two taints are the same one.
/// </summary>
public static class Taints
{
    public const string NotReady = "node.kubernetes.io/not-ready";
    public const string Unreachable = "node.kubernetes.io/unreachable";
    public const string Unschedulable = "node.kubernetes.io/unschedulable";
    public const string MemoryPressure = "node.kubernetes.io/memory-pressure";
    public const string DiskPressure = "node.kubernetes.io/disk-pressure";
    public const string PidPressure = "node.kubernetes.io/pid-pressure";
    public const string NetworkUnavailable = "node.kubernetes.io/network-unavailable";

    public const string NoSchedule = "NoSchedule";
    public const string PreferNoSchedule = "PreferNoSchedule";
    public const string NoExecute = "NoExecute";

    /// <summary>Whether two taints are the same one (key and effect), whatever their value and timeAdded (Taint.MatchTaint).</summary>
    public static bool Same(V1Taint a, V1Taint b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Key == b.Key && a.Effect == b.Effect;
    }
}
