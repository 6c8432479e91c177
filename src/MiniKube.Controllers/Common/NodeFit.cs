using System.Globalization;
using k8s.Models;

namespace MiniKube.Controllers.Common;

/// <summary>
/// Whether a pod spec may land on a node by labels, fields and taints (the scheduler's
/// NodeAffinity and TaintToleration filters, as pkg/controller/daemon reuses them through
/// component-helpers/scheduling/corev1). Reads only; resources and ports are not considered.
/// </summary>
public static class NodeFit
{
    /// <summary>spec.nodeSelector and the required node affinity both hold for <paramref name="node"/>.</summary>
    public static bool MatchesNodeSelectorAndAffinity(V1PodSpec spec, V1Node node)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(node);
        var labels = node.Metadata.Labels ?? new Dictionary<string, string>();
        if (spec.NodeSelector?.Any(p => !labels.TryGetValue(p.Key, out var v) || v != p.Value) == true)
        {
            return false;
        }
        var terms = spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms;
        // Terms are OR-ed; a term with no requirement matches nothing.
        return terms is null || terms.Any(t => TermMatches(t, node, labels));
    }

    /// <summary>The first taint with one of <paramref name="effects"/> that no toleration tolerates, or null.</summary>
    public static V1Taint? FirstUntolerated(IEnumerable<V1Taint>? taints, IEnumerable<V1Toleration>? tolerations, params string[] effects)
    {
        var list = tolerations?.ToList() ?? [];
        return taints?.FirstOrDefault(taint => effects.Contains(taint.Effect) && !list.Any(t => Tolerates(t, taint)));
    }

    /// <summary>apimachinery's Toleration.ToleratesTaint.</summary>
    public static bool Tolerates(V1Toleration toleration, V1Taint taint)
    {
        ArgumentNullException.ThrowIfNull(toleration);
        ArgumentNullException.ThrowIfNull(taint);
        if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != taint.Effect)
        {
            return false;
        }
        if (!string.IsNullOrEmpty(toleration.Key) && toleration.Key != taint.Key)
        {
            return false;
        }
        return toleration.OperatorProperty switch
        {
            "Exists" => true,
            null or "" or "Equal" => string.IsNullOrEmpty(toleration.Key) ? false : (toleration.Value ?? "") == (taint.Value ?? ""),
            _ => false,
        };
    }

    private static bool TermMatches(V1NodeSelectorTerm term, V1Node node, IDictionary<string, string> labels)
    {
        var expressions = term.MatchExpressions ?? [];
        var fields = term.MatchFields ?? [];
        if (expressions.Count == 0 && fields.Count == 0)
        {
            return false;
        }
        return expressions.All(r => RequirementMatches(r, labels.TryGetValue(r.Key, out var v) ? v : null))
            && fields.All(r => r.Key == "metadata.name" && RequirementMatches(r, node.Metadata.Name));
    }

    private static bool RequirementMatches(V1NodeSelectorRequirement requirement, string? value)
    {
        var values = requirement.Values ?? [];
        return requirement.OperatorProperty switch
        {
            "In" => value is not null && values.Contains(value),
            "NotIn" => value is null || !values.Contains(value),
            "Exists" => value is not null,
            "DoesNotExist" => value is null,
            "Gt" => Compare(value, values) > 0,
            "Lt" => Compare(value, values) < 0 && value is not null,
            _ => false,
        };
    }

    private static int Compare(string? value, IList<string> values) =>
        value is not null && values.Count == 1
            && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var have)
            && long.TryParse(values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var want)
            ? have.CompareTo(want)
            : 0;
}
