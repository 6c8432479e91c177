using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace MiniKube.Api;

/// <summary>
/// A CronJob schedule with robfig/cron/v3 ParseStandard's meaning (parser.go, spec.go,
/// constantdelay.go), which both kube-apiserver's validation and the cronjob controller use:
/// five fields (minute hour day-of-month month day-of-week) of numbers, names, ranges, steps and
/// lists, or @yearly/@annually/@monthly/@weekly/@daily/@midnight/@hourly, or "@every
/// &lt;Go duration&gt;", optionally after a <c>TZ=zone</c> or <c>CRON_TZ=zone</c> prefix. Day of
/// month and day of week are ORed when both are restricted (neither starts with <c>*</c> or
/// <c>?</c>), as in cron. Parse errors carry robfig's texts, which kube-apiserver shows in its
/// field errors. <see cref="Next"/> walks wall-clock time in the schedule's zone, else the
/// caller's. Immutable.
/// </summary>
public sealed class CronSchedule
{
    private const int FieldCount = 5;

    private static readonly string[] MonthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    private static readonly Bounds[] Fields =
    [
        new(0, 59, null, 0), new(0, 23, null, 0), new(1, 31, null, 0), new(1, 12, MonthNames, 1), new(0, 6, DayNames, 0),
    ];

    private static readonly Dictionary<string, string> Descriptors = new(StringComparer.Ordinal)
    {
        ["@yearly"] = "0 0 1 1 *",
        ["@annually"] = "0 0 1 1 *",
        ["@monthly"] = "0 0 1 * *",
        ["@weekly"] = "0 0 * * 0",
        ["@daily"] = "0 0 * * *",
        ["@midnight"] = "0 0 * * *",
        ["@hourly"] = "0 * * * *",
    };

    // One bit per allowed value, as robfig's SpecSchedule; Star marks a field written as * or ?.
    private readonly ulong[] _bits = [];
    private readonly bool _domStar;
    private readonly bool _dowStar;
    private readonly TimeSpan? _every;

    private CronSchedule(ulong[] bits, bool domStar, bool dowStar, TimeZoneInfo? location)
    {
        (_bits, _domStar, _dowStar, Location) = (bits, domStar, dowStar, location);
    }

    private CronSchedule(TimeSpan every, TimeZoneInfo? location)
    {
        (_every, Location) = (every, location);
    }

    private sealed record Bounds(int Min, int Max, string[]? Names, int NameOffset);

    /// <summary>The zone of a <c>TZ=</c>/<c>CRON_TZ=</c> prefix; null when the schedule has none.</summary>
    public TimeZoneInfo? Location { get; }

    /// <summary>Parses <paramref name="spec"/>; throws <see cref="FormatException"/> with robfig's message when it is not a schedule.</summary>
    public static CronSchedule Parse(string spec) =>
        TryParse(spec, out var schedule, out var error) ? schedule : throw new FormatException(error);

    /// <summary>Parses <paramref name="spec"/>, or gives robfig's error message (what kube-apiserver reports as the field's problem).</summary>
    public static bool TryParse(string spec, [NotNullWhen(true)] out CronSchedule? schedule, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(spec);
        schedule = null;
        if (spec.Length == 0)
        {
            error = "empty spec string";
            return false;
        }

        TimeZoneInfo? location = null;
        if (spec.StartsWith("TZ=", StringComparison.Ordinal) || spec.StartsWith("CRON_TZ=", StringComparison.Ordinal))
        {
            var space = spec.IndexOf(' ', StringComparison.Ordinal);
            if (space >= 0)
            {
                var name = spec[(spec.IndexOf('=', StringComparison.Ordinal) + 1)..space];
                if ((error = LoadLocation(name, out location)) is not null)
                {
                    return false;
                }
            }

            spec = space < 0 ? "" : spec[space..].Trim();
        }

        if (spec.StartsWith('@'))
        {
            return ParseDescriptor(spec, location, out schedule, out error);
        }

        var fields = spec.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != FieldCount)
        {
            error = $"expected exactly {FieldCount} fields, found {fields.Length}: [{string.Join(" ", fields)}]";
            return false;
        }

        var bits = new ulong[FieldCount];
        var stars = new bool[FieldCount];
        for (var i = 0; i < FieldCount; i++)
        {
            foreach (var expression in fields[i].Split(','))
            {
                if ((error = ParseRange(expression, Fields[i], out var rangeBits, out var star)) is not null)
                {
                    return false;
                }

                bits[i] |= rangeBits;
                stars[i] |= star;
            }
        }

