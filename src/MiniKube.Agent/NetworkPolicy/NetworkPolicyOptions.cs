namespace MiniKube.Agent.NetworkPolicy;

/// <summary>Settings of a node's network policy controller (kube-router's --iptables-sync-period is 5 min; ours is shorter because a sync is cheap).</summary>
public sealed record NetworkPolicyOptions
{
    /// <summary>The node whose pods are enforced on.</summary>
    public required string NodeName { get; init; }

    /// <summary>Prefix of every chain and set (tests use their own).</summary>
    public string Prefix { get; init; } = PolicyNames.DefaultPrefix;

    /// <summary>The least time between two syncs, however fast pods change (kube-proxy's --iptables-min-sync-period): a sync compiles every policy.</summary>
    public TimeSpan MinSyncInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the rules are written even without a change, so rules removed by hand come back and the hooks stay first.</summary>
    public TimeSpan SyncPeriod { get; init; } = TimeSpan.FromSeconds(30);

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
