namespace MiniKube.Api;

/// <summary>
/// The ports of a port-forward request (k8s.io/kubelet's portforward.NewV4Options and the SPDY
/// stream check): each value a decimal port 1–65535, and a query value may list several
/// separated by commas. The API server and the kubelet both read them, with upstream's messages.
/// </summary>
public static class PortForwardPorts
{
    /// <summary>Why <paramref name="value"/> is not one port, or null when it is.</summary>
    public static string? ParseProblem(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!ushort.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port))
        {
            return $"unable to parse \"{value}\" as a port";
        }
        return port < 1 ? $"port \"{value}\" must be > 0" : null;
    }

    /// <summary>
    /// The ports of the query values of <paramref name="parameter"/>, in order; at least one is required.
    /// </summary>
    /// <exception cref="FormatException">Missing, empty or malformed; the message is upstream's.</exception>
    public static IReadOnlyList<int> Parse(IEnumerable<string?> values, string parameter)
    {
        ArgumentNullException.ThrowIfNull(values);
        var ports = new List<int>();
        var any = false;
        foreach (var value in values)
        {
            any = true;
            if (string.IsNullOrEmpty(value))
            {
                throw new FormatException($"query parameter \"{parameter}\" cannot be empty");
            }
            foreach (var part in value.Split(','))
            {
                if (ParseProblem(part) is { } problem)
                {
                    throw new FormatException(problem);
                }
                ports.Add(int.Parse(part, System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return any ? ports : throw new FormatException($"query parameter \"{parameter}\" is required");
    }
}
