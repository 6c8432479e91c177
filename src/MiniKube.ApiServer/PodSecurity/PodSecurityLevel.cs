namespace MiniKube.ApiServer.PodSecurity;

/// <summary>
/// The Pod Security Standards levels, least strict first (pod-security-admission api/constants.go).
/// Privileged checks nothing; Baseline runs the baseline checks; Restricted runs the restricted
/// checks plus every baseline check a restricted one does not replace.
/// </summary>
public enum PodSecurityLevel
{
    Privileged,
    Baseline,
    Restricted,
}

/// <summary>The level names of the namespace labels, and their parsing (api/helpers.go ParseLevel).</summary>
public static class PodSecurityLevels
{
    /// <summary>What a label value must be, in upstream's words.</summary>
    public const string ValidValues = "must be one of privileged, baseline, restricted";

    /// <summary>The label spelling of a level.</summary>
    public static string Name(this PodSecurityLevel level) => level switch
    {
        PodSecurityLevel.Privileged => "privileged",
        PodSecurityLevel.Baseline => "baseline",
        _ => "restricted",
    };

    /// <summary>The level a label names; null when it names none (the caller then falls back as upstream does).</summary>
    public static PodSecurityLevel? Parse(string value) => value switch
    {
        "privileged" => PodSecurityLevel.Privileged,
        "baseline" => PodSecurityLevel.Baseline,
        "restricted" => PodSecurityLevel.Restricted,
        _ => null,
    };
}
