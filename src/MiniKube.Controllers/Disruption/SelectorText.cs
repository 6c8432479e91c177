using System.Text;
using k8s.Models;

namespace MiniKube.Controllers.Disruption;

/// <summary>
/// A label selector as Go's <c>%v</c> prints a *metav1.LabelSelector (its generated String()),
/// which upstream's UnmanagedPods event embeds: labels sorted by key, expressions in order.
/// </summary>
internal static class SelectorText
{
    public static string Go(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            return "nil";
        }
        var text = new StringBuilder("&LabelSelector{MatchLabels:map[string]string{");
        foreach (var (key, value) in (selector.MatchLabels ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(key).Append(": ").Append(value).Append(',');
        }
        text.Append("},MatchExpressions:[]LabelSelectorRequirement{");
        foreach (var expression in selector.MatchExpressions ?? [])
        {
            text.Append("LabelSelectorRequirement{Key:").Append(expression.Key)
                .Append(",Operator:").Append(expression.OperatorProperty)
                .Append(",Values:[").Append(string.Join(' ', expression.Values ?? [])).Append("],},");
        }
        return text.Append("},}").ToString();
    }
}
