using System.Text;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// The pod fields a container may read through the downward API (pkg/fieldpath and the
/// kubelet's podFieldSelectorRuntimeValue), for env <c>fieldRef</c>s and for downwardAPI volume
/// items alike. Whole label and annotation maps (volumes only) are written as upstream's
/// FormatMap writes them: one <c>key="value"</c> line per entry, sorted by key, values quoted
/// as Go quotes strings.
/// </summary>
internal static class DownwardApi
{
    /// <summary>The value of <paramref name="fieldPath"/> for <paramref name="pod"/> on this node.</summary>
    /// <exception cref="ContainerConfigException">The field is not one the downward API offers.</exception>
    public static string FieldValue(V1Pod pod, string fieldPath, string nodeName, string nodeIp, string? podIp)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return fieldPath switch
        {
            "metadata.name" => pod.Name(),
            "metadata.namespace" => pod.Namespace(),
            "metadata.uid" => pod.Metadata.Uid,
            "metadata.labels" => FormatMap(pod.Metadata.Labels),
            "metadata.annotations" => FormatMap(pod.Metadata.Annotations),
            "spec.nodeName" => nodeName,
            "spec.serviceAccountName" => pod.Spec.ServiceAccountName ?? "default",
            "status.podIP" or "status.podIPs" => podIp ?? "",
            "status.hostIP" or "status.hostIPs" => nodeIp,
            _ when Subscript(fieldPath, "metadata.labels") is { } key => Lookup(pod.Metadata.Labels, key),
            _ when Subscript(fieldPath, "metadata.annotations") is { } key => Lookup(pod.Metadata.Annotations, key),
            _ => throw new ContainerConfigException($"unsupported fieldRef {fieldPath}"),
        };
    }

    // metadata.labels['app'] → app
    private static string? Subscript(string fieldPath, string map) =>
        fieldPath.Length > map.Length + 4 && fieldPath.StartsWith(map + "['", StringComparison.Ordinal) && fieldPath.EndsWith("']", StringComparison.Ordinal)
            ? fieldPath[(map.Length + 2)..^2]
            : null;

    private static string Lookup(IDictionary<string, string>? map, string key) =>
        map is not null && map.TryGetValue(key, out var value) ? value : "";

    private static string FormatMap(IDictionary<string, string>? map)
    {
        if (map is null || map.Count == 0)
        {
            return "";
        }
        var lines = map.OrderBy(entry => entry.Key, StringComparer.Ordinal).Select(entry => entry.Key + "=" + GoQuote(entry.Value));
        return string.Join('\n', lines);
    }

    // strconv.Quote for the characters label and annotation values carry: escapes for quotes,
    // backslashes and control characters, everything printable kept as it is.
    private static string GoQuote(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => "\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }
        return quoted.Append('"').ToString();
    }
}
