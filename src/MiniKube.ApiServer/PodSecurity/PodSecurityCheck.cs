namespace MiniKube.ApiServer.PodSecurity;

/// <summary>
/// One check of a level with its revisions (pod-security-admission policy/checks.go Check): each
/// revision applies from its minimum policy version up to the next revision's; a restricted
/// revision may stand in for baseline checks it overrides (restricted volumes replace the
/// hostPath check, restricted capabilities the baseline one).
/// </summary>
/// <param name="Id">Upstream's check id; checks run in id order, baseline before restricted.</param>
/// <param name="Level">Baseline or Restricted.</param>
/// <param name="Versions">Revisions by strictly increasing minimum version.</param>
public sealed record PodSecurityCheck(string Id, PodSecurityLevel Level, IReadOnlyList<CheckRevision> Versions)
{
    /// <summary>The checks of pod-security-admission v1.32, every revision from v1.0 on.</summary>
    public static IReadOnlyList<PodSecurityCheck> All { get; } =
    [
        Baseline("appArmorProfile", (0, BaselineChecks.AppArmorProfileV1Dot0)),
        Baseline("capabilities_baseline", (0, BaselineChecks.CapabilitiesBaselineV1Dot0)),
        Baseline("hostNamespaces", (0, BaselineChecks.HostNamespacesV1Dot0)),
        Baseline("hostPathVolumes", (0, BaselineChecks.HostPathVolumesV1Dot0)),
        Baseline("hostPorts", (0, BaselineChecks.HostPortsV1Dot0)),
        Baseline("privileged", (0, BaselineChecks.PrivilegedV1Dot0)),
        Baseline("procMount", (0, BaselineChecks.ProcMountV1Dot0)),
        Baseline("seLinuxOptions", (0, BaselineChecks.SeLinuxOptionsV1Dot0), (31, BaselineChecks.SeLinuxOptionsV1Dot31)),
        Baseline("seccompProfile_baseline", (0, BaselineChecks.SeccompProfileBaselineV1Dot0), (19, BaselineChecks.SeccompProfileBaselineV1Dot19)),
        Baseline("sysctls", (0, BaselineChecks.SysctlsV1Dot0), (27, BaselineChecks.SysctlsV1Dot27), (29, BaselineChecks.SysctlsV1Dot29), (32, BaselineChecks.SysctlsV1Dot32)),
        Baseline("windowsHostProcess", (0, BaselineChecks.WindowsHostProcessV1Dot0)),
        Restricted("allowPrivilegeEscalation", new CheckRevision(8, RestrictedChecks.AllowPrivilegeEscalationV1Dot8), new CheckRevision(25, RestrictedChecks.AllowPrivilegeEscalationV1Dot25)),
        Restricted("capabilities_restricted",
            new CheckRevision(22, RestrictedChecks.CapabilitiesRestrictedV1Dot22, ["capabilities_baseline"]),
            new CheckRevision(25, RestrictedChecks.CapabilitiesRestrictedV1Dot25, ["capabilities_baseline"])),
        Restricted("restrictedVolumes", new CheckRevision(0, RestrictedChecks.RestrictedVolumesV1Dot0, ["hostPathVolumes"])),
        Restricted("runAsNonRoot", new CheckRevision(0, RestrictedChecks.RunAsNonRootV1Dot0)),
        Restricted("runAsUser", new CheckRevision(23, RestrictedChecks.RunAsUserV1Dot23)),
        Restricted("seccompProfile_restricted",
            new CheckRevision(19, RestrictedChecks.SeccompProfileRestrictedV1Dot19, ["seccompProfile_baseline"]),
            new CheckRevision(25, RestrictedChecks.SeccompProfileRestrictedV1Dot25, ["seccompProfile_baseline"])),
    ];

    private static PodSecurityCheck Baseline(string id, params (int Minor, Func<PodSpecView, CheckResult> Check)[] versions) =>
        new(id, PodSecurityLevel.Baseline, [.. versions.Select(v => new CheckRevision(v.Minor, v.Check))]);

    private static PodSecurityCheck Restricted(string id, params CheckRevision[] versions) =>
        new(id, PodSecurityLevel.Restricted, versions);
}

/// <summary>One revision of a check.</summary>
/// <param name="MinimumMinor">The first policy version v1.N it applies to.</param>
/// <param name="Check">The check itself.</param>
/// <param name="Overrides">Baseline check ids this restricted revision replaces at the restricted level.</param>
public sealed record CheckRevision(int MinimumMinor, Func<PodSpecView, CheckResult> Check, IReadOnlyList<string>? Overrides = null);
