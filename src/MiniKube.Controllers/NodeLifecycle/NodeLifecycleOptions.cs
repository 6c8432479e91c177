namespace MiniKube.Controllers.NodeLifecycle;

/// <summary>kube-controller-manager's node lifecycle flags, with their defaults.</summary>
public sealed record NodeLifecycleOptions
{
    /// <summary>--node-monitor-grace-period: how long a node may go without a lease renewal or status update before it is Unknown.</summary>
    public TimeSpan NodeMonitorGracePeriod { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>--node-startup-grace-period: the same for a node that has never posted a status.</summary>
    public TimeSpan NodeStartupGracePeriod { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// mkube's <c>--node-autonomy-duration</c>: how long the pods of an unreachable node whose kubelet
    /// runs them from its local copy (<see cref="WellKnownAnnotations.NodeAutonomy"/>) stay bound
    /// before taint-based eviction, counted from the unreachable taint as tolerationSeconds are;
    /// a pod's own longer toleration still counts. Zero: upstream's timing (the pods' tolerationSeconds alone).
    /// </summary>
    public TimeSpan AutonomyDuration { get; init; } = TimeSpan.FromHours(1);
}
