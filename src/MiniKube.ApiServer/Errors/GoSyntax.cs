
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Errors;

/// <summary>
/// Renders JSON values the way Go's fmt prints the corresponding API types, so that our error
/// messages read byte for byte like kube-apiserver's: <c>strconv.Quote</c> for strings and
/// <c>%#v</c> for maps, label selectors and IntOrString. Map keys come out sorted, as Go's
/// fmt sorts them.
/// </summary>
public static class GoSyntax
{
    /// <summary>Go's strconv.Quote (the one implementation is <see cref="GoStrings.Quote"/>).</summary>
    public static string Quote(string value) => GoStrings.Quote(value);

    /// <summary>A map[string]string in %#v: <c>map[string]string{"a":"b"}</c>, or <c>map[string]string(nil)</c> when absent.</summary>
    public static string StringMap(JsonObject? map)
    {
        if (map is null)
        {
            return "map[string]string(nil)";
        }
        var pairs = map.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{Quote(p.Key)}:{Quote(ScalarText(p.Value))}");
        return "map[string]string{" + string.Join(", ", pairs) + "}";
    }

    /// <summary>A []string in %#v: <c>[]string{"a", "b"}</c>, or <c>[]string(nil)</c> when absent.</summary>
    public static string StringSlice(JsonArray? list) =>
        list is null ? "[]string(nil)" : "[]string{" + string.Join(", ", list.Select(v => Quote(ScalarText(v)))) + "}";

    /// <summary>A metav1.LabelSelector in %#v, as in <c>spec.selector: Invalid value: v1.LabelSelector{...}: field is immutable</c>.</summary>
    public static string LabelSelector(JsonObject? selector)
    {
        if (selector is null)
        {
            return "null";
        }
        var expressions = selector["matchExpressions"] as JsonArray;
        var rendered = expressions is null
            ? "[]v1.LabelSelectorRequirement(nil)"
            : "[]v1.LabelSelectorRequirement{" + string.Join(", ", expressions.Select(e =>
            {
                var r = e as JsonObject;
                return $"v1.LabelSelectorRequirement{{Key:{Quote(ScalarText(r?["key"]))}, Operator:{Quote(ScalarText(r?["operator"]))}, Values:{StringSlice(r?["values"] as JsonArray)}}}";
            })) + "}";
        return $"v1.LabelSelector{{MatchLabels:{StringMap(selector["matchLabels"] as JsonObject)}, MatchExpressions:{rendered}}}";
    }

    /// <summary>An intstr.IntOrString in %#v: <c>intstr.IntOrString{Type:1, IntVal:0, StrVal:"25x"}</c>.</summary>
    public static string IntOrString(JsonNode? value)
    {
        if (JsonFields.AsLong(value) is { } n)
        {
            return $"intstr.IntOrString{{Type:0, IntVal:{n.ToString(CultureInfo.InvariantCulture)}, StrVal:\"\"}}";
        }
        return $"intstr.IntOrString{{Type:1, IntVal:0, StrVal:{Quote(ScalarText(value))}}}";
    }

    /// <summary>The text of a JSON scalar (strings unquoted); empty for null.</summary>
    internal static string ScalarText(JsonNode? node) => JsonFields.ScalarText(node);
}
