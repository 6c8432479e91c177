using System.Globalization;

namespace MiniKube.Scheduler.Framework;

/// <summary>
/// Collects why each node was rejected and words the result exactly as Kubernetes 1.32 does
/// (framework.FitError.Error in pkg/scheduler/framework/types.go, plus the PostFilter message of
/// plugins/defaultpreemption): "0/N nodes are available: " then "count reason" pairs sorted as
/// strings and joined by ", ", then the verdict of <see cref="Preemption"/> in the same shape,
/// or nothing when preemption nominated a node.
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

    /// <summary>A PreFilter plugin rejected the pod: no node was looked at, and evicting pods cannot help.</summary>
    public bool RejectedBeforeNodes => _preFilterMessage is not null;

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

    /// <summary>
    /// The message when preemption was not tried or found nothing to evict: preemptionPolicy=Never,
    /// else the verdict from the per-node reasons alone (see <see cref="NoVictimsVerdict"/>).
    /// </summary>
    public string Message(bool preemptionNever) =>
        Message(preemptionNever ? Preemption.NotEligibleNever : NoVictimsVerdict());

    /// <summary>
    /// The FitError message followed by " preemption: " and <paramref name="preemptionVerdict"/>;
    /// without that part when the verdict is null (preemption nominated a node).
    /// </summary>
    public string Message(string? preemptionVerdict)
    {
        if (AllNodes == 0)
        {
            return NoNodesAvailable;
        }
        var message = Summary();
        return preemptionVerdict is null ? message : message + " preemption: " + preemptionVerdict;
    }

    /// <summary>"0/N nodes are available: …" with the counted reasons (FitError.Error without the PostFilter part).</summary>
    public string Summary() =>
        _preFilterMessage is null
            ? Available(_reasons)
            : string.Create(CultureInfo.InvariantCulture, $"0/{AllNodes} nodes are available: {_preFilterMessage}.");

    /// <summary>
    /// What upstream's preemption reports when no node has a lower-priority pod to evict: nodes
    /// rejected for unresolvable reasons → "Preemption is not helpful for scheduling", the rest →
    /// "No preemption victims found for incoming pod".
    /// </summary>
    public string NoVictimsVerdict()
    {
        var verdicts = new Dictionary<string, int>(StringComparer.Ordinal);
        if (_unresolvableNodes > 0)
        {
            verdicts[Preemption.NotHelpful.Reasons[0]] = _unresolvableNodes;
        }
        if (_resolvableNodes > 0)
        {
            verdicts[Preemption.NoVictims.Reasons[0]] = _resolvableNodes;
        }
        return Available(verdicts);
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
