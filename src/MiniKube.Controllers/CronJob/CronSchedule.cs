using System.Globalization;
using System.Text.RegularExpressions;

namespace MiniKube.Controllers.CronJob;

/// <summary>
/// A parsed CronJob schedule with robfig/cron/v3 ParseStandard's meaning (what the cronjob
/// controller uses): five fields (minute hour day-of-month month day-of-week) of numbers, names,
/// ranges, steps and lists, or @yearly/@annually/@monthly/@weekly/@daily/@midnight/@hourly, or
/// "@every &lt;duration&gt;". Day of month and day of week are OR-ed when both are restricted, as in
/// cron. <see cref="Next"/> walks wall-clock time in the given zone. Immutable.
/// (The API server validates the same syntax in its own copy; a controller cannot reference it.)
/// </summary>
public sealed partial class CronSchedule
{
    private static readonly string[] MonthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    private readonly ulong _minutes;
    private readonly uint _hours;
    private readonly uint _daysOfMonth;
    private readonly ushort _months;
    private readonly byte _daysOfWeek;
    private readonly bool _domStar;
    private readonly bool _dowStar;
    private readonly TimeSpan? _every;

    private CronSchedule(ulong minutes, uint hours, uint daysOfMonth, ushort months, byte daysOfWeek, bool domStar, bool dowStar)
    {
        (_minutes, _hours, _daysOfMonth, _months, _daysOfWeek, _domStar, _dowStar) = (minutes, hours, daysOfMonth, months, daysOfWeek, domStar, dowStar);
    }

    private CronSchedule(TimeSpan every) => _every = every;

    /// <summary>Parses <paramref name="spec"/>; throws <see cref="FormatException"/> with the reason when it is not a schedule.</summary>
    public static CronSchedule Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec = spec.Trim();
        switch (spec)
        {
            case "@yearly" or "@annually":
                spec = "0 0 1 1 *";
                break;
            case "@monthly":
                spec = "0 0 1 * *";
                break;
            case "@weekly":
                spec = "0 0 * * 0";
                break;
            case "@daily" or "@midnight":
                spec = "0 0 * * *";
                break;
            case "@hourly":
                spec = "0 * * * *";
                break;
        }
        if (spec.StartsWith("@every ", StringComparison.Ordinal))
        {
            return new CronSchedule(ParseGoDuration(spec["@every ".Length..].Trim()));
        }
        if (spec.StartsWith('@'))
        {
            throw new FormatException($"unrecognized descriptor: {spec}");
        }
        var fields = spec.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            throw new FormatException($"expected exactly 5 fields, found {fields.Length}: [{string.Join(" ", fields)}]");
        }
        var minutes = ParseField(fields[0], 0, 59, null, out _);
        var hours = ParseField(fields[1], 0, 23, null, out _);
        var dom = ParseField(fields[2], 1, 31, null, out var domStar);
        var months = ParseField(fields[3], 1, 12, MonthNames, out _);
        var dow = ParseField(fields[4], 0, 6, DayNames, out var dowStar);
        return new CronSchedule(minutes, (uint)hours, (uint)dom, (ushort)months, (byte)dow, domStar, dowStar);
    }

    /// <summary>The first activation strictly after <paramref name="after"/>, in <paramref name="zone"/>'s wall-clock time; null when none within five years.</summary>
    public DateTimeOffset? Next(DateTimeOffset after, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (_every is { } every)
        {
            // robfig's ConstantDelaySchedule: whole seconds after the given time.
            var next = after + every;
            return next.AddTicks(-(next.Ticks % TimeSpan.TicksPerSecond));
        }
        var local = TimeZoneInfo.ConvertTime(after, zone).DateTime;
        var t = new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0, DateTimeKind.Unspecified).AddMinutes(1);
        var limit = t.AddYears(5);
        while (t < limit)
        {
            if ((_months & (1 << t.Month)) == 0)
            {
                t = new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(1);
                continue;
            }
            if (!DayMatches(t))
            {
                t = t.Date.AddDays(1);
                continue;
            }
            if ((_hours & (1u << t.Hour)) == 0)
            {
                t = t.Date.AddHours(t.Hour + 1);
                continue;
            }
            if ((_minutes & (1ul << t.Minute)) == 0 || zone.IsInvalidTime(t))
            {
                t = t.AddMinutes(1);
                continue;
            }
            return new DateTimeOffset(t, zone.GetUtcOffset(t)).ToUniversalTime();
        }
        return null;
    }

    private bool DayMatches(DateTime t)
    {
        var dom = (_daysOfMonth & (1u << t.Day)) != 0;
        var dow = (_daysOfWeek & (1 << (int)t.DayOfWeek)) != 0;
        return _domStar || _dowStar ? dom && dow : dom || dow;
    }

    private static ulong ParseField(string field, int min, int max, string[]? names, out bool star)
    {
        ulong bits = 0;
        star = false;
        foreach (var expression in field.Split(','))
        {
            var rangeAndStep = expression.Split('/');
            var lowAndHigh = rangeAndStep[0].Split('-');
            int start, end;
            if (lowAndHigh[0] is "*" or "?")
            {
                (start, end) = (min, max);
                star |= rangeAndStep.Length == 1;
            }
            else
            {
                start = Number(lowAndHigh[0], min, names);
                end = lowAndHigh.Length switch
                {
                    1 => start,
                    2 => Number(lowAndHigh[1], min, names),
                    _ => throw new FormatException($"too many hyphens: {expression}"),
                };
            }
            var step = 1;
            if (rangeAndStep.Length == 2)
            {
                step = Number(rangeAndStep[1], 0, null);
                if (lowAndHigh.Length == 1 && lowAndHigh[0] is not ("*" or "?"))
                {
                    end = max; // "N/step" means "N-max/step".
                }
            }
            else if (rangeAndStep.Length > 2)
            {
                throw new FormatException($"too many slashes: {expression}");
            }
            if (start < min || end > max || start > end || step <= 0)
            {
                throw new FormatException($"invalid range {expression} (allowed {min}-{max})");
            }
            for (var i = start; i <= end; i += step)
            {
                bits |= 1ul << i;
            }
        }
        return bits;
    }

    private static int Number(string text, int offset, string[]? names)
    {
        if (names is not null)
        {
            var index = Array.IndexOf(names, text.ToLowerInvariant());
            if (index >= 0)
            {
                return index + offset;
            }
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"failed to parse int from {text}");
    }

    private static TimeSpan ParseGoDuration(string text)
    {
        var parts = GoDurationPart().Matches(text);
        if (parts.Count == 0 || string.Concat(parts.Select(m => m.Value)) != text)
        {
            throw new FormatException($"failed to parse duration {text}");
        }
        var total = TimeSpan.Zero;
        foreach (Match part in parts)
        {
            var value = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(value),
                "m" => TimeSpan.FromMinutes(value),
                "s" => TimeSpan.FromSeconds(value),
                "ms" => TimeSpan.FromMilliseconds(value),
                _ => TimeSpan.Zero,
            };
        }
        return total < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : total;
    }

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?)(h|ms|m|s)")]
    private static partial Regex GoDurationPart();
}
