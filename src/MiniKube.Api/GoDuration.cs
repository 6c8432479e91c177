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

    /// <summary>
    /// Go's time.Duration.String: "0s"; below a second in the largest of ns, µs and ms that
    /// keeps the number at least 1 ("15.012ms"); else hours, minutes and seconds with the
    /// seconds' fraction and no trailing zeros ("15.012s", "2m0s", "1h0m0.5s").
    /// </summary>
    public static string Format(TimeSpan duration)
    {
        var nanos = (decimal)duration.Ticks * 100;
        var sign = nanos < 0 ? "-" : "";
        nanos = Math.Abs(nanos);
        if (nanos == 0)
        {
            return "0s";
        }
        if (nanos < 1e9m)
        {
            var (unit, scale) = nanos < 1e3m ? ("ns", 1m) : nanos < 1e6m ? ("\u00b5s", 1e3m) : ("ms", 1e6m);
            return sign + Number(nanos / scale) + unit;
        }
        var hours = (long)(nanos / 3600e9m);
        var minutes = (long)(nanos % 3600e9m / 60e9m);
        var seconds = Number(nanos % 60e9m / 1e9m) + "s";
        return sign + (hours > 0 ? $"{hours.ToString(CultureInfo.InvariantCulture)}h{minutes.ToString(CultureInfo.InvariantCulture)}m{seconds}"
            : minutes > 0 ? $"{minutes.ToString(CultureInfo.InvariantCulture)}m{seconds}" : seconds);
    }

    private static string Number(decimal value) => value.ToString("0.#########", CultureInfo.InvariantCulture);

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
