using System.Globalization;

namespace MiniKube.Addons.Metrics;

/// <summary>One sample line of the Prometheus text format: name, labels, value and optional timestamp (ms).</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value, long? TimestampMs);

/// <summary>
/// A reader of the Prometheus text exposition format (version 0.0.4, as prometheus/common expfmt
/// text_parse.go reads it), enough for a kubelet's /metrics/resource: comments and blank lines
/// are skipped, label values unescaped (<c>\\</c>, <c>\"</c>, <c>\n</c>), values may be
/// <c>NaN</c>, <c>+Inf</c> or <c>-Inf</c>. A malformed line is a <see cref="FormatException"/> naming it.
/// </summary>
public static class PrometheusText
{
    public static IReadOnlyList<PrometheusSample> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var samples = new List<PrometheusSample>();
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            samples.Add(ParseLine(line) ?? throw new FormatException($"line {number.ToString(CultureInfo.InvariantCulture)}: not a sample: {line}"));
        }
        return samples;
    }

    private static PrometheusSample? ParseLine(string line)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' ' or '\t'))
        {
            i++;
        }
        var name = line[..i];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                while (i < line.Length && line[i] is ' ' or ',')
                {
                    i++;
                }
                if (i < line.Length && line[i] == '}')
                {
                    i++;
                    break;
                }
                var equals = line.IndexOf('=', i);
                if (equals < 0 || equals + 1 >= line.Length || line[equals + 1] != '"')
                {
                    return null;
                }
                var key = line[i..equals].Trim();
                var value = new System.Text.StringBuilder();
                i = equals + 2;
                for (; i < line.Length && line[i] != '"'; i++)
                {
                    if (line[i] == '\\' && i + 1 < line.Length)
                    {
                        i++;
                        value.Append(line[i] == 'n' ? '\n' : line[i]);
                    }
                    else
                    {
                        value.Append(line[i]);
                    }
                }
                if (i >= line.Length)
                {
                    return null;
                }
                i++;
                labels[key] = value.ToString();
            }
        }
        var rest = line[i..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (name.Length == 0 || rest.Length is 0 or > 2 || !TryValue(rest[0], out var sample))
        {
            return null;
        }
        long? timestamp = null;
        if (rest.Length == 2)
        {
            if (!long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms))
            {
                return null;
            }
            timestamp = ms;
        }
        return new PrometheusSample(name, labels, sample, timestamp);
    }

    private static bool TryValue(string text, out double value)
    {
        switch (text)
        {
            case "NaN":
                value = double.NaN;
                return true;
            case "+Inf" or "Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }
}
