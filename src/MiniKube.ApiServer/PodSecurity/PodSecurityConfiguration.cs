namespace MiniKube.ApiServer.PodSecurity;

/// <summary>
/// The PodSecurity plugin's configuration (pod-security-admission admission/api
/// PodSecurityConfiguration): the policy of namespaces without labels, and who and what is never
/// checked. The default is k3s' and kube-apiserver's: privileged:latest in every mode, no exemptions.
/// </summary>
public sealed record PodSecurityConfiguration
{
    /// <summary>The configuration every API server here runs with.</summary>
    public static PodSecurityConfiguration Default { get; } = new();

    /// <summary>The policy of a mode whose labels a namespace does not set.</summary>
    public NamespacePolicy Defaults { get; init; } = NamespacePolicy.Privileged;

    /// <summary>Users whose pod and workload writes are not checked.</summary>
    public IReadOnlySet<string> ExemptUsernames { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Namespaces whose pods and workloads are not checked.</summary>
    public IReadOnlySet<string> ExemptNamespaces { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Pods of these runtime classes are not checked.</summary>
    public IReadOnlySet<string> ExemptRuntimeClasses { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>True when the pod's runtimeClassName is exempt.</summary>
    public bool IsExemptRuntimeClass(string? runtimeClass) => !string.IsNullOrEmpty(runtimeClass) && ExemptRuntimeClasses.Contains(runtimeClass);

    /// <summary>
    /// "namespace \"x\" is exempt from Pod Security, and the policy (enforce=restricted:latest) will
    /// be ignored" when an exempt namespace's labels ask for more than the default; null otherwise
    /// (admission.go exemptNamespaceWarning).
    /// </summary>
    public string? ExemptNamespaceWarning(string ns, NamespacePolicy policy, IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(labels);
        if (policy.FullyPrivileged || policy.EquivalentTo(Defaults))
        {
            return null;
        }
        var modes = new List<string>();
        void Mode(string name, LevelVersion mode, string levelLabel, string versionLabel)
        {
            if (mode.Level != PodSecurityLevel.Privileged && (labels.ContainsKey(levelLabel) || labels.ContainsKey(versionLabel)))
            {
                modes.Add($"{name}={mode}");
            }
        }
        Mode("enforce", policy.Enforce, NamespacePolicy.EnforceLevelLabel, NamespacePolicy.EnforceVersionLabel);
        Mode("audit", policy.Audit, NamespacePolicy.AuditLevelLabel, NamespacePolicy.AuditVersionLabel);
        Mode("warn", policy.Warn, NamespacePolicy.WarnLevelLabel, NamespacePolicy.WarnVersionLabel);
        return $"namespace \"{ns}\" is exempt from Pod Security, and the policy ({string.Join(", ", modes)}) will be ignored";
    }
}
