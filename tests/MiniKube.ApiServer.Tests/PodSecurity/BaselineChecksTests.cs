using System.Text.Json.Nodes;
using MiniKube.ApiServer.PodSecurity;

namespace MiniKube.ApiServer.Tests.PodSecurity;

/// <summary>Each baseline check, allowed and refused, with upstream's reason and detail word for word.</summary>
public sealed class BaselineChecksTests
{
    internal static PodSpecView Pod(string spec, string? metadata = null) =>
        new(metadata is null ? null : JsonNode.Parse(metadata)!.AsObject(), JsonNode.Parse(spec)!.AsObject());

    internal static void AssertRefused(CheckResult result, string reason, string detail) => Assert.Multiple(() =>
    {
        Assert.That(result.Allowed, Is.False);
        Assert.That(result.Reason, Is.EqualTo(reason));
        Assert.That(result.Detail, Is.EqualTo(detail));
    });

    [Test]
    public void AppArmorProfile_RuntimeDefaultLocalhostAndAllowedAnnotations_Allowed()
    {
        var pod = Pod("""{"securityContext":{"appArmorProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"a","securityContext":{"appArmorProfile":{"type":"Localhost","localhostProfile":"p"}}}]}""",
            """{"annotations":{"container.apparmor.security.beta.kubernetes.io/a":"localhost/p","container.apparmor.security.beta.kubernetes.io/b":"runtime/default"}}""");

        Assert.That(BaselineChecks.AppArmorProfileV1Dot0(pod).Allowed, Is.True);
    }

    [Test]
    public void AppArmorProfile_UnconfinedFieldsAndAnnotation_NamesSettersAndValues()
    {
        var pod = Pod("""{"securityContext":{"appArmorProfile":{"type":"Unconfined"}},"containers":[{"name":"a","securityContext":{"appArmorProfile":{"type":"Unconfined"}}},{"name":"b"}]}""",
            """{"annotations":{"container.apparmor.security.beta.kubernetes.io/b":"unconfined"}}""");

        AssertRefused(BaselineChecks.AppArmorProfileV1Dot0(pod), "forbidden AppArmor profiles",
            "pod and container \"a\" and annotation must not set AppArmor profile type to \"Unconfined\", \"container.apparmor.security.beta.kubernetes.io/b=\"unconfined\"\"");
    }

    [Test]
    public void CapabilitiesBaseline_DefaultSet_Allowed_OthersRefused()
    {
        Assert.That(BaselineChecks.CapabilitiesBaselineV1Dot0(Pod("""{"containers":[{"name":"a","securityContext":{"capabilities":{"add":["CHOWN","NET_BIND_SERVICE"],"drop":["ALL"]}}}]}""")).Allowed, Is.True);

        var pod = Pod("""{"initContainers":[{"name":"i","securityContext":{"capabilities":{"add":["SYS_ADMIN"]}}}],"containers":[{"name":"a","securityContext":{"capabilities":{"add":["NET_ADMIN","CHOWN"]}}}]}""");

        AssertRefused(BaselineChecks.CapabilitiesBaselineV1Dot0(pod), "non-default capabilities",
            "containers \"i\", \"a\" must not include \"NET_ADMIN\", \"SYS_ADMIN\" in securityContext.capabilities.add");
    }

    [Test]
    public void HostNamespaces_FalseAllowed_TrueListed()
    {
        Assert.That(BaselineChecks.HostNamespacesV1Dot0(Pod("""{"hostNetwork":false,"containers":[]}""")).Allowed, Is.True);

        AssertRefused(BaselineChecks.HostNamespacesV1Dot0(Pod("""{"hostNetwork":true,"hostPID":true,"hostIPC":true}""")), "host namespaces", "hostNetwork=true, hostPID=true, hostIPC=true");
    }

