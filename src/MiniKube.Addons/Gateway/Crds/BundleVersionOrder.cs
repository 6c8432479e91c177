namespace MiniKube.Addons.Gateway.Crds;

/// <summary>
/// Orders Gateway API bundle versions (<c>v1.3.0</c>, <c>v1.4.0-rc.1</c>) as semantic versions:
/// major, minor and patch by number, a pre-release before its release. A missing or unreadable
/// version is older than any, so the installer replaces it with its own.
/// </summary>
internal static class BundleVersionOrder
{
    /// <summary>True when <paramref name="installed"/> is a later release than <paramref name="ours"/>.</summary>
    public static bool IsNewer(string? installed, string ours) =>
        Parse(installed) is { } theirs && Parse(ours) is { } mine && Compare(theirs, mine) > 0;

    private static int Compare((Version Release, bool PreRelease) a, (Version Release, bool PreRelease) b)
    {
        var release = a.Release.CompareTo(b.Release);
        // Among pre-releases of one version (rc.1, rc.2) order is not needed: neither is newer than a release we would ship.
        return release != 0 ? release : b.PreRelease.CompareTo(a.PreRelease);
    }

    private static (Version Release, bool PreRelease)? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        var core = text.StartsWith('v') ? text[1..] : text;
        var dash = core.IndexOfAny(['-', '+']);
        var preRelease = dash >= 0 && core[dash] == '-';
        if (dash >= 0)
        {
            core = core[..dash];
        }
        return core.Split('.').Length == 3 && Version.TryParse(core, out var release) ? (release, preRelease) : null;
    }
}
