using System.Text.RegularExpressions;

namespace MiniKube.ApiServer.Resources;

/// <summary>
/// Kubernetes' version ordering (apimachinery pkg/version helpers.go CompareKubeAwareVersionStrings):
/// GA before beta before alpha, higher majors and minors first within each (v2, v1, v11beta2,
/// v10beta3, v3beta1, v12alpha1, v11alpha2), then versions that do not look like Kubernetes
/// versions in alphabetical order. Discovery lists a CRD group's versions in this order, the first
/// being the preferred one.
/// </summary>
public static partial class VersionPriority
{
    /// <summary>Negative when <paramref name="a"/> comes first (has the higher priority).</summary>
    public static int Compare(string? a, string? b)
    {
        var x = Parse(a ?? "");
        var y = Parse(b ?? "");
        if (x is null && y is null)
        {
            return string.CompareOrdinal(a, b);
        }
        if (x is null || y is null)
        {
            return x is null ? 1 : -1;
        }
        var (majorA, stageA, minorA) = x.Value;
        var (majorB, stageB, minorB) = y.Value;
        if (stageA != stageB)
        {
            return stageB.CompareTo(stageA);
        }
        if (majorA != majorB)
        {
            return majorB.CompareTo(majorA);
        }
        return minorB.CompareTo(minorA);
    }

    // stage: 2 GA, 1 beta, 0 alpha.
    private static (long Major, int Stage, long Minor)? Parse(string version)
    {
        var match = KubeVersion().Match(version);
        if (!match.Success || !long.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, out var major))
        {
            return null;
        }
        if (match.Groups[2].Length == 0)
        {
            return (major, 2, 0);
        }
        return long.TryParse(match.Groups[3].Value, CultureInfo.InvariantCulture, out var minor)
            ? (major, match.Groups[2].Value == "beta" ? 1 : 0, minor)
            : null;
    }

    [GeneratedRegex("^v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?$")]
    private static partial Regex KubeVersion();
}
