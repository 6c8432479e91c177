using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.PodSecurity;

/// <summary>
/// The baseline checks of pod-security-admission v1.32 (policy/check_*.go), one method per
/// check version, named after the first policy version it applies to. Each reads the pod as
/// JSON and words its refusal as upstream does, so messages match kube-apiserver's.
/// </summary>
internal static class BaselineChecks
{
    // check_capabilities_baseline.go: the runtime's default set.
    private static readonly HashSet<string> DefaultCapabilities = new(StringComparer.Ordinal)
    {
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
    };

    // check_seLinuxOptions.go: container_engine_t joined in v1.31.
    private static readonly HashSet<string> SeLinuxTypesV1Dot0 = new(StringComparer.Ordinal) { "", "container_t", "container_init_t", "container_kvm_t" };
    private static readonly HashSet<string> SeLinuxTypesV1Dot31 = new(SeLinuxTypesV1Dot0, StringComparer.Ordinal) { "container_engine_t" };

    // check_sysctls.go: the safe set, grown in v1.27, v1.29 and v1.32.
    private static readonly HashSet<string> SafeSysctlsV1Dot0 = new(StringComparer.Ordinal)
    {
        "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start",
    };
    private static readonly HashSet<string> SafeSysctlsV1Dot27 = new(SafeSysctlsV1Dot0, StringComparer.Ordinal) { "net.ipv4.ip_local_reserved_ports" };
    private static readonly HashSet<string> SafeSysctlsV1Dot29 = new(SafeSysctlsV1Dot27, StringComparer.Ordinal)
    {
        "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
    };
    private static readonly HashSet<string> SafeSysctlsV1Dot32 = new(SafeSysctlsV1Dot29, StringComparer.Ordinal) { "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem" };

    // The beta and alpha annotations that came before the securityContext fields, still honoured by the checks.
    private const string AppArmorAnnotationPrefix = "container.apparmor.security.beta.kubernetes.io/";
    private const string SeccompPodAnnotation = "seccomp.security.alpha.kubernetes.io/pod";
    private const string SeccompContainerAnnotationPrefix = "container.seccomp.security.alpha.kubernetes.io/";

    /// <summary>check_appArmorProfile.go: only RuntimeDefault or Localhost profiles, in fields or the beta annotations.</summary>
    public static CheckResult AppArmorProfileV1Dot0(PodSpecView pod)
    {
        var setters = new List<string>();
        var values = Wording.Set();
        if (pod.PodSecurityContext.Obj("appArmorProfile") is { } podProfile && !IsAllowedAppArmorType(podProfile.StrOrEmpty("type")))
        {
            setters.Add("pod");
            values.Add(podProfile.StrOrEmpty("type"));
        }
        var containers = new List<string>();
        foreach (var container in pod.Containers)
        {
            if (PodSpecView.SecurityContextOf(container).Obj("appArmorProfile") is { } profile && !IsAllowedAppArmorType(profile.StrOrEmpty("type")))
            {
                containers.Add(PodSpecView.NameOf(container));
                values.Add(profile.StrOrEmpty("type"));
            }
        }
        if (containers.Count > 0)
        {
            setters.Add(Wording.Containers(containers));
        }
        var annotations = pod.Annotations
            .Where(a => a.Key.StartsWith(AppArmorAnnotationPrefix, StringComparison.Ordinal) && !IsAllowedAppArmorAnnotation(a.Value))
            .Select(a => $"{a.Key}={GoSyntax.Quote(a.Value)}")
            .Order(StringComparer.Ordinal)
            .ToList();
        var badValues = values.Concat(annotations).ToList();
        if (annotations.Count > 0)
        {
            setters.Add(Wording.Plural("annotation", "annotations", annotations.Count));
        }
        return setters.Count == 0
            ? CheckResult.Allow
            : CheckResult.Forbid(
                Wording.Plural("forbidden AppArmor profile", "forbidden AppArmor profiles", badValues.Count),
                $"{string.Join(" and ", setters)} must not set AppArmor profile type to {Wording.Quoted(badValues)}");
    }

