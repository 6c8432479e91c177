using System.Text.RegularExpressions;
using CelNet = global::Cel;

namespace MiniKube.ApiServer.Cel;

/// <summary>
/// Kubernetes' format library (apiserver pkg/cel/library/format.go): <c>format.dns1123Label()</c>
/// and the other named formats, <c>format.named(name)</c> (an optional), and
/// <c>fmt.validate(value)</c>, which is <c>optional.none()</c> for a valid value and otherwise the
/// list of what is wrong, in MiniKube.Api's <see cref="Formats"/> words. The <c>…Prefix</c>
/// formats validate a generateName, ignoring one trailing dash.
/// </summary>
internal static partial class KubernetesLibrary
{
    private static readonly Dictionary<string, Func<string, IReadOnlyList<string>>> NamedFormats = new(StringComparer.Ordinal)
    {
        ["dns1123Label"] = Formats.IsDns1123Label,
        ["dns1123Subdomain"] = Formats.IsDns1123Subdomain,
        ["dns1035Label"] = Formats.IsDns1035Label,
        ["qualifiedName"] = Formats.IsQualifiedName,
        ["dns1123LabelPrefix"] = v => Formats.IsDns1123Label(MaskTrailingDash(v)),
        ["dns1123SubdomainPrefix"] = v => Formats.IsDns1123Subdomain(MaskTrailingDash(v)),
        ["dns1035LabelPrefix"] = v => Formats.IsDns1035Label(MaskTrailingDash(v)),
        ["labelValue"] = Formats.IsValidLabelValue,
        ["uri"] = v => CelUrl.Parse(v) is null ? [$"invalid URI: parse {GoStrings.Quote(v)}: invalid URI for request"] : [],
        ["uuid"] = v => UuidPattern().IsMatch(v) ? [] : ["does not match the UUID format"],
        ["byte"] = v => Convert.TryFromBase64String(v, new byte[v.Length], out _) ? [] : ["invalid base64"],
        ["date"] = v => DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) ? [] : ["invalid date"],
        ["datetime"] = v => DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.None, out _) && v.Contains('T', StringComparison.OrdinalIgnoreCase) ? [] : ["invalid datetime"],
    };

    private static void RegisterFormats(CelNet.CelEnvironment env)
    {
        foreach (var name in NamedFormats.Keys)
        {
            AddNamespaced(env, "format", name, [], _ => new CelFormat(name));
        }
        AddNamespaced(env, "format", "named", [typeof(string)], a =>
            NamedFormats.ContainsKey(Str(a[0])) ? new CelOptional(true, new CelFormat(Str(a[0]))) : CelOptional.None);
        Add(env, "validate", [typeof(CelFormat), typeof(string)], a =>
        {
            var errors = NamedFormats[((CelFormat)a[0]!).Name](Str(a[1]));
            return errors.Count == 0 ? CelOptional.None : new CelOptional(true, errors.Cast<object?>().ToArray());
        });
    }

    // apimachinery validation.MaskTrailingDash: a generateName may end in '-'.
    private static string MaskTrailingDash(string value) =>
        value.Length > 1 && value.EndsWith('-') ? value[..^2] + "a" : value;

    [GeneratedRegex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\z")]
    private static partial Regex UuidPattern();
}

/// <summary>A named string format of the format library.</summary>
internal sealed record CelFormat(string Name);
