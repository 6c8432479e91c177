using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

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
    /// <summary>Go's strconv.Quote: double quotes, backslash escapes, printable Unicode kept.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = new StringBuilder(value.Length + 2).Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); continue;
                case '\\': sb.Append("\\\\"); continue;
                case '\a': sb.Append("\\a"); continue;
                case '\b': sb.Append("\\b"); continue;
                case '\f': sb.Append("\\f"); continue;
                case '\n': sb.Append("\\n"); continue;
                case '\r': sb.Append("\\r"); continue;
                case '\t': sb.Append("\\t"); continue;
                case '\v': sb.Append("\\v"); continue;
            }
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                var rune = new Rune(c, value[i + 1]);
                i++;
                AppendRune(sb, rune);
                continue;
            }
            if (char.IsSurrogate(c))
            {
                // A lone surrogate cannot come out of valid UTF-8; Go prints the replacement rune's escape.
                sb.Append("\\ufffd");
                continue;
            }
            AppendRune(sb, new Rune(c));
        }
        return sb.Append('"').ToString();
    }

    private static void AppendRune(StringBuilder sb, Rune rune)
    {
        if (IsPrint(rune))
        {
            sb.Append(rune.ToString());
        }
        else if (rune.Value < 0x80)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}");
        }
        else if (rune.Value < 0x10000)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\\u{rune.Value:x4}");
        }
        else
        {
            sb.Append(CultureInfo.InvariantCulture, $"\\U{rune.Value:x8}");
        }
    }

    // Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
    private static bool IsPrint(Rune rune)
    {
        if (rune.Value == ' ')
        {
            return true;
        }
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
                or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator => false,
            _ => true,
        };
    }

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