    /// <summary>check_capabilities_baseline.go: only the default capabilities may be added.</summary>
    public static CheckResult CapabilitiesBaselineV1Dot0(PodSpecView pod)
    {
        var containers = new List<string>();
        var added = Wording.Set();
        foreach (var container in pod.Containers)
        {
            var valid = true;
            foreach (var capability in Strings(PodSpecView.SecurityContextOf(container).Obj("capabilities").Arr("add")))
            {
                if (!DefaultCapabilities.Contains(capability))
                {
                    valid = false;
                    added.Add(capability);
                }
            }
            if (!valid)
            {
                containers.Add(PodSpecView.NameOf(container));
            }
        }
        return containers.Count == 0
            ? CheckResult.Allow
            : CheckResult.Forbid("non-default capabilities", $"{Wording.Containers(containers)} must not include {Wording.Quoted(added)} in securityContext.capabilities.add");
    }

    /// <summary>check_hostNamespaces.go: no host network, PID or IPC namespace.</summary>
    public static CheckResult HostNamespacesV1Dot0(PodSpecView pod)
    {
        var set = new List<string>();
        foreach (var field in (string[])["hostNetwork", "hostPID", "hostIPC"])
        {
            if (pod.Spec.Bool(field) == true)
            {
                set.Add(field + "=true");
            }
        }
        return set.Count == 0 ? CheckResult.Allow : CheckResult.Forbid("host namespaces", string.Join(", ", set));
    }

    /// <summary>check_hostPathVolumes.go: no hostPath volumes.</summary>
    public static CheckResult HostPathVolumesV1Dot0(PodSpecView pod)
    {
        var volumes = pod.Spec.Items("volumes").Where(v => v.Item.Has("hostPath")).Select(v => v.Item.StrOrEmpty("name")).ToList();
        return volumes.Count == 0
            ? CheckResult.Allow
            : CheckResult.Forbid("hostPath volumes", $"{Wording.Plural("volume", "volumes", volumes.Count)} {Wording.Quoted(volumes)}");
    }

    /// <summary>check_hostPorts.go: no container port with a hostPort.</summary>
    public static CheckResult HostPortsV1Dot0(PodSpecView pod)
    {
        var containers = new List<string>();
        var ports = Wording.Set();
        foreach (var container in pod.Containers)
        {
            var valid = true;
            foreach (var (_, port) in container.Items("ports"))
            {
                if (port.Int("hostPort") is { } hostPort and not 0)
                {
                    valid = false;
                    ports.Add(hostPort.ToString(CultureInfo.InvariantCulture));
                }
            }
            if (!valid)
            {
                containers.Add(PodSpecView.NameOf(container));
            }
        }
        // The ports sort as strings ("80" after "8080"), as sets.String orders them.
        return containers.Count == 0
            ? CheckResult.Allow
            : CheckResult.Forbid("hostPort",
                $"{Wording.Containers(containers)} {Wording.Plural("uses", "use", containers.Count)} {Wording.Plural("hostPort", "hostPorts", ports.Count)} {string.Join(", ", ports)}");
    }

    /// <summary>check_privileged.go: no privileged container.</summary>
    public static CheckResult PrivilegedV1Dot0(PodSpecView pod)
    {
        var containers = pod.Containers.Where(c => PodSpecView.SecurityContextOf(c).Bool("privileged") == true).Select(PodSpecView.NameOf).ToList();
        return containers.Count == 0
            ? CheckResult.Allow
            : CheckResult.Forbid("privileged", $"{Wording.Containers(containers)} must not set securityContext.privileged=true");
    }

    /// <summary>
    /// check_procMount.go: procMount unset or Default. (Upstream relaxes this for pods without
    /// host users only behind an opt-in that defaults off; it is off here.)
    /// </summary>
    public static CheckResult ProcMountV1Dot0(PodSpecView pod)
    {
        var containers = new List<string>();
        var types = Wording.Set();
        foreach (var container in pod.Containers)
        {
            if (PodSpecView.SecurityContextOf(container).Str("procMount") is { } procMount && procMount != "Default")
            {
                containers.Add(PodSpecView.NameOf(container));
                types.Add(procMount);
            }
        }
        return containers.Count == 0
            ? CheckResult.Allow
            : CheckResult.Forbid("procMount", $"{Wording.Containers(containers)} must not set securityContext.procMount to {Wording.Quoted(types)}");
    }

