using System.Globalization;
using k8s.Models;

namespace MiniKube.Api;

/// <summary>
/// Reading resource quantities (apimachinery pkg/api/resource quantity.go): the amounts the
/// scheduler and the kubelet account in (<see cref="Milli(ResourceQuantity)"/> and <see cref="Value(ResourceQuantity)"/>, rounded
/// up as Quantity.MilliValue/Value), and a lenient parse of quantity text into a decimal
/// (<see cref="TryParse(string, out decimal)"/>) for the API server's comparisons, which must not throw on a bad
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
    public static bool TryParse(string text, out decimal value) => TryParse(text, out value, out _);

    /// <summary>
    /// <see cref="TryParse(string, out decimal)"/>, also telling the format the text is in
    /// (resource.ParseQuantity's Format): a binary suffix is BinarySI, an exponent
    /// DecimalExponent, anything else DecimalSI. The format decides the canonical text.
    /// </summary>
    public static bool TryParse(string text, out decimal value, out QuantityFormat format)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = 0;
        format = QuantityFormat.DecimalSI;
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
            format = suffix.EndsWith('i') ? QuantityFormat.BinarySI : QuantityFormat.DecimalSI;
            return true;
        }

        if (suffix.Length > 1 && suffix[0] is 'e' or 'E' && int.TryParse(suffix[1..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exponent) && Math.Abs(exponent) <= 18)
        {
            value = number * (decimal)Math.Pow(10, exponent);
            format = QuantityFormat.DecimalExponent;
            return true;
        }

        return false;
    }

    /// <summary>
    /// The canonical text of an amount (Quantity.String, CanonicalizeBytes): rounded up to
    /// nano units; BinarySI uses the largest binary suffix that keeps an integer, and falls back
    /// to DecimalSI below 1024 or for fractions; DecimalSI and DecimalExponent use the largest
    /// power of 1000 that keeps an integer mantissa ("1500", "2k", "500m", "1e3").
    /// </summary>
    public static string Canonical(decimal value, QuantityFormat format)
    {
        if (Math.Abs(value) < 1e18m)
        {
            value = Math.Ceiling(value * 1e9m) / 1e9m;
        }
        if (value == 0)
        {
            return "0";
        }
        if (format == QuantityFormat.BinarySI && (Math.Abs(value) < 1024 || value != Math.Truncate(value)))
        {
            format = QuantityFormat.DecimalSI;
        }
        if (format == QuantityFormat.BinarySI)
        {
            var power = 0;
            while (power < BinarySuffixes.Length - 1 && value % 1024 == 0)
            {
                value /= 1024;
                power++;
            }
            return Integer(value) + BinarySuffixes[power];
        }

        // value = mantissa * 10^exponent, the mantissa an integer without trailing zeros, then the
        // exponent lowered to a multiple of 3 (int64Amount.AsCanonicalBytes).
        var mantissa = value;
        var exponent10 = 0;
        while (mantissa != Math.Truncate(mantissa))
        {
            mantissa *= 10;
            exponent10--;
        }
        while (mantissa % 10 == 0)
        {
            mantissa /= 10;
            exponent10++;
        }
        switch (exponent10 % 3)
        {
            case 1 or -2:
                mantissa *= 10;
                exponent10--;
                break;
            case 2 or -1:
                mantissa *= 100;
                exponent10 -= 2;
                break;
        }
        var suffix = format == QuantityFormat.DecimalSI && DecimalSuffixes.TryGetValue(exponent10, out var si) ? si
            : exponent10 == 0 ? ""
            : "e" + exponent10.ToString(CultureInfo.InvariantCulture);
        return Integer(mantissa) + suffix;
    }

    private static readonly string[] BinarySuffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

    private static readonly Dictionary<int, string> DecimalSuffixes = new()
    {
        [-9] = "n", [-6] = "u", [-3] = "m", [0] = "", [3] = "k", [6] = "M", [9] = "G", [12] = "T", [15] = "P", [18] = "E",
    };

    private static string Integer(decimal value) => decimal.Truncate(value).ToString("0", CultureInfo.InvariantCulture);

    private static long CeilingToLong(decimal value) => value >= long.MaxValue ? long.MaxValue : (long)Math.Ceiling(value);
}

/// <summary>How a quantity writes its amount (resource.Format): the suffix family of its canonical text.</summary>
public enum QuantityFormat
{
    /// <summary>Powers of 1000 with SI suffixes (m, k, M, G, …); also plain numbers.</summary>
    DecimalSI,

    /// <summary>Powers of 1024 (Ki, Mi, Gi, …).</summary>
    BinarySI,

    /// <summary>Powers of ten written as an exponent (1e3).</summary>
    DecimalExponent,
}
