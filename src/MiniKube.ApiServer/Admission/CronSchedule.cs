using System.Globalization;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// Checks a CronJob schedule the way robfig/cron/v3 ParseStandard does (which kube-apiserver
/// uses): five fields of numbers, names, ranges, steps and lists, or an @descriptor, with that
/// library's error texts. Returns null for a valid schedule.
/// </summary>
internal static class CronSchedule
{
    private sealed record FieldBounds(uint Min, uint Max, IReadOnlyDictionary<string, uint>? Names);

    private static readonly IReadOnlyDictionary<string, uint> Months = new Dictionary<string, uint>(StringComparer.Ordinal)
    {
        ["jan"] = 1, ["feb"] = 2, ["mar"] = 3, ["apr"] = 4, ["may"] = 5, ["jun"] = 6,
        ["jul"] = 7, ["aug"] = 8, ["sep"] = 9, ["oct"] = 10, ["nov"] = 11, ["dec"] = 12,
    };

    private static readonly IReadOnlyDictionary<string, uint> Days = new Dictionary<string, uint>(StringComparer.Ordinal)
    {
        ["sun"] = 0, ["mon"] = 1, ["tue"] = 2, ["wed"] = 3, ["thu"] = 4, ["fri"] = 5, ["sat"] = 6,
    };

    private static readonly FieldBounds[] Fields =
    [
        new(0, 59, null), new(0, 23, null), new(1, 31, null), new(1, 12, Months), new(0, 6, Days),
    ];

    private static readonly HashSet<string> Descriptors = new(StringComparer.Ordinal)
    {
        "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly",
    };

    public static string? Check(string schedule)
    {
        var spec = schedule;
        if (spec.Length == 0)
        {
            return "empty spec string";
        }
        if (spec.StartsWith("TZ=", StringComparison.Ordinal) || spec.StartsWith("CRON_TZ=", StringComparison.Ordinal))
        {
            var space = spec.IndexOf(' ', StringComparison.Ordinal);
            spec = space < 0 ? "" : spec[(space + 1)..].Trim();
        }
        if (spec.StartsWith('@'))
        {
            if (Descriptors.Contains(spec))
            {
                return null;
            }
            if (spec.StartsWith("@every ", StringComparison.Ordinal))
            {
                return null;
            }
            return $"unrecognized descriptor: {spec}";
        }
        var fields = spec.Split([' ', '\t', '\n', '\r', '\v', '\f'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != Fields.Length)
        {
            return $"expected exactly {Fields.Length} fields, found {fields.Length}: [{string.Join(" ", fields)}]";
        }
        for (var i = 0; i < fields.Length; i++)
        {
            foreach (var expression in fields[i].Split(','))
            {
                if (CheckRange(expression, Fields[i]) is { } error)
                {
                    return error;
                }
            }
        }
        return null;
    }

    private static string? CheckRange(string expression, FieldBounds bounds)
    {
        var rangeAndStep = expression.Split('/');
        var lowAndHigh = rangeAndStep[0].Split('-');
        uint start, end;
        string? error;
        if (lowAndHigh[0] is "*" or "?")
        {
            (start, end) = (bounds.Min, bounds.Max);
        }
        else
        {
            if ((error = ParseIntOrName(lowAndHigh[0], bounds.Names, out start)) is not null)
            {
                return error;
            }
            switch (lowAndHigh.Length)
            {
                case 1:
                    end = start;
                    break;
                case 2:
                    if ((error = ParseIntOrName(lowAndHigh[1], bounds.Names, out end)) is not null)
                    {
                        return error;
                    }
                    break;
                default:
                    return $"too many hyphens: {expression}";
            }
        }
        uint step = 1;
        switch (rangeAndStep.Length)
        {
            case 1:
                break;
            case 2:
                if ((error = ParseInt(rangeAndStep[1], out step)) is not null)
                {
                    return error;
                }
                // "N/step" means "N-max/step".
                if (lowAndHigh.Length == 1)
                {
                    end = bounds.Max;
                }
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
        return step == 0 ? $"step of range should be a positive number: {expression}" : null;
    }

    private static string? ParseIntOrName(string text, IReadOnlyDictionary<string, uint>? names, out uint value)
    {
        if (names is not null && names.TryGetValue(text.ToLowerInvariant(), out value))
        {
            return null;
        }
        return ParseInt(text, out value);
    }

    // mustParseInt: strconv.Atoi, then no negatives.
    private static string? ParseInt(string text, out uint value)
    {
        value = 0;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            var reason = text.TrimStart('+', '-').All(char.IsAsciiDigit) && text.TrimStart('+', '-').Length > 0 ? "value out of range" : "invalid syntax";
            return $"failed to parse int from {text}: strconv.Atoi: parsing {GoSyntax.Quote(text)}: {reason}";
        }
        if (number < 0)
        {
            return $"negative number ({number}) not allowed: {text}";
        }
        value = (uint)number;
        return null;
    }
}