    /// <summary>check_seLinuxOptions.go up to v1.30: container types only, no user or role.</summary>
    public static CheckResult SeLinuxOptionsV1Dot0(PodSpecView pod) => SeLinuxOptions(pod, SeLinuxTypesV1Dot0);

    /// <summary>check_seLinuxOptions.go from v1.31: container_engine_t is allowed too.</summary>
    public static CheckResult SeLinuxOptionsV1Dot31(PodSpecView pod) => SeLinuxOptions(pod, SeLinuxTypesV1Dot31);

    /// <summary>check_seccompProfile_baseline.go before v1.19: the alpha annotations may not ask for unconfined.</summary>
    public static CheckResult SeccompProfileBaselineV1Dot0(PodSpecView pod)
    {
        var forbidden = Wording.Set();
        if (pod.Annotation(SeccompPodAnnotation) is { } podValue && !IsAllowedSeccompAnnotation(podValue))
        {
            forbidden.Add($"{SeccompPodAnnotation}={GoSyntax.Quote(podValue)}");
        }
        foreach (var container in pod.Containers)
        {
            var key = SeccompContainerAnnotationPrefix + PodSpecView.NameOf(container);
            if (pod.Annotation(key) is { } value && !IsAllowedSeccompAnnotation(value))
            {
                forbidden.Add($"{key}={GoSyntax.Quote(value)}");
            }
        }
        return forbidden.Count == 0
            ? CheckResult.Allow
            : CheckResult.Forbid("seccompProfile", $"forbidden {Wording.Plural("annotation", "annotations", forbidden.Count)} {string.Join(", ", forbidden)}");
    }

    /// <summary>check_seccompProfile_baseline.go from v1.19: a seccompProfile that is set must be RuntimeDefault or Localhost.</summary>
    public static CheckResult SeccompProfileBaselineV1Dot19(PodSpecView pod) => SeccompProfiles(pod, requireSet: false);

    /// <summary>check_sysctls.go before v1.27.</summary>
    public static CheckResult SysctlsV1Dot0(PodSpecView pod) => Sysctls(pod, SafeSysctlsV1Dot0);

    /// <summary>check_sysctls.go from v1.27: net.ipv4.ip_local_reserved_ports.</summary>
    public static CheckResult SysctlsV1Dot27(PodSpecView pod) => Sysctls(pod, SafeSysctlsV1Dot27);

    /// <summary>check_sysctls.go from v1.29: the TCP keepalive and fin timeout sysctls.</summary>
    public static CheckResult SysctlsV1Dot29(PodSpecView pod) => Sysctls(pod, SafeSysctlsV1Dot29);

    /// <summary>check_sysctls.go from v1.32: net.ipv4.tcp_rmem and tcp_wmem.</summary>
    public static CheckResult SysctlsV1Dot32(PodSpecView pod) => Sysctls(pod, SafeSysctlsV1Dot32);

    /// <summary>check_windowsHostProcess.go: no Windows host process, pod or container.</summary>
    public static CheckResult WindowsHostProcessV1Dot0(PodSpecView pod)
    {
        var setters = new List<string>();
        if (pod.PodSecurityContext.Obj("windowsOptions").Bool("hostProcess") == true)
        {
            setters.Add("pod");
        }
        var containers = pod.Containers.Where(c => PodSpecView.SecurityContextOf(c).Obj("windowsOptions").Bool("hostProcess") == true).Select(PodSpecView.NameOf).ToList();
        if (containers.Count > 0)
        {
            setters.Add(Wording.Containers(containers));
        }
        return setters.Count == 0
            ? CheckResult.Allow
            : CheckResult.Forbid("hostProcess", $"{string.Join(" and ", setters)} must not set securityContext.windowsOptions.hostProcess=true");
    }

