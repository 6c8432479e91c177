using MiniKube.ApiServer.PodSecurity;
using static MiniKube.ApiServer.Tests.PodSecurity.BaselineChecksTests;

namespace MiniKube.ApiServer.Tests.PodSecurity;

/// <summary>Each restricted check, allowed and refused, with upstream's reason and detail word for word.</summary>
public sealed class RestrictedChecksTests
{
    [Test]
    public void AllowPrivilegeEscalation_FalseAllowed_UnsetOrTrueRefused()
    {
        Assert.That(RestrictedChecks.AllowPrivilegeEscalationV1Dot8(Pod("""{"containers":[{"name":"a","securityContext":{"allowPrivilegeEscalation":false}}]}""")).Allowed, Is.True);

        var pod = Pod("""{"containers":[{"name":"a"},{"name":"b","securityContext":{"allowPrivilegeEscalation":true}}]}""");

        AssertRefused(RestrictedChecks.AllowPrivilegeEscalationV1Dot8(pod), "allowPrivilegeEscalation != false", "containers \"a\", \"b\" must set securityContext.allowPrivilegeEscalation=false");
    }

    [Test]
    public void LinuxOnlyChecks_WindowsPods_ExemptFromV1Dot25Only()
    {
        var pod = Pod("""{"os":{"name":"windows"},"containers":[{"name":"a"}]}""");

        Assert.Multiple(() =>
        {
            Assert.That(RestrictedChecks.AllowPrivilegeEscalationV1Dot25(pod).Allowed, Is.True);
            Assert.That(RestrictedChecks.CapabilitiesRestrictedV1Dot25(pod).Allowed, Is.True);
            Assert.That(RestrictedChecks.SeccompProfileRestrictedV1Dot25(pod).Allowed, Is.True);
            Assert.That(RestrictedChecks.AllowPrivilegeEscalationV1Dot8(pod).Allowed, Is.False);
            Assert.That(RestrictedChecks.CapabilitiesRestrictedV1Dot22(pod).Allowed, Is.False);
            Assert.That(RestrictedChecks.SeccompProfileRestrictedV1Dot19(pod).Allowed, Is.False);
        });
    }

    [Test]
    public void CapabilitiesRestricted_DropAllAndNetBindService_Allowed()
    {
        var pod = Pod("""{"containers":[{"name":"a","securityContext":{"capabilities":{"drop":["ALL"],"add":["NET_BIND_SERVICE"]}}}]}""");

        Assert.That(RestrictedChecks.CapabilitiesRestrictedV1Dot22(pod).Allowed, Is.True);
    }

    [Test]
    public void CapabilitiesRestricted_MissingDropAndForbiddenAdd_BothReported()
    {
        var pod = Pod("""{"containers":[{"name":"a"},{"name":"b","securityContext":{"capabilities":{"drop":["NET_RAW"],"add":["SYS_TIME","CHOWN"]}}}]}""");

        AssertRefused(RestrictedChecks.CapabilitiesRestrictedV1Dot22(pod), "unrestricted capabilities",
            "containers \"a\", \"b\" must set securityContext.capabilities.drop=[\"ALL\"]; container \"b\" must not include \"CHOWN\", \"SYS_TIME\" in securityContext.capabilities.add");
    }

