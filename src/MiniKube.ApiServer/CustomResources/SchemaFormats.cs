using System.Net;
using System.Text.RegularExpressions;

namespace MiniKube.ApiServer.CustomResources;

/// <summary>
/// The string formats a CRD schema may check, as kube-openapi's strfmt default registry checks
/// them (pkg/validation/strfmt default.go, date.go, time.go, duration.go, and the govalidator
/// functions it calls). Names are the normalized ones (date-time → datetime); a name not listed
/// here was already dropped by <see cref="SchemaReader"/>, as upstream strips unknown formats.
/// </summary>
internal static partial class SchemaFormats
{
    // govalidator's patterns for the formats that are a pattern alone (or a pattern first).
    private static readonly Dictionary<string, Regex> Patterns = new(StringComparer.Ordinal)
    {
        ["isbn10"] = Linear(@"^(?:[0-9]{9}X|[0-9]{10})$"),
        ["ssn"] = Linear(@"^[0-9]{3}[- ]?[0-9]{2}[- ]?[0-9]{4}$"),
        ["hexcolor"] = Linear(@"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"),
        ["rgbcolor"] = Linear(@"^rgb\(\s*(0|[1-9][0-9]?|1[0-9][0-9]?|2[0-4][0-9]|25[0-5])\s*,\s*(0|[1-9][0-9]?|1[0-9][0-9]?|2[0-4][0-9]|25[0-5])\s*,\s*(0|[1-9][0-9]?|1[0-9][0-9]?|2[0-4][0-9]|25[0-5])\s*\)$"),
        ["byte"] = Linear(@"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$"),
    };

    /// <summary>True when <paramref name="value"/> is valid for the normalized <paramref name="format"/> (unknown formats pass).</summary>
    public static bool IsValid(string format, string value) => format switch
    {
        "bsonobjectid" => value.Length == 24 && value.All(char.IsAsciiHexDigit),
        "uri" => IsRequestUri(value),
        "email" => IsEmail(value),
        "hostname" => IsHostname(value),
        "ipv4" => IsIPv4(value),
        "ipv6" => value.Contains(':', StringComparison.Ordinal) && IPAddress.TryParse(value, out _),
        "cidr" => IsCidr(value),
        "mac" => IsMac(value),
        "uuid" => Uuid().IsMatch(value),
        "uuid3" => IsUuid(value, '3', anyVariant: true),
        "uuid4" => IsUuid(value, '4', anyVariant: false),
        "uuid5" => IsUuid(value, '5', anyVariant: false),
        "isbn" => IsIsbn10(value) || IsIsbn13(value),
        "isbn10" => IsIsbn10(value),
        "isbn13" => IsIsbn13(value),
        "creditcard" => IsCreditCard(value),
        "ssn" => (value.Length is 9 or 11) && Patterns["ssn"].IsMatch(value),
        "hexcolor" => Patterns["hexcolor"].IsMatch(value),
        "rgbcolor" => Patterns["rgbcolor"].IsMatch(value),
        "byte" => Patterns["byte"].IsMatch(value),
        "date" => IsDate(value),
        "duration" => IsDuration(value),
        "datetime" => IsDateTime(value),
        _ => true,
    };

    private static Regex Linear(string pattern) => new(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);

    // strfmt's UUID3/4/5 patterns: the version digit, and for 4 and 5 the RFC 4122 variant (8, 9, a, b).
    private static bool IsUuid(string value, char version, bool anyVariant)
    {
        if (!Uuid().IsMatch(value))
        {
            return false;
        }
        var hex = value.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        return hex[12] == version && (anyVariant || hex[16] is '8' or '9' or 'a' or 'b');
    }

    // url.ParseRequestURI: an absolute URI, or an absolute path; no spaces or control characters.
    private static bool IsRequestUri(string value)
    {
        if (value.Length == 0 || value.Any(c => c <= ' ' || c == 0x7f))
        {
            return false;
        }
        if (value.StartsWith('/'))
        {
            return true;
        }
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && UriScheme().IsMatch(value[..colon]) && Uri.TryCreate(value, UriKind.Absolute, out _);
    }

    // net/mail.ParseAddress: "a@b" or "Name <a@b>".
    private static bool IsEmail(string value) =>
        System.Net.Mail.MailAddress.TryCreate(value, out var address) && address.Address.Length > 0;

    private static bool IsHostname(string value) =>
        value.Length <= 255 && Hostname().IsMatch(value) && value.Split('.').All(part => part.Length <= 63);

