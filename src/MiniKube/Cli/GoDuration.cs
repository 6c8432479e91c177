using System.Globalization;

namespace MiniKube.Cli;

/// <summary>
/// Durations spelled as Go's <c>time.ParseDuration</c> reads them (<c>500ms</c>, <c>2s</c>,
/// <c>1m30s</c>), since k3s users write durations that way in flags and config files. Only
/// non-negative values; a bare number needs a unit, except <c>0</c>.
/// </summary>
internal static class GoDuration
{
    private static readonly (string Unit, double Ticks)[] Units =
    [
        // Longest spellings first, so "ms" is not read as "m" followed by junk.
        ("ns", 0.01), ("us", 10), ("µs", 10), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text == "0")
        {
            return true;
        }
        var ticks = 0.0;
        var rest = text.AsSpan();
        if (rest.IsEmpty)
        {
            return false;
        }
        while (!rest.IsEmpty)
        {
            var digits = 0;
            while (digits < rest.Length && (char.IsAsciiDigit(rest[digits]) || rest[digits] == '.'))
            {
                digits++;
            }
            if (digits == 0 || !double.TryParse(rest[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }
            rest = rest[digits..];
            var matched = false;
            foreach (var (unit, unitTicks) in Units)
            {
                if (rest.StartsWith(unit, StringComparison.Ordinal))
                {
                    ticks += number * unitTicks;
                    rest = rest[unit.Length..];
                    matched = true;
                    break;
                }
            }
            if (!matched || ticks > TimeSpan.MaxValue.Ticks)
            {
                return false;
            }
        }
        value = TimeSpan.FromTicks((long)ticks);
        return true;
    }
}
