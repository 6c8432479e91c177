using System.Text.RegularExpressions;

namespace MiniKube.ApiServer.PodSecurity;

/// <summary>
/// A policy version of the namespace labels: "latest" or "v1.N" (pod-security-admission
/// api/helpers.go Version). Latest is newer than every numbered version, also future ones; a
/// numbered version newer than the checks know is evaluated as the newest they know.
/// </summary>
/// <param name="Major">Always 1 for a parsed version.</param>
/// <param name="Minor">The N of v1.N.</param>
/// <param name="IsLatest">True for "latest" (Major and Minor are then 0).</param>
public readonly partial record struct PolicyVersion(int Major, int Minor, bool IsLatest)
{
    /// <summary>What a version label must be, in upstream's words.</summary>
    public const string ValidValues = "must be \"latest\" or \"v1.x\"";

    /// <summary>"latest".</summary>
    public static PolicyVersion Latest { get; } = new(0, 0, true);

    /// <summary>v1.<paramref name="minor"/>.</summary>
    public static PolicyVersion V1(int minor) => new(1, minor, false);

    /// <summary>The version a label names; null when it names none ("latest" is then used, as upstream).</summary>
    public static PolicyVersion? Parse(string value)
    {
        if (value == "latest")
        {
            return Latest;
        }
        var match = VersionPattern().Match(value);
        // A minor beyond int fails Atoi upstream and is refused the same way.
        return match.Success && int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var minor) ? V1(minor) : null;
    }

    /// <summary>True when this version is older than <paramref name="other"/>.</summary>
    public bool OlderThan(PolicyVersion other)
    {
        if (IsLatest)
        {
            return false;
        }
        if (other.IsLatest)
        {
            return true;
        }
        return Major != other.Major ? Major < other.Major : Minor < other.Minor;
    }

    public override string ToString() => IsLatest ? "latest" : string.Create(CultureInfo.InvariantCulture, $"v{Major}.{Minor}");

    // api/helpers.go versionRegexp: no leading zeros, no sign.
    [GeneratedRegex(@"^v1\.([0-9]|[1-9][0-9]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();
}

/// <summary>A level at a version, written "restricted:latest" or "baseline:v1.25" as upstream's messages quote it.</summary>
public readonly record struct LevelVersion(PodSecurityLevel Level, PolicyVersion Version)
{
    /// <summary>Privileged at latest: the default of every mode here, as k3s leaves it.</summary>
    public static LevelVersion PrivilegedLatest { get; } = new(PodSecurityLevel.Privileged, PolicyVersion.Latest);

    /// <summary>Both privileged (whatever the version), or the same level and version.</summary>
    public bool EquivalentTo(LevelVersion other) =>
        (Level == PodSecurityLevel.Privileged && other.Level == PodSecurityLevel.Privileged) || this == other;

    public override string ToString() => $"{Level.Name()}:{Version}";
}
