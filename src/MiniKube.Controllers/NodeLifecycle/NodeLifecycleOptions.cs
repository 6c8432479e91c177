namespace MiniKube.Controllers.NodeLifecycle;

/// <summary>kube-controller-manager's node lifecycle flags, with their defaults.</summary>
public sealed record NodeLifecycleOptions
{
    /// <summary>--node-monitor-grace-period: how long a node may go without a lease renewal or status update before it is Unknown.</summary>
    public TimeSpan NodeMonitorGracePeriod { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>--node-startup-grace-period: the same for a node that has never posted a status.</summary>
    public TimeSpan NodeStartupGracePeriod { get; init; } = TimeSpan.FromSeconds(60);
}
