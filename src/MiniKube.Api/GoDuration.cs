using System.Globalization;

namespace MiniKube.Api;

/// <summary>
/// Go's time.ParseDuration (time/format.go): a signed sequence of decimal numbers, each with
/// an optional fraction and a unit (ns, us, µs, ms, s, m, h), e.g. "1h30m", "1.5s"; "0" alone
/// needs no unit. Errors read as Go's, for messages that embed them (cron's @every).
/// </summary>
public static class GoDuration
{
    private static readonly Dictionary<string, decimal> NanosecondsPerUnit = new(StringComparer.Ordinal)
    {
        ["ns"] = 1m,
        ["us"] = 1e3m,
        ["\u00b5s"] = 1e3m, // micro sign
        ["\u03bcs"] = 1e3m, // Greek mu
        ["ms"] = 1e6m,
        ["s"] = 1e9m,
        ["m"] = 60e9m,
        ["h"] = 3600e9m,
    };

    /// <summary>The duration, truncated to .NET's 100 ns ticks; null error when it parses.</summary>
    public static string? TryParse(string text, out TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(text);
        duration = TimeSpan.Zero;
        var invalid = $"time: invalid duration {GoStrings.Quote(text)}";
        var s = text;
        var negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s == "0")
        {
            return null;
        }

        if (s.Length == 0)
        {
            return invalid;
        }

        decimal total = 0;
        while (s.Length > 0)
        {
            if (!(s[0] == '.' || char.IsAsciiDigit(s[0])))
            {
                return invalid;
            }

            var whole = LeadingDigits(ref s);
            var fraction = "";
            if (s.Length > 0 && s[0] == '.')
            {
                s = s[1..];
                fraction = LeadingDigits(ref s);
            }

            if (whole.Length == 0 && fraction.Length == 0)
            {
                return invalid;
            }

            var unitLength = 0;
            while (unitLength < s.Length && !(s[unitLength] == '.' || char.IsAsciiDigit(s[unitLength])))
            {
                unitLength++;
            }

            if (unitLength == 0)
            {
                return $"time: missing unit in duration {GoStrings.Quote(text)}";
            }

            var unit = s[..unitLength];
            s = s[unitLength..];
            if (!NanosecondsPerUnit.TryGetValue(unit, out var perUnit))
            {
                return $"time: unknown unit {GoStrings.Quote(unit)} in duration {GoStrings.Quote(text)}";
            }

            try
            {
                var number = decimal.Parse((whole.Length == 0 ? "0" : whole) + (fraction.Length == 0 ? "" : "." + fraction), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
                total += number * perUnit;
            }
            catch (OverflowException)
            {
                return invalid;
            }

            // Go's Duration is an int64 of nanoseconds.
            if (total > long.MaxValue)
            {
                return invalid;
            }
        }

        var ticks = (long)(total / 100m);
        duration = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return null;
    }

    private static string LeadingDigits(ref string s)
    {
        var length = 0;
        while (length < s.Length && char.IsAsciiDigit(s[length]))
        {
            length++;
        }

        var taken = s[..length];
        s = s[length..];
        return taken;
    }
}
