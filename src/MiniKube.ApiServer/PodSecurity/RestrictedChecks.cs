using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.PodSecurity;

/// <summary>
/// The restricted checks of pod-security-admission v1.32 (policy/check_*.go), one method per
/// check version, named after the first policy version it applies to. From v1.25 the checks on
/// Linux-only fields leave pods with spec.os.name=windows alone, as upstream.
/// </summary>
internal static class RestrictedChecks
{
    // check_restrictedVolumes.go: the volume sources a restricted pod may use.
    private static readonly string[] AllowedVolumeSources =
        ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

    // The sources upstream names when refusing, in its order; any other is "unknown".
    private static readonly string[] NamedVolumeSources =
    [
        "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd", "flexVolume", "cinder",
        "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos",
    ];

    /// <summary>check_allowPrivilegeEscalation.go from v1.8: every container sets allowPrivilegeEscalation=false.</summary>
    public static CheckResult AllowPrivilegeEscalationV1Dot8(PodSpecView pod)
    {
        var containers = pod.Containers.Where(c => PodSpecView.SecurityContextOf(c).Bool("allowPrivilegeEscalation") != false).Select(PodSpecView.NameOf).ToList();
        return containers.Count == 0
            ? CheckResult.Allow
            : CheckResult.Forbid("allowPrivilegeEscalation != false", $"{Wording.Containers(containers)} must set securityContext.allowPrivilegeEscalation=false");
    }

    /// <summary>check_allowPrivilegeEscalation.go from v1.25: Windows pods are exempt.</summary>
    public static CheckResult AllowPrivilegeEscalationV1Dot25(PodSpecView pod) => UnlessWindows(pod, AllowPrivilegeEscalationV1Dot8);

    /// <summary>check_capabilities_restricted.go from v1.22: drop ALL, add at most NET_BIND_SERVICE.</summary>
    public static CheckResult CapabilitiesRestrictedV1Dot22(PodSpecView pod)
    {
        var missingDropAll = new List<string>();
        var adding = new List<string>();
        var added = Wording.Set();
        foreach (var container in pod.Containers)
        {
            var capabilities = PodSpecView.SecurityContextOf(container).Obj("capabilities");
            if (capabilities is null)
            {
                missingDropAll.Add(PodSpecView.NameOf(container));
                continue;
            }
            if (!BaselineChecks.Strings(capabilities.Arr("drop")).Contains("ALL", StringComparer.Ordinal))
            {
                missingDropAll.Add(PodSpecView.NameOf(container));
            }
            var forbidden = BaselineChecks.Strings(capabilities.Arr("add")).Where(c => c != "NET_BIND_SERVICE").ToList();
            if (forbidden.Count > 0)
            {
                adding.Add(PodSpecView.NameOf(container));
                added.UnionWith(forbidden);
            }
        }
        var details = new List<string>();
        if (missingDropAll.Count > 0)
        {
            details.Add($"{Wording.Containers(missingDropAll)} must set securityContext.capabilities.drop=[\"ALL\"]");
        }
        if (adding.Count > 0)
        {
            details.Add($"{Wording.Containers(adding)} must not include {Wording.Quoted(added)} in securityContext.capabilities.add");
        }
        return details.Count == 0 ? CheckResult.Allow : CheckResult.Forbid("unrestricted capabilities", string.Join("; ", details));
    }

    /// <summary>check_capabilities_restricted.go from v1.25: Windows pods are exempt.</summary>
    public static CheckResult CapabilitiesRestrictedV1Dot25(PodSpecView pod) => UnlessWindows(pod, CapabilitiesRestrictedV1Dot22);

