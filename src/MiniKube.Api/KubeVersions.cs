using System.Globalization;
using System.Text.RegularExpressions;

namespace MiniKube.Api;

/// <summary>
/// The order of API versions as Kubernetes sorts them (apimachinery pkg/version/helpers.go
/// CompareKubeAwareVersionStrings): versions of the form v&lt;major&gt;[alpha|beta&lt;minor&gt;]
/// come first, GA before beta before alpha, higher numbers first; everything else after them,
/// in alphabetical order. Used wherever a preferred version is picked among equals (APIServices
/// of one group, CRD versions).
/// </summary>
public static partial class KubeVersions
{
    /// <summary>Sorts highest priority first: a negative result means <paramref name="x"/> comes before <paramref name="y"/>.</summary>
    public static int Compare(string x, string y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var a = Parse(x);
        var b = Parse(y);
        if (a is null || b is null)
        {
            return (a, b) switch
            {
                (null, null) => string.CompareOrdinal(x, y),
                (null, _) => 1,
                _ => -1,
            };
        }
        if (a.Value.Stability != b.Value.Stability)
        {
            return b.Value.Stability.CompareTo(a.Value.Stability);
        }
        if (a.Value.Major != b.Value.Major)
        {
            return b.Value.Major.CompareTo(a.Value.Major);
        }
        return b.Value.Minor.CompareTo(a.Value.Minor);
    }

    /// <summary>A comparer for sorting versions by <see cref="Compare"/>.</summary>
    public static IComparer<string> Comparer { get; } = Comparer<string>.Create(Compare);

    // Stability: 2 GA, 1 beta, 0 alpha; null when the string is not a Kubernetes version.
    private static (int Stability, long Major, long Minor)? Parse(string version)
    {
        var match = VersionPattern().Match(version);
        if (!match.Success || !long.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, out var major))
        {
            return null;
        }
        if (match.Groups[2].Value.Length == 0)
        {
            return (2, major, 0);
        }
        if (!long.TryParse(match.Groups[3].Value, CultureInfo.InvariantCulture, out var minor))
        {
            return null;
        }
        return (match.Groups[2].Value == "beta" ? 1 : 0, major, minor);
    }

    [GeneratedRegex("^v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();
}