        schedule = new CronSchedule(bits, stars[2], stars[4], location);
        error = null;
        return true;
    }

    /// <summary>
    /// The first activation strictly after <paramref name="after"/>, in the wall-clock time of
    /// <see cref="Location"/> if the schedule names one, else of <paramref name="zone"/>; null
    /// when there is none within five years (robfig gives up after five years too).
    /// </summary>
    public DateTimeOffset? Next(DateTimeOffset after, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (_every is { } every)
        {
            // ConstantDelaySchedule.Next: the given time without its fraction of a second, plus the delay.
            return after.AddTicks(-(after.Ticks % TimeSpan.TicksPerSecond)) + every;
        }

        zone = Location ?? zone;
        var local = TimeZoneInfo.ConvertTime(after, zone).DateTime;
        var t = new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0, DateTimeKind.Unspecified).AddMinutes(1);
        var limit = t.AddYears(5);
        while (t < limit)
        {
            if (!Has(3, t.Month))
            {
                t = new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(1);
                continue;
            }

            if (!DayMatches(t))
            {
                t = t.Date.AddDays(1);
                continue;
            }

            if (!Has(1, t.Hour))
            {
                t = t.Date.AddHours(t.Hour + 1);
                continue;
            }

            if (!Has(0, t.Minute) || zone.IsInvalidTime(t))
            {
                t = t.AddMinutes(1);
                continue;
            }

            return new DateTimeOffset(t, zone.GetUtcOffset(t)).ToUniversalTime();
        }

        return null;
    }

    private bool Has(int field, int value) => (_bits[field] & (1ul << value)) != 0;

    private bool DayMatches(DateTime t)
    {
        var dom = Has(2, t.Day);
        var dow = Has(4, (int)t.DayOfWeek);
        return _domStar || _dowStar ? dom && dow : dom || dow;
    }

    private static bool ParseDescriptor(string spec, TimeZoneInfo? location, [NotNullWhen(true)] out CronSchedule? schedule, [NotNullWhen(false)] out string? error)
    {
        schedule = null;
        if (Descriptors.TryGetValue(spec, out var fields))
        {
            // The expansions are valid fields; only the zone is the caller's.
            var parsed = Parse(fields);
            schedule = new CronSchedule(parsed._bits, parsed._domStar, parsed._dowStar, location);
            error = null;
            return true;
        }

        const string every = "@every ";
        if (!spec.StartsWith(every, StringComparison.Ordinal))
        {
            error = $"unrecognized descriptor: {spec}";
            return false;
        }

        if ((error = GoDuration.TryParse(spec[every.Length..], out var duration)) is not null)
        {
            error = $"failed to parse duration {spec}: {error}";
            return false;
        }

        // constantdelay.go Every: at least a second, in whole seconds.
        if (duration < TimeSpan.FromSeconds(1))
        {
            duration = TimeSpan.FromSeconds(1);
        }

        schedule = new CronSchedule(duration - TimeSpan.FromTicks(duration.Ticks % TimeSpan.TicksPerSecond), location);
        return true;
    }

    // getRange: "*" or "?", a number or name, "a-b", each optionally "/step"; "N/step" means "N-max/step".
    private static string? ParseRange(string expression, Bounds bounds, out ulong bits, out bool star)
    {
        bits = 0;
        star = false;
        var rangeAndStep = expression.Split('/');
        var lowAndHigh = rangeAndStep[0].Split('-');
        int start, end;
        string? error;
        if (lowAndHigh[0] is "*" or "?")
        {
            (start, end, star) = (bounds.Min, bounds.Max, true);
        }
        else
        {
            if ((error = ParseIntOrName(lowAndHigh[0], bounds, out start)) is not null)
            {
                return error;
            }

            switch (lowAndHigh.Length)
            {
                case 1:
                    end = start;
                    break;
                case 2:
                    if ((error = ParseIntOrName(lowAndHigh[1], bounds, out end)) is not null)
                    {
                        return error;
                    }

                    break;
                default:
                    return $"too many hyphens: {expression}";
            }
        }

        var step = 1;
        switch (rangeAndStep.Length)
        {
            case 1:
                break;
            case 2:
                if ((error = ParseInt(rangeAndStep[1], out step)) is not null)
                {
                    return error;
                }

                if (lowAndHigh.Length == 1)
                {
                    end = bounds.Max;
                }

                // A star with a step of more than one restricts the field ("*/2" is not "*").
                star &= step <= 1;
                break;
            default:
                return $"too many slashes: {expression}";
        }

        if (start < bounds.Min)
        {
            return $"beginning of range ({start}) below minimum ({bounds.Min}): {expression}";
        }

        if (end > bounds.Max)
        {
            return $"end of range ({end}) above maximum ({bounds.Max}): {expression}";
        }

        if (start > end)
        {
            return $"beginning of range ({start}) beyond end of range ({end}): {expression}";
        }

        if (step == 0)
        {
            return $"step of range should be a positive number: {expression}";
        }

        for (var i = start; i <= end; i += step)
        {
            bits |= 1ul << i;
        }

        return null;
    }

    private static string? ParseIntOrName(string text, Bounds bounds, out int value)
    {
        if (bounds.Names is not null && Array.IndexOf(bounds.Names, text.ToLowerInvariant()) is var index and >= 0)
        {
            value = index + bounds.NameOffset;
            return null;
        }

        return ParseInt(text, out value);
    }

    // mustParseInt: strconv.Atoi, then no negatives.
    private static string? ParseInt(string text, out int value)
    {
        value = 0;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            var digits = text.Length > 0 && text[0] is '+' or '-' ? text[1..] : text;
            var reason = digits.Length > 0 && digits.All(char.IsAsciiDigit) ? "value out of range" : "invalid syntax";
            return $"failed to parse int from {text}: strconv.Atoi: parsing {GoStrings.Quote(text)}: {reason}";
        }

        if (number < 0)
        {
            return $"negative number ({number}) not allowed: {text}";
        }

        value = number;
        return null;
    }

    private static string? LoadLocation(string name, out TimeZoneInfo? location)
    {
        location = null;
        // Go's time.LoadLocation: "" and "UTC" are UTC; anything else must be in the zone database.
        if (name is "" or "UTC")
        {
            location = TimeZoneInfo.Utc;
            return null;
        }

        try
        {
            location = TimeZoneInfo.FindSystemTimeZoneById(name);
            return null;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return $"provided bad location {name}: unknown time zone {name}";
        }
    }
}
