using MiniKube.ApiServer.PodSecurity;
using static MiniKube.ApiServer.Tests.PodSecurity.BaselineChecksTests;

namespace MiniKube.ApiServer.Tests.PodSecurity;

/// <summary>Which checks run at a level and version, in upstream's order, and the aggregate messages.</summary>
public sealed class PodSecurityEvaluatorTests
{
    private const string PlainPod = """{"containers":[{"name":"c","image":"busybox"}]}""";

    private static LevelVersion At(PodSecurityLevel level, string version) => new(level, PolicyVersion.Parse(version)!.Value);

    [Test]
    public void RestrictedLatest_PlainPod_ListsUpstreamsFourViolationsInOrder()
    {
        var result = PodSecurityEvaluator.Default.Check(At(PodSecurityLevel.Restricted, "latest"), Pod(PlainPod));

        Assert.That(result.Detail, Is.EqualTo(
            "allowPrivilegeEscalation != false (container \"c\" must set securityContext.allowPrivilegeEscalation=false), "
            + "unrestricted capabilities (container \"c\" must set securityContext.capabilities.drop=[\"ALL\"]), "
            + "runAsNonRoot != true (pod or container \"c\" must set securityContext.runAsNonRoot=true), "
            + "seccompProfile (pod or container \"c\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"));
        Assert.That(result.Reason, Is.EqualTo("allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile"));
    }

    [Test]
    public void Restricted_OlderVersions_RunOnlyTheChecksThatExistedThen()
    {
        // v1.7: no allowPrivilegeEscalation, no restricted capabilities or seccomp yet; runAsNonRoot only.
        var result = PodSecurityEvaluator.Default.Check(At(PodSecurityLevel.Restricted, "v1.7"), Pod(PlainPod));

        Assert.That(result.Reason, Is.EqualTo("runAsNonRoot != true"));
    }

    [Test]
    public void Restricted_OverridesBaselineChecks_OnlyFromTheRestrictedRevision()
    {
        var pod = Pod("""{"containers":[{"name":"c","securityContext":{"capabilities":{"add":["SYS_ADMIN"]}}}],"volumes":[{"name":"h","hostPath":{"path":"/"}}]}""");

        var v21 = PodSecurityEvaluator.Default.Check(At(PodSecurityLevel.Restricted, "v1.21"), pod).Reason;
        var v22 = PodSecurityEvaluator.Default.Check(At(PodSecurityLevel.Restricted, "v1.22"), pod).Reason;

        // hostPathVolumes is always replaced by restrictedVolumes; capabilities_baseline only from v1.22.
        Assert.That(v21, Is.EqualTo("non-default capabilities, allowPrivilegeEscalation != false, restricted volume types, runAsNonRoot != true, seccompProfile"));
        Assert.That(v22, Is.EqualTo("allowPrivilegeEscalation != false, unrestricted capabilities, restricted volume types, runAsNonRoot != true, seccompProfile"));
    }

    [Test]
    public void Baseline_OrdersChecksById_AndFutureVersionsUseTheNewest()
    {
        var pod = Pod("""{"hostNetwork":true,"securityContext":{"sysctls":[{"name":"net.ipv4.tcp_wmem","value":"1 2 3"}]},"containers":[{"name":"c","securityContext":{"privileged":true},"ports":[{"containerPort":1,"hostPort":1}]}]}""");

        Assert.That(PodSecurityEvaluator.Default.Check(At(PodSecurityLevel.Baseline, "v1.31"), pod).Reason, Is.EqualTo("host namespaces, hostPort, privileged, forbidden sysctls"));
        Assert.That(PodSecurityEvaluator.Default.Check(At(PodSecurityLevel.Baseline, "v1.40"), pod).Reason, Is.EqualTo("host namespaces, hostPort, privileged"));
        Assert.That(PodSecurityEvaluator.Default.Check(At(PodSecurityLevel.Baseline, "latest"), pod).Reason, Is.EqualTo("host namespaces, hostPort, privileged"));
    }

    [Test]
    public void Privileged_ChecksNothing()
    {
        var pod = Pod("""{"hostNetwork":true,"containers":[{"name":"c","securityContext":{"privileged":true}}]}""");

        Assert.That(PodSecurityEvaluator.Default.Evaluate(At(PodSecurityLevel.Privileged, "latest"), pod), Is.Empty);
    }

    [Test]
    public void RestrictedCompliantPod_IsAllowed()
    {
        var pod = Pod("""{"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"c","securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}]}""");

        Assert.That(PodSecurityEvaluator.Default.Check(At(PodSecurityLevel.Restricted, "latest"), pod).Allowed, Is.True);
    }
}
