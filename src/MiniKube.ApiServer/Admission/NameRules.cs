
namespace MiniKube.ApiServer.Admission;

/// <summary>Checks an object name (or, with <paramref name="prefix"/>, a generateName) and returns what is wrong.</summary>
public delegate IReadOnlyList<string> NameRule(string name, bool prefix);

/// <summary>
/// The name rules of the served kinds (apimachinery pkg/api/validation generic.go and
/// path/name.go). A generateName may end in '-', so its last character is masked first.
/// </summary>
public static class NameRules
{
    public static IReadOnlyList<string> DnsSubdomain(string name, bool prefix) => Formats.IsDns1123Subdomain(prefix ? MaskTrailingDash(name) : name);

    public static IReadOnlyList<string> DnsLabel(string name, bool prefix) => Formats.IsDns1123Label(prefix ? MaskTrailingDash(name) : name);

    public static IReadOnlyList<string> Dns1035Label(string name, bool prefix) => Formats.IsDns1035Label(prefix ? MaskTrailingDash(name) : name);

    /// <summary>Names that only need to be usable as one URL path segment.</summary>
    public static IReadOnlyList<string> PathSegment(string name, bool prefix)
    {
        if (!prefix && name is "." or "..")
        {
            return [$"may not be '{name}'"];
        }
        var errors = new List<string>();
        foreach (var illegal in new[] { "/", "%" })
        {
            if (name.Contains(illegal, StringComparison.Ordinal))
            {
                errors.Add($"may not contain '{illegal}'");
            }
        }
        return errors;
    }

    // Upstream replaces the last two characters with "a" when the name ends in "-"; keep that quirk.
    private static string MaskTrailingDash(string name) =>
        name.Length > 1 && name.EndsWith('-') ? name[..^2] + "a" : name;
}
