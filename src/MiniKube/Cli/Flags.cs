using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace MiniKube.Cli;

/// <summary>
/// Factories for mkube's typed flags, each with the validation its values need, so a bad value
/// is rejected the same way whether it came from the command line, the environment or the
/// config file.
/// </summary>
internal static partial class Flags
{
    public static Option<string> Text(string name, string? defaultValue, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = defaultValue is null ? null : _ => defaultValue,
    };

    public static Option<bool> Switch(string name, string description) => new(name) { Description = description };

    public static Option<int> Port(string name, int defaultValue, string description, bool allowAny = false)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            // A token that is not a number at all is already reported by the parser's own conversion.
            if (result.Tokens.Count == 0 || !int.TryParse(result.Tokens[^1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var port))
            {
                return;
            }
            if (port is < 0 or > 65535 || (port == 0 && !allowAny))
            {
                result.AddError($"{name}: {port} is not a port number (1-65535)");
            }
        });
        return option;
    }

    /// <summary>A whole number from 0 to <paramref name="max"/>, e.g. a count of nodes.</summary>
    public static Option<int> Count(string name, int max, string description) => Number(name, 0, 0, max, description);

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Option<int> Number(string name, int defaultValue, int min, int max, string description)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            // A token that is not a number at all is already reported by the parser's own conversion.
            if (result.Tokens.Count > 0
                && int.TryParse(result.Tokens[^1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
                && (number < min || number > max))
            {
                result.AddError($"{name}: {number} is not a number from {min} to {max}");
            }
        });
        return option;
    }

    /// <summary>A non-negative duration in Go's spelling (<c>500ms</c>, <c>2s</c>, <c>1m30s</c>), as k3s flags take them.</summary>
    public static Option<TimeSpan> Duration(string name, TimeSpan defaultValue, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (GoDuration.TryParse(text, out var value) is null && value >= TimeSpan.Zero)
            {
                return value;
            }
            result.AddError($"{name}: \"{text}\" is not a duration such as 500ms, 2s or 1m30s");
            return defaultValue;
        },
    };

    /// <summary>
    /// A number of bytes as a Kubernetes quantity (<c>256Mi</c>, <c>1G</c>, <c>1048576</c>), or
    /// <c>unlimited</c> (read as 0, as is 0 itself): no limit.
    /// </summary>
    public static Option<long> ByteSize(string name, long defaultValue, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (text == "unlimited")
            {
                return 0;
            }
            if (Quantities.TryParse(text, out var value) && value >= 0 && value <= long.MaxValue && value == decimal.Truncate(value))
            {
                return (long)value;
            }
            result.AddError($"{name}: \"{text}\" is not a size in bytes such as 256Mi, 1Gi or unlimited");
            return defaultValue;
        },
    };

    public static Option<string> IpAddress(string name, string? defaultValue, string description) =>
        Validated(Text(name, defaultValue, description), value =>
            IPAddress.TryParse(value, out _) ? null : $"{name}: \"{value}\" is not an IP address");

    public static Option<string> Cidr(string name, string defaultValue, string description) =>
        Validated(Text(name, defaultValue, description), value =>
            IPNetwork.TryParse(value, out _) ? null : $"{name}: \"{value}\" is not a CIDR block such as 10.42.0.0/16");

    public static Option<string> PortRange(string name, string defaultValue, string description) =>
        Validated(Text(name, defaultValue, description), value =>
        {
            var parts = value.Split('-');
            return parts.Length == 2
                && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low)
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var high)
                && low is >= 1 and <= 65535 && high >= low && high <= 65535
                ? null
                : $"{name}: \"{value}\" is not a port range such as 30000-32767";
        });

    public static Option<string> FileMode(string name, string defaultValue, string description) =>
        Validated(Text(name, defaultValue, description), value =>
            OctalMode().IsMatch(value) ? null : $"{name}: \"{value}\" is not an octal file mode such as 0600");

    /// <summary>A DNS-1123 subdomain, as Kubernetes requires for node names and the cluster domain.</summary>
    public static Option<string> DnsName(string name, string? defaultValue, string description) =>
        Validated(Text(name, defaultValue, description), value =>
            Formats.IsDns1123Subdomain(value).Count == 0
                ? null
                : $"{name}: \"{value}\" must be a lowercase DNS-1123 subdomain (a-z, 0-9, '-' and '.', starting and ending with a letter or digit)");

    /// <summary>One or more comma-separated http(s) URLs.</summary>
    public static Option<string> Urls(string name, string description, bool httpsOnly = false) =>
        Validated(Text(name, null, description), value =>
        {
            foreach (var url in value.Split(',', StringSplitOptions.TrimEntries))
            {
                var ok = Uri.TryCreate(url, UriKind.Absolute, out var uri)
                    && (uri.Scheme == Uri.UriSchemeHttps || (!httpsOnly && uri.Scheme == Uri.UriSchemeHttp));
                if (!ok)
                {
                    return $"{name}: \"{url}\" is not an {(httpsOnly ? "https" : "http(s)")}:// URL";
                }
            }
            return null;
        });

    /// <summary>A value from a fixed set, e.g. --runtime docker|simulated.</summary>
    public static Option<string> Choice(string name, string defaultValue, string description, params string[] allowed) =>
        Validated(Text(name, defaultValue, description), value =>
            allowed.Contains(value, StringComparer.Ordinal) ? null : $"{name}: '{value}' is not one of {string.Join(", ", allowed)}");

    /// <summary>
    /// Names from a fixed set, repeated or comma-separated as k3s' string slices
    /// (<c>--disable ingress --disable metrics</c> or <c>--disable ingress,metrics</c>).
    /// </summary>
    public static Option<string[]> ChoiceList(string name, string description, params string[] allowed)
    {
        var option = new Option<string[]>(name)
        {
            Description = $"{description} ({string.Join(", ", allowed)}; repeat the flag or separate with commas)",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        option.Validators.Add(result =>
        {
            foreach (var value in SplitList(result.GetValueOrDefault<string[]>() ?? []))
            {
                if (!allowed.Contains(value, StringComparer.Ordinal))
                {
                    result.AddError($"{name}: '{value}' is not one of {string.Join(", ", allowed)}");
                    return;
                }
            }
        });
        return option;
    }

    /// <summary>The values of a <see cref="ChoiceList"/>, each comma-separated token split.</summary>
    public static IEnumerable<string> SplitList(IEnumerable<string> tokens) =>
        tokens.SelectMany(token => token.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    /// <summary>A cron schedule (five fields or @every/@daily…, as CronJobs take them), e.g. <c>0 */12 * * *</c>.</summary>
    public static Option<string> Cron(string name, string defaultValue, string description) =>
        Validated(Text(name, defaultValue, description), value =>
            CronSchedule.TryParse(value, out _, out var error) ? null : $"{name}: \"{value}\" is not a cron schedule: {error}");

    /// <summary>Also accepts <paramref name="alias"/>, e.g. k3s' spelling of the same flag.</summary>
    public static Option<T> WithAlias<T>(Option<T> option, string alias)
    {
        option.Aliases.Add(alias);
        return option;
    }

    /// <summary>Adds a check that returns an error message, or null when the value is good.</summary>
    private static Option<string> Validated(Option<string> option, Func<string, string?> check)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } value && check(value) is { } error)
            {
                result.AddError(error);
            }
        });
        return option;
    }

    /// <summary>The environment twin of a flag: <c>--data-dir</c> is <c>MKUBE_DATA_DIR</c>.</summary>
    public static string EnvironmentName(Option option) =>
        Defaults.EnvironmentPrefix + option.Name.TrimStart('-').ToUpperInvariant().Replace('-', '_');

    /// <summary>The config-file key of a flag: <c>--data-dir</c> is <c>data-dir</c>, as in k3s.</summary>
    public static string ConfigKey(Option option) => option.Name.TrimStart('-');

    [GeneratedRegex("^0?[0-7]{3}$")]
    private static partial Regex OctalMode();
}
