namespace MiniKube.Scheduler.Framework;

/// <summary>
/// Why one node cannot take a pod: the reasons worded exactly as upstream's filter plugins word
/// them (they end up counted in the FailedScheduling message), and whether the failure is
/// "unresolvable" — one that evicting pods from the node could never fix, which upstream's
/// preemption reports as "Preemption is not helpful for scheduling".
/// </summary>
internal sealed class FilterFailure(IReadOnlyList<string> reasons, bool unresolvable)
{
    public IReadOnlyList<string> Reasons { get; } = reasons;

    public bool Unresolvable { get; } = unresolvable;

    /// <summary>Set when the pod's own required pod affinity failed: a new pod elsewhere may resolve it.</summary>
    public bool PodAffinity { get; init; }

    public static FilterFailure Of(string reason, bool unresolvable) => new([reason], unresolvable);
}