    [Test]
    public void RestrictedVolumes_AllowedSources_Pass_OthersNamedWithTheirType()
    {
        var allowed = Pod("""{"volumes":[{"name":"a","configMap":{}},{"name":"b","csi":{"driver":"d"}},{"name":"c","downwardAPI":{}},{"name":"d","emptyDir":{}},{"name":"e","ephemeral":{}},{"name":"f","persistentVolumeClaim":{"claimName":"x"}},{"name":"g","projected":{}},{"name":"h","secret":{}}]}""");
        Assert.That(RestrictedChecks.RestrictedVolumesV1Dot0(allowed).Allowed, Is.True);

        AssertRefused(RestrictedChecks.RestrictedVolumesV1Dot0(Pod("""{"volumes":[{"name":"g","gitRepo":{"repository":"r"}}]}""")),
            "restricted volume types", "volume \"g\" uses restricted volume type \"gitRepo\"");
        var pod = Pod("""{"volumes":[{"name":"h","hostPath":{"path":"/"}},{"name":"n","nfs":{"server":"s","path":"/"}},{"name":"i","image":{"reference":"x"}},{"name":"ok","emptyDir":{}}]}""");
        AssertRefused(RestrictedChecks.RestrictedVolumesV1Dot0(pod), "restricted volume types", "volumes \"h\", \"n\", \"i\" use restricted volume types \"hostPath\", \"nfs\", \"unknown\"");
    }

    [Test]
    public void RunAsNonRoot_PodLevelTrue_CoversContainers()
    {
        Assert.That(RestrictedChecks.RunAsNonRootV1Dot0(Pod("""{"securityContext":{"runAsNonRoot":true},"containers":[{"name":"a"}]}""")).Allowed, Is.True);
        Assert.That(RestrictedChecks.RunAsNonRootV1Dot0(Pod("""{"containers":[{"name":"a","securityContext":{"runAsNonRoot":true}}]}""")).Allowed, Is.True);
    }

    [Test]
    public void RunAsNonRoot_ExplicitFalse_BeforeUnset()
    {
        var explicitFalse = Pod("""{"securityContext":{"runAsNonRoot":false},"containers":[{"name":"a","securityContext":{"runAsNonRoot":false}},{"name":"b"}]}""");
        var unset = Pod("""{"containers":[{"name":"a"},{"name":"b","securityContext":{"runAsNonRoot":true}}]}""");

        AssertRefused(RestrictedChecks.RunAsNonRootV1Dot0(explicitFalse), "runAsNonRoot != true", "pod and container \"a\" must not set securityContext.runAsNonRoot=false");
        AssertRefused(RestrictedChecks.RunAsNonRootV1Dot0(unset), "runAsNonRoot != true", "pod or container \"a\" must set securityContext.runAsNonRoot=true");
    }

    [Test]
    public void RunAsUser_NonZeroAllowed_ZeroRefused()
    {
        Assert.That(RestrictedChecks.RunAsUserV1Dot23(Pod("""{"securityContext":{"runAsUser":1000},"containers":[{"name":"a"}]}""")).Allowed, Is.True);

        var pod = Pod("""{"securityContext":{"runAsUser":0},"containers":[{"name":"a","securityContext":{"runAsUser":0}},{"name":"b","securityContext":{"runAsUser":0}}]}""");

        AssertRefused(RestrictedChecks.RunAsUserV1Dot23(pod), "runAsUser=0", "pod and containers \"a\", \"b\" must not set runAsUser=0");
    }

    [Test]
    public void SeccompProfileRestricted_PodLevelRuntimeDefault_Allowed_UnsetAndUnconfinedRefused()
    {
        Assert.That(RestrictedChecks.SeccompProfileRestrictedV1Dot19(Pod("""{"securityContext":{"seccompProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"a"}]}""")).Allowed, Is.True);

        AssertRefused(RestrictedChecks.SeccompProfileRestrictedV1Dot19(Pod("""{"containers":[{"name":"a"},{"name":"b","securityContext":{"seccompProfile":{"type":"Localhost","localhostProfile":"p"}}}]}""")),
            "seccompProfile", "pod or container \"a\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"");
        AssertRefused(RestrictedChecks.SeccompProfileRestrictedV1Dot19(Pod("""{"containers":[{"name":"a","securityContext":{"seccompProfile":{"type":"Unconfined"}}},{"name":"b"}]}""")),
            "seccompProfile", "container \"a\" must not set securityContext.seccompProfile.type to \"Unconfined\"");
    }
}
