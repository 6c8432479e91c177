using System.Globalization;
using k8s.Models;

namespace MiniKube.Controllers.PersistentVolume;

/// <summary>
/// Whether a volume may be used on a node: its spec.nodeAffinity.required terms against the node's
/// labels and name (pkg/volume/util CheckNodeAffinity; terms are ORed, expressions within one
/// term ANDed; matchFields knows metadata.name only). A volume without node affinity fits everywhere.
/// </summary>
public static class VolumeNodeAffinity
{
    public static bool Admits(V1PersistentVolume volume, string nodeName, IDictionary<string, string>? nodeLabels)
    {
        ArgumentNullException.ThrowIfNull(volume);
        var terms = volume.Spec?.NodeAffinity?.Required?.NodeSelectorTerms;
        if (terms is null)
        {
            return true;
        }
        var labels = nodeLabels ?? new Dictionary<string, string>();
        return terms.Any(term => Matches(term, nodeName, labels));
    }

    private static bool Matches(V1NodeSelectorTerm term, string nodeName, IDictionary<string, string> labels)
    {
        var expressions = term.MatchExpressions ?? [];
        var fields = term.MatchFields ?? [];
        if (expressions.Count == 0 && fields.Count == 0)
        {
            return false; // an empty term matches nothing, as upstream
        }
        return expressions.All(e => Matches(e, labels.TryGetValue(e.Key, out var value) ? value : null))
            && fields.All(f => f.Key == "metadata.name" && Matches(f, nodeName));
    }

    private static bool Matches(V1NodeSelectorRequirement requirement, string? value) => requirement.OperatorProperty switch
    {
        "In" => value is not null && (requirement.Values ?? []).Contains(value),
        "NotIn" => value is null || !(requirement.Values ?? []).Contains(value),
        "Exists" => value is not null,
        "DoesNotExist" => value is null,
        "Gt" => Compare(value, requirement.Values) > 0,
        "Lt" => Compare(value, requirement.Values) < 0,
        _ => false,
    };

    // Gt/Lt compare integers; anything unparsable does not match (0 from neither side).
    private static int Compare(string? value, IList<string>? values) =>
        value is not null && values is [var bound]
        && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var left)
        && long.TryParse(bound, NumberStyles.Integer, CultureInfo.InvariantCulture, out var right)
            ? left.CompareTo(right)
            : 0;
}