    [Test]
    public void HostPathVolumes_OtherVolumesAllowed_HostPathNamed()
    {
        Assert.That(BaselineChecks.HostPathVolumesV1Dot0(Pod("""{"volumes":[{"name":"e","emptyDir":{}}]}""")).Allowed, Is.True);

        AssertRefused(BaselineChecks.HostPathVolumesV1Dot0(Pod("""{"volumes":[{"name":"h","hostPath":{"path":"/"}},{"name":"e","emptyDir":{}}]}""")), "hostPath volumes", "volume \"h\"");
    }

    [Test]
    public void HostPorts_ZeroAllowed_PortsSortedAsText()
    {
        Assert.That(BaselineChecks.HostPortsV1Dot0(Pod("""{"containers":[{"name":"a","ports":[{"containerPort":80,"hostPort":0}]}]}""")).Allowed, Is.True);

        var pod = Pod("""{"containers":[{"name":"a","ports":[{"containerPort":80,"hostPort":8080},{"containerPort":81,"hostPort":80}]},{"name":"b","ports":[{"containerPort":9,"hostPort":9}]}]}""");

        AssertRefused(BaselineChecks.HostPortsV1Dot0(pod), "hostPort", "containers \"a\", \"b\" use hostPorts 80, 8080, 9");
        AssertRefused(BaselineChecks.HostPortsV1Dot0(Pod("""{"containers":[{"name":"a","ports":[{"containerPort":80,"hostPort":80}]}]}""")),
            "hostPort", "container \"a\" uses hostPort 80");
    }

    [Test]
    public void Privileged_FalseAllowed_TrueRefusedIncludingEphemeral()
    {
        Assert.That(BaselineChecks.PrivilegedV1Dot0(Pod("""{"containers":[{"name":"a","securityContext":{"privileged":false}}]}""")).Allowed, Is.True);

        var pod = Pod("""{"containers":[{"name":"a","securityContext":{"privileged":true}}],"ephemeralContainers":[{"name":"debug","securityContext":{"privileged":true}}]}""");

        AssertRefused(BaselineChecks.PrivilegedV1Dot0(pod), "privileged", "containers \"a\", \"debug\" must not set securityContext.privileged=true");
    }

    [Test]
    public void ProcMount_DefaultAllowed_UnmaskedRefused()
    {
        Assert.That(BaselineChecks.ProcMountV1Dot0(Pod("""{"containers":[{"name":"a","securityContext":{"procMount":"Default"}}]}""")).Allowed, Is.True);

        AssertRefused(BaselineChecks.ProcMountV1Dot0(Pod("""{"containers":[{"name":"a","securityContext":{"procMount":"Unmasked"}}]}""")),
            "procMount", "container \"a\" must not set securityContext.procMount to \"Unmasked\"");
    }

    [Test]
    public void SeLinuxOptions_ContainerEngineType_AllowedOnlyFromV1Dot31()
    {
        var pod = Pod("""{"securityContext":{"seLinuxOptions":{"type":"container_engine_t"}},"containers":[{"name":"a"}]}""");

        Assert.That(BaselineChecks.SeLinuxOptionsV1Dot31(pod).Allowed, Is.True);
        AssertRefused(BaselineChecks.SeLinuxOptionsV1Dot0(pod), "seLinuxOptions", "pod set forbidden securityContext.seLinuxOptions: type \"container_engine_t\"");
    }

    [Test]
    public void SeLinuxOptions_UserRoleAndBadTypes_AllNamed()
    {
        var pod = Pod("""{"securityContext":{"seLinuxOptions":{"user":"u"}},"containers":[{"name":"a","securityContext":{"seLinuxOptions":{"type":"spc_t","role":"r"}}},{"name":"b","securityContext":{"seLinuxOptions":{"type":"other_t","level":"s0"}}}]}""");

        AssertRefused(BaselineChecks.SeLinuxOptionsV1Dot31(pod), "seLinuxOptions",
            "pod and containers \"a\", \"b\" set forbidden securityContext.seLinuxOptions: types \"other_t\", \"spc_t\"; user may not be set; role may not be set");
        Assert.That(BaselineChecks.SeLinuxOptionsV1Dot31(Pod("""{"containers":[{"name":"a","securityContext":{"seLinuxOptions":{"type":"container_t","level":"s0:c1"}}}]}""")).Allowed, Is.True);
    }