    /// <summary>
    /// The seccompProfile field check shared by baseline (a set profile must be allowed) and
    /// restricted (one must also be set, on the pod or every container).
    /// </summary>
    internal static CheckResult SeccompProfiles(PodSpecView pod, bool requireSet)
    {
        var setters = new List<string>();
        var values = Wording.Set();
        var podSet = false;
        if (pod.PodSecurityContext.Obj("seccompProfile") is { } podProfile)
        {
            var type = podProfile.StrOrEmpty("type");
            if (IsAllowedSeccompType(type))
            {
                podSet = true;
            }
            else
            {
                setters.Add("pod");
                values.Add(type);
            }
        }
        var explicitlyBad = new List<string>();
        var unset = new List<string>();
        foreach (var container in pod.Containers)
        {
            if (PodSpecView.SecurityContextOf(container).Obj("seccompProfile") is { } profile)
            {
                var type = profile.StrOrEmpty("type");
                if (!IsAllowedSeccompType(type))
                {
                    explicitlyBad.Add(PodSpecView.NameOf(container));
                    values.Add(type);
                }
            }
            else if (!podSet)
            {
                unset.Add(PodSpecView.NameOf(container));
            }
        }
        if (explicitlyBad.Count > 0)
        {
            setters.Add(Wording.Containers(explicitlyBad));
        }
        if (setters.Count > 0)
        {
            return CheckResult.Forbid("seccompProfile", $"{string.Join(" and ", setters)} must not set securityContext.seccompProfile.type to {Wording.Quoted(values)}");
        }
        if (requireSet && unset.Count > 0)
        {
            return CheckResult.Forbid("seccompProfile", $"pod or {Wording.Containers(unset)} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"");
        }
        return CheckResult.Allow;
    }

    /// <summary>The strings of a JSON array (non-strings read as their text, as a decode would have refused them).</summary>
    internal static IEnumerable<string> Strings(JsonArray? array) =>
        array is null ? [] : array.Select(JsonFields.ScalarText);

    private static CheckResult SeLinuxOptions(PodSpecView pod, HashSet<string> allowedTypes)
    {
        var setters = new List<string>();
        var badTypes = Wording.Set();
        var setUser = false;
        var setRole = false;
        bool Valid(JsonObject options)
        {
            var valid = true;
            var type = options.StrOrEmpty("type");
            if (!allowedTypes.Contains(type))
            {
                valid = false;
                badTypes.Add(type);
            }
            if (options.StrOrEmpty("user").Length > 0)
            {
                valid = false;
                setUser = true;
            }
            if (options.StrOrEmpty("role").Length > 0)
            {
                valid = false;
                setRole = true;
            }
            return valid;
        }
        if (pod.PodSecurityContext.Obj("seLinuxOptions") is { } podOptions && !Valid(podOptions))
        {
            setters.Add("pod");
        }
        var containers = pod.Containers
            .Where(c => PodSpecView.SecurityContextOf(c).Obj("seLinuxOptions") is { } options && !Valid(options))
            .Select(PodSpecView.NameOf)
            .ToList();
        if (containers.Count > 0)
        {
            setters.Add(Wording.Containers(containers));
        }
        if (setters.Count == 0)
        {
            return CheckResult.Allow;
        }
        var problems = new List<string>();
        if (badTypes.Count > 0)
        {
            problems.Add($"{Wording.Plural("type", "types", badTypes.Count)} {Wording.Quoted(badTypes)}");
        }
        if (setUser)
        {
            problems.Add("user may not be set");
        }
        if (setRole)
        {
            problems.Add("role may not be set");
        }
        return CheckResult.Forbid("seLinuxOptions", $"{string.Join(" and ", setters)} set forbidden securityContext.seLinuxOptions: {string.Join("; ", problems)}");
    }

    private static CheckResult Sysctls(PodSpecView pod, HashSet<string> allowed)
    {
        var forbidden = pod.PodSecurityContext.Items("sysctls").Select(s => s.Item.StrOrEmpty("name")).Where(name => !allowed.Contains(name)).ToList();
        return forbidden.Count == 0 ? CheckResult.Allow : CheckResult.Forbid("forbidden sysctls", string.Join(", ", forbidden));
    }

    private static bool IsAllowedAppArmorType(string type) => type is "RuntimeDefault" or "Localhost";

    private static bool IsAllowedAppArmorAnnotation(string value) =>
        value.Length == 0 || value == "runtime/default" || value.StartsWith("localhost/", StringComparison.Ordinal);

    private static bool IsAllowedSeccompType(string type) => type is "Localhost" or "RuntimeDefault";

    private static bool IsAllowedSeccompAnnotation(string value) =>
        value is "runtime/default" or "docker/default" || value.StartsWith("localhost/", StringComparison.Ordinal);
}
