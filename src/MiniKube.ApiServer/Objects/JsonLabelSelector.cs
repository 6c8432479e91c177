
namespace MiniKube.ApiServer.Objects;

/// <summary>
/// Reads the selectors of wire-format objects into <see cref="LabelSelector"/>, which holds the
/// one meaning of a selector: a metav1.LabelSelector object (<c>{"matchLabels":{..},
/// "matchExpressions":[..]}</c>) or a plain map. Only the JSON walking lives here.
/// </summary>
internal static class JsonLabelSelector
{
    /// <summary>
    /// metav1.LabelSelectorAsSelector over JSON: null selects nothing, an empty one everything.
    /// Throws <see cref="InvalidSelectorException"/> for an unknown operator or invalid key/values.
    /// </summary>
    public static LabelSelector From(JsonObject? selector)
    {
        if (selector is null)
        {
            return LabelSelector.Nothing;
        }

        var requirements = new List<LabelRequirement>();
        foreach (var (key, value) in selector.StringMap("matchLabels"))
        {
            requirements.Add(LabelRequirement.Create(key, LabelOperator.Equals, [value]));
        }

        foreach (var (_, expression) in selector.Items("matchExpressions"))
        {
            var values = (expression.Arr("values") ?? []).Select(v => v is JsonValue text && text.TryGetValue(out string? value) ? value : "").ToList();
            requirements.Add(LabelSelector.FromExpression(JsonFields.ScalarText(expression["key"]), JsonFields.ScalarText(expression["operator"]), values));
        }

        return LabelSelector.FromRequirements(requirements);
    }

    /// <summary>A map-shaped selector (Service, ReplicationController); null or empty selects everything.</summary>
    public static LabelSelector FromSet(JsonObject? set) => set is null ? LabelSelector.Everything : LabelSelector.FromSet(Map(set));

    /// <summary>Whether the labels (an object's <c>metadata.labels</c>, possibly absent) satisfy the selector.</summary>
    public static bool Matches(this LabelSelector selector, JsonObject? labels)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return selector.Matches(Map(labels));
    }

    private static Dictionary<string, string> Map(JsonObject? strings) =>
        strings?.ToDictionary(p => p.Key, p => JsonFields.ScalarText(p.Value), StringComparer.Ordinal) ?? new Dictionary<string, string>(StringComparer.Ordinal);
}