    /// <summary>check_restrictedVolumes.go: only configMap, csi, downwardAPI, emptyDir, ephemeral, PVC, projected and secret volumes.</summary>
    public static CheckResult RestrictedVolumesV1Dot0(PodSpecView pod)
    {
        var volumes = new List<string>();
        var types = Wording.Set();
        foreach (var (_, volume) in pod.Spec.Items("volumes"))
        {
            if (AllowedVolumeSources.Any(volume.Has))
            {
                continue;
            }
            volumes.Add(volume.StrOrEmpty("name"));
            types.Add(NamedVolumeSources.FirstOrDefault(volume.Has) ?? "unknown");
        }
        return volumes.Count == 0
            ? CheckResult.Allow
            : CheckResult.Forbid("restricted volume types",
                $"{Wording.Plural("volume", "volumes", volumes.Count)} {Wording.Quoted(volumes)} {Wording.Plural("uses", "use", volumes.Count)} "
                + $"{Wording.Plural("restricted volume type", "restricted volume types", types.Count)} {Wording.Quoted(types)}");
    }

    /// <summary>
    /// check_runAsNonRoot.go: runAsNonRoot=true on the pod or every container, and false nowhere.
    /// (Upstream's relaxation for pods without host users is an opt-in that defaults off; off here.)
    /// </summary>
    public static CheckResult RunAsNonRootV1Dot0(PodSpecView pod)
    {
        var setters = new List<string>();
        var podNonRoot = false;
        switch (pod.PodSecurityContext.Bool("runAsNonRoot"))
        {
            case false:
                setters.Add("pod");
                break;
            case true:
                podNonRoot = true;
                break;
        }
        var explicitlyBad = new List<string>();
        var unset = new List<string>();
        foreach (var container in pod.Containers)
        {
            switch (PodSpecView.SecurityContextOf(container).Bool("runAsNonRoot"))
            {
                case false:
                    explicitlyBad.Add(PodSpecView.NameOf(container));
                    break;
                case null when !podNonRoot:
                    unset.Add(PodSpecView.NameOf(container));
                    break;
            }
        }
        if (explicitlyBad.Count > 0)
        {
            setters.Add(Wording.Containers(explicitlyBad));
        }
        if (setters.Count > 0)
        {
            return CheckResult.Forbid("runAsNonRoot != true", $"{string.Join(" and ", setters)} must not set securityContext.runAsNonRoot=false");
        }
        return unset.Count == 0
            ? CheckResult.Allow
            : CheckResult.Forbid("runAsNonRoot != true", $"pod or {Wording.Containers(unset)} must set securityContext.runAsNonRoot=true");
    }

    /// <summary>check_runAsUser.go from v1.23: runAsUser=0 nowhere.</summary>
    public static CheckResult RunAsUserV1Dot23(PodSpecView pod)
    {
        var setters = new List<string>();
        if (pod.PodSecurityContext.Int("runAsUser") == 0)
        {
            setters.Add("pod");
        }
        var containers = pod.Containers.Where(c => PodSpecView.SecurityContextOf(c).Int("runAsUser") == 0).Select(PodSpecView.NameOf).ToList();
        if (containers.Count > 0)
        {
            setters.Add(Wording.Containers(containers));
        }
        return setters.Count == 0 ? CheckResult.Allow : CheckResult.Forbid("runAsUser=0", $"{string.Join(" and ", setters)} must not set runAsUser=0");
    }

    /// <summary>check_seccompProfile_restricted.go from v1.19: RuntimeDefault or Localhost, set on the pod or every container.</summary>
    public static CheckResult SeccompProfileRestrictedV1Dot19(PodSpecView pod) => BaselineChecks.SeccompProfiles(pod, requireSet: true);

    /// <summary>check_seccompProfile_restricted.go from v1.25: Windows pods are exempt.</summary>
    public static CheckResult SeccompProfileRestrictedV1Dot25(PodSpecView pod) => UnlessWindows(pod, SeccompProfileRestrictedV1Dot19);

    private static CheckResult UnlessWindows(PodSpecView pod, Func<PodSpecView, CheckResult> check)
    {
        return pod.IsWindows ? CheckResult.Allow : check(pod);
    }
}
