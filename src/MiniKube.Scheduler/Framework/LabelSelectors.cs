using System.Globalization;
using k8s.Models;

namespace MiniKube.Scheduler.Framework;

/// <summary>
/// Label selector and node selector matching, as apimachinery's labels.Selector and upstream's
/// component-helpers/scheduling/corev1/nodeaffinity evaluate them.
/// </summary>
internal static class LabelSelectors
{
    /// <summary>A null selector matches nothing; an empty one matches everything (metav1.LabelSelectorAsSelector).</summary>
    public static bool Matches(V1LabelSelector? selector, IDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (selector is null)
        {
            return false;
        }
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }
        foreach (var requirement in selector.MatchExpressions ?? [])
        {
            var has = labels.TryGetValue(requirement.Key, out var actual);
            var values = requirement.Values ?? [];
            var ok = requirement.OperatorProperty switch
            {
                "In" => has && values.Contains(actual!),
                "NotIn" => !has || !values.Contains(actual!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>spec.nodeSelector: every key=value must be among the node's labels.</summary>
    public static bool MatchesNodeSelector(IDictionary<string, string>? nodeSelector, IDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return nodeSelector is null || nodeSelector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);
    }

    /// <summary>
    /// Required node affinity: the terms are ORed; within a term, matchExpressions (on labels) and
    /// matchFields (only metadata.name) are ANDed; a term with neither matches no node.
    /// </summary>
    public static bool MatchesNodeSelectorTerms(IList<V1NodeSelectorTerm> terms, string nodeName, IDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(terms);
        foreach (var term in terms)
        {
            var expressions = term.MatchExpressions ?? [];
            var fields = term.MatchFields ?? [];
            if (expressions.Count == 0 && fields.Count == 0)
            {
                continue;
            }
            if (expressions.All(r => Matches(r, labels.TryGetValue(r.Key, out var v), v))
                && fields.All(r => r.Key == "metadata.name" && Matches(r, true, nodeName)))
            {
                return true;
            }
        }
        return false;
    }

    private static bool Matches(V1NodeSelectorRequirement requirement, bool has, string? value)
    {
        var values = requirement.Values ?? [];
        return requirement.OperatorProperty switch
        {
            "In" => has && values.Contains(value!),
            "NotIn" => !has || !values.Contains(value!),
            "Exists" => has,
            "DoesNotExist" => !has,
            "Gt" => has && values.Count == 1 && TryInt(value, out var actual) && TryInt(values[0], out var bound) && actual > bound,
            "Lt" => has && values.Count == 1 && TryInt(value, out var actual2) && TryInt(values[0], out var bound2) && actual2 < bound2,
            _ => false,
        };
    }

    private static bool TryInt(string? text, out long value) => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
