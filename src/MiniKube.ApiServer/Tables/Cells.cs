using MiniKube.ApiServer.Selectors;

using JsonLabelSelector = MiniKube.ApiServer.Objects.JsonLabelSelector;

namespace MiniKube.ApiServer.Tables;

/// <summary>
/// Cell renderings shared by several printers, each following the helper of the same job in
/// kubernetes pkg/printers/internalversion/printers.go or apimachinery's label formatting.
/// </summary>
internal static class Cells
{
    public const string None = "<none>";

    public const string Unset = "<unset>";

    /// <summary>How many entries a list cell shows before it says how many more there are.</summary>
    public const int Listed = 3;

    public static string Name(JsonObject obj) => JsonFields.Text(obj, "metadata", "name");

    /// <summary>Age from metadata.creationTimestamp (translateTimestampSince).</summary>
    public static string Age(JsonObject obj, DateTimeOffset now) => HumanDuration.Since(JsonFields.Time(obj, "metadata", "creationTimestamp"), now);

    /// <summary>Container names joined by ',' (layoutContainerCells), from a pod spec.</summary>
    public static string ContainerNames(JsonNode? podSpec) => string.Join(",", JsonFields.Objects(podSpec, "containers").Select(c => JsonFields.Text(c, "name")));

    /// <summary>Container images joined by ',' (layoutContainerCells), from a pod spec.</summary>
    public static string ContainerImages(JsonNode? podSpec) => string.Join(",", JsonFields.Objects(podSpec, "containers").Select(c => JsonFields.Text(c, "image")));

    /// <summary>A label map as <c>k=v,k2=v2</c> sorted by key, or &lt;none&gt; (labels.FormatLabels).</summary>
    public static string Labels(JsonNode? map)
    {
        var text = LabelSelector.FromSet(JsonFields.StringMap(map)).ToString();
        return text.Length == 0 ? None : text;
    }

    /// <summary>A metav1.LabelSelector rendered as a selector string, &lt;none&gt; or &lt;error&gt; (metav1.FormatLabelSelector).</summary>
    public static string Selector(JsonNode? labelSelector)
    {
        try
        {
            var text = JsonLabelSelector.From(labelSelector as JsonObject).ToString();
            return text.Length == 0 ? None : text;
        }
        catch (InvalidSelectorException)
        {
            return "<error>";
        }
    }

    /// <summary>An optional boolean as True, False or &lt;unset&gt; (printBoolPtr).</summary>
    public static string OptionalBool(bool? value) => value switch
    {
        true => "True",
        false => "False",
        null => Unset,
    };

    /// <summary>The value, or a placeholder when it is null or empty.</summary>
    public static string OrElse(string? value, string fallback) => string.IsNullOrEmpty(value) ? fallback : value;

    /// <summary>The values joined by ',', or a placeholder when there are none.</summary>
    public static string JoinedOr(IEnumerable<string> values, string whenNone)
    {
        var list = values.ToList();
        return list.Count > 0 ? string.Join(",", list) : whenNone;
    }

    /// <summary>
    /// The first <see cref="Listed"/> values joined by the separator, then " + N more..." when
    /// <paramref name="total"/> is larger (listWithMoreString, formatEndpoints, formatHPAMetrics).
    /// </summary>
    public static string FirstFew(IEnumerable<string> values, int total, string separator = ",")
    {
        var text = string.Join(separator, values.Take(Listed));
        return total > Listed ? string.Create(CultureInfo.InvariantCulture, $"{text} + {total - Listed} more...") : text;
    }

    /// <summary>An intstr.IntOrString rendered as its string form; null when absent.</summary>
    public static string? IntOrString(JsonNode? node, params ReadOnlySpan<string> path) => JsonFields.String(node, path);
}
