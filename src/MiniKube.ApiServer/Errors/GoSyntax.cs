
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

    /// <summary>
    /// An unstructured JSON value as a field error shows it (field.Error.ErrorBody): numbers and
    /// booleans bare, strings quoted, null as <c>"null"</c>, objects and arrays in <c>%#v</c>
    /// (<c>map[string]interface {}{"name":"a"}</c>).
    /// </summary>
    public static string ErrorValue(JsonNode? value) => value switch
    {
        null => "\"null\"",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => Quote(v.GetValue<string>()),
        JsonObject or JsonArray => Interface(value),
        _ => Interface(value),
    };

    /// <summary>
    /// Go's <c>%#v</c> of a value decoded into <c>interface{}</c> (as apimachinery's JSON decoder
    /// makes them: int64 for integers, float64 otherwise); map keys sorted as fmt sorts them.
    /// </summary>
    public static string Interface(JsonNode? value)
    {
        var text = new System.Text.StringBuilder();
        AppendInterface(text, value);
        return text.ToString();
    }

    /// <summary>
    /// Go's <c>%v</c> of a float64 (strconv 'g' with the shortest digits): exponent form when the
    /// exponent is below -4 or at least 6, so 1000000 prints as <c>1e+06</c>, as Go prints it.
    /// </summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }
        if (double.IsInfinity(value))
        {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }
        // .NET's "R" gives the shortest round-trip digits; re-lay them out as Go's %g does.
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest.StartsWith('-');
        var digits = new System.Text.StringBuilder();
        var exponent = 0;
        var mantissa = negative ? shortest[1..] : shortest;
        var ePos = mantissa.IndexOfAny(['E', 'e']);
        if (ePos >= 0)
        {
            exponent = int.Parse(mantissa[(ePos + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            mantissa = mantissa[..ePos];
        }
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        var fracPart = dot >= 0 ? mantissa[(dot + 1)..] : "";
        var all = (intPart + fracPart).TrimStart('0');
        var leadingZeros = (intPart + fracPart).Length - all.Length;
        all = all.TrimEnd('0');
        if (all.Length == 0)
        {
            return "0";
        }
        // decimal point position relative to the first significant digit
        var dp = intPart.Length - leadingZeros + exponent;
        var exp = dp - 1;
        digits.Append(negative ? "-" : "");
        if (exp < -4 || exp >= 6)
        {
            digits.Append(all[0]);
            if (all.Length > 1)
            {
                digits.Append('.').Append(all, 1, all.Length - 1);
            }
            digits.Append('e').Append(exp < 0 ? '-' : '+').Append(Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture));
            return digits.ToString();
        }
        if (dp <= 0)
        {
            digits.Append("0.").Append('0', -dp).Append(all);
        }
        else if (dp >= all.Length)
        {
            digits.Append(all).Append('0', dp - all.Length);
        }
        else
        {
            digits.Append(all, 0, dp).Append('.').Append(all, dp, all.Length - dp);
        }
        return digits.ToString();
    }

    private static void AppendInterface(System.Text.StringBuilder text, JsonNode? value)
    {
        switch (value)
        {
            case null:
                text.Append("interface {}(nil)");
                break;
            case JsonObject obj:
                text.Append("map[string]interface {}{");
                var first = true;
                foreach (var (key, item) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        text.Append(", ");
                    }
                    first = false;
                    text.Append(Quote(key)).Append(':');
                    AppendInterface(text, item);
                }
                text.Append('}');
                break;
            case JsonArray array:
                text.Append("[]interface {}{");
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append(", ");
                    }
                    AppendInterface(text, array[i]);
                }
                text.Append('}');
                break;
            case JsonValue scalar:
                text.Append(scalar.GetValueKind() switch
                {
                    JsonValueKind.String => Quote(scalar.GetValue<string>()),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    JsonValueKind.Number => JsonFields.AsLong(scalar) is { } n
                        ? n.ToString(CultureInfo.InvariantCulture)
                        : Float(double.Parse(scalar.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture)),
                    _ => "interface {}(nil)",
                });
                break;
        }
    }

    /// <summary>The text of a JSON scalar (strings unquoted); empty for null.</summary>
    internal static string ScalarText(JsonNode? node) => JsonFields.ScalarText(node);
}
