using System.Globalization;

namespace MiniKube.Scheduler.Framework;

/// <summary>
/// Collects why each node was rejected and words the result exactly as Kubernetes 1.32 does
/// (framework.FitError.Error in pkg/scheduler/framework/types.go, plus the PostFilter message of
/// plugins/defaultpreemption): "0/N nodes are available: " then "count reason" pairs sorted as
/// strings and joined by ", ", then the preemption verdict in the same shape. We never preempt, so
/// the verdict is what upstream's preemption reports when it finds no victims: nodes rejected for
/// unresolvable reasons → "Preemption is not helpful for scheduling", the rest → "No preemption
/// victims found for incoming pod" (true while pods share one priority).
/// </summary>
internal sealed class FitDiagnosis(int allNodes)
{
    /// <summary>upstream ErrNoNodesAvailable: the message when the cluster has no nodes at all.</summary>
    public const string NoNodesAvailable = "no nodes available to schedule pods";

    private readonly Dictionary<string, int> _reasons = new(StringComparer.Ordinal);
    private string? _preFilterMessage;
    private int _unresolvableNodes;
    private int _resolvableNodes;

    public int AllNodes { get; } = allNodes;

    /// <summary>Some node failed the pod's own pod-affinity: a newly placed pod may change the verdict.</summary>
    public bool WaitsForPodAffinity { get; private set; }

    /// <summary>
    /// A PreFilter plugin rejected the pod before any node was looked at: upstream prints its
    /// message instead of the per-node reasons, and every node counts as unresolvable.
    /// </summary>
    public static FitDiagnosis PreFilterRejected(int allNodes, string message) =>
        new(allNodes) { _preFilterMessage = message, _unresolvableNodes = allNodes };

    public void Add(FilterFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        foreach (var reason in failure.Reasons)
        {
            _reasons[reason] = _reasons.GetValueOrDefault(reason) + 1;
        }
        if (failure.Unresolvable)
        {
            _unresolvableNodes++;
        }
        else
        {
            _resolvableNodes++;
        }
        WaitsForPodAffinity |= failure.PodAffinity;
    }

    public string Message(bool preemptionNever)
    {
        if (AllNodes == 0)
        {
            return NoNodesAvailable;
        }
        var message = _preFilterMessage is null
            ? Available(_reasons)
            : string.Create(CultureInfo.InvariantCulture, $"0/{AllNodes} nodes are available: {_preFilterMessage}.");
        if (preemptionNever)
        {
            return message + " preemption: not eligible due to preemptionPolicy=Never.";
        }
        var verdicts = new Dictionary<string, int>(StringComparer.Ordinal);
        if (_unresolvableNodes > 0)
        {
            verdicts["Preemption is not helpful for scheduling"] = _unresolvableNodes;
        }
        if (_resolvableNodes > 0)
        {
            verdicts["No preemption victims found for incoming pod"] = _resolvableNodes;
        }
        return message + " preemption: " + Available(verdicts);
    }

    private string Available(Dictionary<string, int> reasons)
    {
        // Go's sort.Strings compares bytes: ordinal, so "1 x" < "2 y" < "10 z" is not numeric order either.
        var histogram = reasons.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Value} {r.Key}")).Order(StringComparer.Ordinal);
        var prefix = string.Create(CultureInfo.InvariantCulture, $"0/{AllNodes} nodes are available:");
        var joined = string.Join(", ", histogram);
        return joined.Length == 0 ? prefix : $"{prefix} {joined}.";
    }
}
