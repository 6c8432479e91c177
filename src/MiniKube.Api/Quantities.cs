using System.Globalization;
using k8s.Models;

namespace MiniKube.Api;

/// <summary>
/// Reading resource quantities (apimachinery pkg/api/resource quantity.go): the amounts the
/// scheduler and the kubelet account in (<see cref="Milli(ResourceQuantity)"/> and <see cref="Value(ResourceQuantity)"/>, rounded
/// up as Quantity.MilliValue/Value), and a lenient parse of quantity text into a decimal
/// (<see cref="TryParse"/>) for the API server's comparisons, which must not throw on a bad
/// value that validation reports elsewhere.
/// </summary>
public static class Quantities
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

    /// <summary>The quantity in thousandths, rounded up (Quantity.MilliValue: CPU in millicores).</summary>
    public static long Milli(ResourceQuantity quantity)
    {
        ArgumentNullException.ThrowIfNull(quantity);
        return CeilingToLong(quantity.ToDecimal() * 1000m);
    }

    /// <summary>The quantity in units, rounded up (Quantity.Value: bytes, counts).</summary>
    public static long Value(ResourceQuantity quantity)
    {
        ArgumentNullException.ThrowIfNull(quantity);
        return CeilingToLong(quantity.ToDecimal());
    }

    /// <summary><see cref="Milli(ResourceQuantity)"/> of one entry of a resource list; 0 when absent.</summary>
    public static long Milli(IDictionary<string, ResourceQuantity>? resources, string name) =>
        resources is not null && resources.TryGetValue(name, out var quantity) ? Milli(quantity) : 0;

    /// <summary><see cref="Value(ResourceQuantity)"/> of one entry of a resource list; 0 when absent.</summary>
    public static long Value(IDictionary<string, ResourceQuantity>? resources, string name) =>
        resources is not null && resources.TryGetValue(name, out var quantity) ? Value(quantity) : 0;

    /// <summary>
    /// Reads quantity text ("500m", "1.5", "2Gi", "1e3") as a decimal: a signed decimal number,
    /// then a binary or decimal SI suffix or a decimal exponent. False when it is not one.
    /// </summary>
    public static bool TryParse(string text, out decimal value)
    {
        ArgumentNullException.ThrowIfNull(text);
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

    private static long CeilingToLong(decimal value) => value >= long.MaxValue ? long.MaxValue : (long)Math.Ceiling(value);
}
