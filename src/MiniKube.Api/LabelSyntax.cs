namespace MiniKube.Api;

/// <summary>
/// Label key and value checks for selectors, on the same rules and texts as admission's
/// (<see cref="Formats"/>: apimachinery v0.32 pkg/util/validation), with the field-error
/// rendering of pkg/util/validation/field/errors.go, so selector errors read exactly as
/// kube-apiserver's.
/// </summary>
internal static class LabelSyntax
{
    /// <summary>Problems with a label key (optional DNS-subdomain prefix, '/', then a name); empty when valid.</summary>
    public static IReadOnlyList<string> KeyErrors(string key) => Formats.IsQualifiedName(key);

    /// <summary>Problems with a label value (empty, or at most 63 name characters); empty when valid.</summary>
    public static IReadOnlyList<string> ValueErrors(string value) => Formats.IsValidLabelValue(value);

    /// <summary>A field.Invalid error as Go renders it: <c>path: Invalid value: "bad": detail</c>.</summary>
    public static string Invalid(string path, string badValue, string detail) => $"{path}: Invalid value: {GoStrings.Quote(badValue)}: {detail}";

    /// <summary>A field.Invalid error whose bad value is a list, rendered as JSON the way Go marshals it.</summary>
    public static string Invalid(string path, IReadOnlyList<string> badValues, string detail) =>
        $"{path}: Invalid value: [{string.Join(",", badValues.Select(GoStrings.Quote))}]: {detail}";

    /// <summary>
    /// The text of an aggregated error list (apimachinery pkg/util/errors): one message alone,
    /// several deduplicated inside brackets.
    /// </summary>
    public static string Aggregate(IReadOnlyList<string> messages)
    {
        var distinct = messages.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count == 1 ? distinct[0] : "[" + string.Join(", ", distinct) + "]";
    }
}
