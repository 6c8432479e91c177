using k8s.Models;

namespace MiniKube.Api;

/// <summary>
/// Whether a node satisfies a pod's spec.nodeSelector and required node affinity, or a
/// volume's node affinity (component-helpers/scheduling/corev1/nodeaffinity). Node selector
/// terms are ORed; within a term, matchExpressions (on labels) and matchFields (only
/// metadata.name) are ANDed; a term with neither matches no node. The requirement operators
/// mean what they mean in a label selector (<see cref="LabelRequirement"/>), plus Gt/Lt on
/// integer labels. Used by the scheduler, the DaemonSet and PersistentVolume controllers.
/// </summary>
public static class NodeAffinity
{
    /// <summary>The one field a matchFields requirement may name.</summary>
    public const string NodeNameField = "metadata.name";

    /// <summary>spec.nodeSelector and the required node affinity both hold for the node (GetRequiredNodeAffinity(pod).Match).</summary>
    public static bool PodMatches(V1PodSpec spec, string nodeName, IDictionary<string, string>? nodeLabels)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return MatchesNodeSelector(spec.NodeSelector, nodeLabels)
            && MatchesRequired(spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution, nodeName, nodeLabels);
    }

    /// <summary>spec.nodeSelector: every key=value must be among the node's labels; absent requires nothing.</summary>
    public static bool MatchesNodeSelector(IDictionary<string, string>? nodeSelector, IDictionary<string, string>? nodeLabels) =>
        nodeSelector is null
        || nodeSelector.All(pair => nodeLabels is not null && nodeLabels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    /// <summary>
    /// A required node selector (a pod's required node affinity, a volume's
    /// spec.nodeAffinity.required): absent (or without a term list) requires nothing; otherwise
    /// some term must match.
    /// </summary>
    public static bool MatchesRequired(V1NodeSelector? required, string nodeName, IDictionary<string, string>? nodeLabels) =>
        required?.NodeSelectorTerms is not { } terms || terms.Any(term => TermMatches(term, nodeName, nodeLabels));

    /// <summary>One node selector term; an empty one matches nothing, as upstream.</summary>
    public static bool TermMatches(V1NodeSelectorTerm term, string nodeName, IDictionary<string, string>? nodeLabels)
    {
        ArgumentNullException.ThrowIfNull(term);
        var expressions = term.MatchExpressions ?? [];
        var fields = term.MatchFields ?? [];
        if (expressions.Count == 0 && fields.Count == 0)
        {
            return false;
        }

        foreach (var requirement in expressions)
        {
            string? value = null;
            var exists = nodeLabels is not null && nodeLabels.TryGetValue(requirement.Key, out value);
            if (!RequirementMatches(requirement, exists, value))
            {
                return false;
            }
        }

        return fields.All(requirement => requirement.Key == NodeNameField && RequirementMatches(requirement, true, nodeName));
    }

    private static bool RequirementMatches(V1NodeSelectorRequirement requirement, bool exists, string? value)
    {
        LabelOperator? op = requirement.OperatorProperty switch
        {
            "In" => LabelOperator.In,
            "NotIn" => LabelOperator.NotIn,
            "Exists" => LabelOperator.Exists,
            "DoesNotExist" => LabelOperator.DoesNotExist,
            "Gt" => LabelOperator.GreaterThan,
            "Lt" => LabelOperator.LessThan,
            _ => null,
        };
        return op is { } known && LabelRequirement.Evaluate(known, requirement.Values ?? [], exists, value);
    }
}
