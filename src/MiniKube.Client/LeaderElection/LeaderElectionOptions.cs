namespace MiniKube.Client.LeaderElection;

/// <summary>
/// Settings of one <see cref="LeaderElector"/>, defaults as kube-scheduler and
/// kube-controller-manager use them (component-base/config LeaderElectionConfiguration).
/// </summary>
public sealed record LeaderElectionOptions
{
    /// <summary>The Lease's name, e.g. "kube-scheduler" or "kube-controller-manager".</summary>
    public required string LeaseName { get; init; }

    public string LeaseNamespace { get; init; } = "kube-system";

    /// <summary>Who we are in <c>spec.holderIdentity</c>: unique per process, hostname + "_" + a random suffix as upstream.</summary>
    public string Identity { get; init; } = $"{Environment.MachineName}_{Guid.NewGuid()}";

    /// <summary>How long standbys wait, after they last saw the record change, before taking over.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps retrying a failed renewal before it gives up leading.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often candidates try to acquire and the leader renews.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often a standby reads the Lease between its acquire attempts. Not upstream: a standby
    /// times the lease from when it first saw the last renewal, so reading only every retry
    /// period (with jitter, up to 4.4 s) would add that much to every takeover. Reads are cheap;
    /// takeover writes still happen only once the lease has expired.
    /// </summary>
    public TimeSpan ObservePeriod { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>On a graceful stop the leader empties the record so a standby takes over at once.</summary>
    public bool ReleaseOnCancel { get; init; } = true;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The checks of client-go's NewLeaderElector: a leader must give up before a standby may take over.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(LeaseName);
        ArgumentException.ThrowIfNullOrEmpty(LeaseNamespace);
        ArgumentException.ThrowIfNullOrEmpty(Identity);
        if (LeaseDuration <= RenewDeadline)
        {
            throw new ArgumentException("LeaseDuration must be greater than RenewDeadline");
        }
        if (RenewDeadline <= RetryPeriod * LeaderElector.JitterFactor)
        {
            throw new ArgumentException($"RenewDeadline must be greater than RetryPeriod × {LeaderElector.JitterFactor}");
        }
        if (LeaseDuration < TimeSpan.FromSeconds(1) || RetryPeriod <= TimeSpan.Zero)
        {
            throw new ArgumentException("LeaseDuration must be at least one second and RetryPeriod positive");
        }
    }
}