    [Test]
    public void SeccompProfileBaseline_BeforeV1Dot19_ReadsTheAlphaAnnotations()
    {
        var allowed = Pod("""{"containers":[{"name":"a"}]}""", """{"annotations":{"seccomp.security.alpha.kubernetes.io/pod":"runtime/default","container.seccomp.security.alpha.kubernetes.io/a":"localhost/x"}}""");
        Assert.That(BaselineChecks.SeccompProfileBaselineV1Dot0(allowed).Allowed, Is.True);

        var pod = Pod("""{"containers":[{"name":"a"}],"securityContext":{"seccompProfile":{"type":"Unconfined"}}}""",
            """{"annotations":{"seccomp.security.alpha.kubernetes.io/pod":"unconfined","container.seccomp.security.alpha.kubernetes.io/a":"unconfined"}}""");

        AssertRefused(BaselineChecks.SeccompProfileBaselineV1Dot0(pod), "seccompProfile",
            "forbidden annotations container.seccomp.security.alpha.kubernetes.io/a=\"unconfined\", seccomp.security.alpha.kubernetes.io/pod=\"unconfined\"");
    }

    [Test]
    public void SeccompProfileBaseline_FromV1Dot19_UnsetAllowed_UnconfinedRefused()
    {
        Assert.That(BaselineChecks.SeccompProfileBaselineV1Dot19(Pod("""{"containers":[{"name":"a"}]}""")).Allowed, Is.True);

        var pod = Pod("""{"securityContext":{"seccompProfile":{"type":"Unconfined"}},"containers":[{"name":"a","securityContext":{"seccompProfile":{"type":"Unconfined"}}},{"name":"b","securityContext":{"seccompProfile":{"type":"RuntimeDefault"}}}]}""");

        AssertRefused(BaselineChecks.SeccompProfileBaselineV1Dot19(pod), "seccompProfile", "pod and container \"a\" must not set securityContext.seccompProfile.type to \"Unconfined\"");
    }

    [Test]
    public void Sysctls_SafeSetGrowsWithVersions()
    {
        var keepalive = Pod("""{"securityContext":{"sysctls":[{"name":"net.ipv4.tcp_keepalive_time","value":"1"},{"name":"kernel.shm_rmid_forced","value":"0"}]}}""");
        var rmem = Pod("""{"securityContext":{"sysctls":[{"name":"net.ipv4.tcp_rmem","value":"1 2 3"}]}}""");

        AssertRefused(BaselineChecks.SysctlsV1Dot27(keepalive), "forbidden sysctls", "net.ipv4.tcp_keepalive_time");
        Assert.That(BaselineChecks.SysctlsV1Dot29(keepalive).Allowed, Is.True);
        AssertRefused(BaselineChecks.SysctlsV1Dot29(rmem), "forbidden sysctls", "net.ipv4.tcp_rmem");
        Assert.That(BaselineChecks.SysctlsV1Dot32(rmem).Allowed, Is.True);
        AssertRefused(BaselineChecks.SysctlsV1Dot0(Pod("""{"securityContext":{"sysctls":[{"name":"net.ipv4.ip_local_reserved_ports","value":"1"},{"name":"kernel.msgmax","value":"1"}]}}""")),
            "forbidden sysctls", "net.ipv4.ip_local_reserved_ports, kernel.msgmax");
    }

    [Test]
    public void WindowsHostProcess_FalseAllowed_TrueRefused()
    {
        Assert.That(BaselineChecks.WindowsHostProcessV1Dot0(Pod("""{"securityContext":{"windowsOptions":{"hostProcess":false}}}""")).Allowed, Is.True);

        var pod = Pod("""{"securityContext":{"windowsOptions":{"hostProcess":true}},"containers":[{"name":"a","securityContext":{"windowsOptions":{"hostProcess":true}}}]}""");

        AssertRefused(BaselineChecks.WindowsHostProcessV1Dot0(pod), "hostProcess", "pod and container \"a\" must not set securityContext.windowsOptions.hostProcess=true");
    }
}
