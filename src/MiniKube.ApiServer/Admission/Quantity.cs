using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// Just enough of resource.Quantity to compare amounts: "500m", "1.5", "2Gi", "1e3" become
/// decimals (apimachinery pkg/api/resource quantity.go suffixes). Error messages show the
/// quantity as the client wrote it, not upstream's canonical form.
/// </summary>
internal static class Quantity
{
    private static readonly Dictionary<string, decimal> Suffixes = new(StringComparer.Ordinal)
    {
        [""] = 1m,
        ["n"] = 0.000000001m,
        ["u"] = 0.000001m,
        ["m"] = 0.001m,
        ["k"] = 1e3m,
        ["M"] = 1e6m,
        ["G"] = 1e9m,
        ["T"] = 1e12m,
        ["P"] = 1e15m,
        ["E"] = 1e18m,
        ["Ki"] = 1024m,
        ["Mi"] = 1024m * 1024,
        ["Gi"] = 1024m * 1024 * 1024,
        ["Ti"] = 1024m * 1024 * 1024 * 1024,
        ["Pi"] = 1024m * 1024 * 1024 * 1024 * 1024,
        ["Ei"] = 1024m * 1024 * 1024 * 1024 * 1024 * 1024,
    };

    /// <summary>The quantity's text: a JSON string as is, a JSON number as written.</summary>
    public static string Text(JsonNode? node) => GoSyntax.ScalarText(node);

    public static bool TryParse(JsonNode? node, out decimal value)
    {
        value = 0;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        {
            return decimal.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
        return node is JsonValue s && s.GetValueKind() == JsonValueKind.String && TryParse(s.GetValue<string>(), out value);
    }

    public static bool TryParse(string text, out decimal value)
    {
        value = 0;
        var end = 0;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] is '.' or '+' or '-'))
        {
            end++;
        }
        if (end == 0 || !decimal.TryParse(text[..end], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }
        var suffix = text[end..];
        if (Suffixes.TryGetValue(suffix, out var multiplier))
        {
            value = number * multiplier;
            return true;
        }
        if (suffix.Length > 1 && suffix[0] is 'e' or 'E' && int.TryParse(suffix[1..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exponent) && Math.Abs(exponent) <= 18)
        {
            value = number * (decimal)Math.Pow(10, exponent);
            return true;
        }
        return false;
    }
}