    // ParseIPSloppy accepts leading zeros; an IPv4 must contain a dot (an IPv4-mapped IPv6 address does too).
    private static bool IsIPv4(string value)
    {
        if (!value.Contains('.', StringComparison.Ordinal))
        {
            return false;
        }
        if (value.Contains(':', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(value, out _);
        }
        var parts = value.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit) && int.Parse(p, CultureInfo.InvariantCulture) <= 255);
    }

    private static bool IsCidr(string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return false;
        }
        var ip = value[..slash];
        var bits = value[(slash + 1)..];
        var v6 = ip.Contains(':', StringComparison.Ordinal);
        if (!(v6 ? IPAddress.TryParse(ip, out _) : IsIPv4(ip)))
        {
            return false;
        }
        return bits.Length is > 0 and <= 3 && bits.All(char.IsAsciiDigit) && int.Parse(bits, CultureInfo.InvariantCulture) <= (v6 ? 128 : 32);
    }

    // net.ParseMAC: 6, 8 or 20 octets, as xx:xx…, xx-xx… or xxxx.xxxx….
    private static bool IsMac(string value)
    {
        if (value.Length < 14)
        {
            return false;
        }
        if (value[2] is ':' or '-')
        {
            var separator = value[2];
            var groups = value.Split(separator);
            return groups.Length is 6 or 8 or 20 && groups.All(g => g.Length == 2 && g.All(char.IsAsciiHexDigit));
        }
        if (value[4] == '.')
        {
            var groups = value.Split('.');
            return groups.Length * 2 is 6 or 8 or 20 && groups.All(g => g.Length == 4 && g.All(char.IsAsciiHexDigit));
        }
        return false;
    }

    private static bool IsIsbn10(string value)
    {
        var s = value.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (!Patterns["isbn10"].IsMatch(s))
        {
            return false;
        }
        var sum = 0;
        for (var i = 0; i < 9; i++)
        {
            sum += (i + 1) * (s[i] - '0');
        }
        sum += s[9] == 'X' ? 100 : 10 * (s[9] - '0');
        return sum % 11 == 0;
    }

    private static bool IsIsbn13(string value)
    {
        var s = value.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (s.Length != 13 || !s.All(char.IsAsciiDigit))
        {
            return false;
        }
        var sum = 0;
        for (var i = 0; i < 12; i++)
        {
            sum += (i % 2 == 0 ? 1 : 3) * (s[i] - '0');
        }
        return (10 - (sum % 10)) % 10 == s[12] - '0';
    }

    // govalidator.IsCreditCard: spaces and dashes removed, a known issuer's pattern, then the Luhn check.
    private static bool IsCreditCard(string value)
    {
        var s = value.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (!CreditCard().IsMatch(s))
        {
            return false;
        }
        var sum = 0;
        var doubled = false;
        for (var i = s.Length - 1; i >= 0; i--)
        {
            var digit = s[i] - '0';
            if (doubled)
            {
                digit *= 2;
                if (digit > 9)
                {
                    digit -= 9;
                }
            }
            sum += digit;
            doubled = !doubled;
        }
        return sum % 10 == 0;
    }

    // time.Parse("2006-01-02"): a real calendar date, digits exactly as the layout.
    private static bool IsDate(string value) =>
        value.Length == 10 && DateTime.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    // strfmt.IsDateTime: a date, 't', then hh:mm:ss[.frac](z|±hh:mm), case-insensitive.
    private static bool IsDateTime(string value)
    {
        if (value.Length < 4)
        {
            return false;
        }
        var parts = value.ToLowerInvariant().Split('t');
        if (parts.Length < 2 || !IsDate(parts[0]))
        {
            return false;
        }
        var m = TimeOfDay().Match(parts[1]);
        return m.Success
            && string.CompareOrdinal(m.Groups[1].Value, "23") <= 0
            && string.CompareOrdinal(m.Groups[2].Value, "59") <= 0
            && string.CompareOrdinal(m.Groups[3].Value, "59") <= 0;
    }

    // strfmt.ParseDuration: Go's time.ParseDuration, else a lenient "<n> <unit>" reading (3 days, 1 hour).
    private static bool IsDuration(string value)
    {
        if (GoDuration().IsMatch(value))
        {
            return true;
        }
        string[][] units = [["ns", "nano"], ["us", "µs", "micro"], ["ms", "milli"], ["s", "sec"], ["m", "min"], ["h", "hr", "hour"], ["d", "day"], ["w", "wk", "week"]];
        foreach (Match match in LenientDuration().Matches(value))
        {
            var unit = match.Groups[3].Value.Trim().ToLowerInvariant();
            foreach (var variants in units)
            {
                for (var i = 0; i < variants.Length; i++)
                {
                    if ((i == variants.Length - 1 && unit.StartsWith(variants[i], StringComparison.Ordinal))
                        || string.Equals(variants[i], unit, StringComparison.OrdinalIgnoreCase))
                    {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.\-]*$")]
    private static partial Regex UriScheme();

    [GeneratedRegex(@"^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9\-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$", RegexOptions.NonBacktracking)]
    private static partial Regex Hostname();

    [GeneratedRegex(@"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Uuid();

    [GeneratedRegex(@"^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|(222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720)[0-9]{12}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11}|6[27][0-9]{14})$")]
    private static partial Regex CreditCard();

    [GeneratedRegex(@"^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$")]
    private static partial Regex TimeOfDay();

    // time.ParseDuration's grammar: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+, units ns us µs μs ms s m h; "0" alone.
    [GeneratedRegex(@"^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$")]
    private static partial Regex GoDuration();

    [GeneratedRegex(@"(([0-9]+)\s*([A-Za-zµ]+))")]
    private static partial Regex LenientDuration();
}
