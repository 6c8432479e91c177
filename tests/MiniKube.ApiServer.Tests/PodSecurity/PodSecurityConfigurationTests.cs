using MiniKube.ApiServer.PodSecurity;

namespace MiniKube.ApiServer.Tests.PodSecurity;

/// <summary>The warning for an exempt namespace whose labels ask for more than the default.</summary>
public sealed class PodSecurityConfigurationTests
{
    private static readonly PodSecurityConfiguration Config = new() { ExemptNamespaces = new HashSet<string> { "kube-system" } };

    [Test]
    public void ExemptNamespaceWarning_NamesOnlyTheModesItsLabelsSet()
    {
        var labels = new Dictionary<string, string> { [NamespacePolicy.EnforceLevelLabel] = "baseline", [NamespacePolicy.AuditVersionLabel] = "v1.30" };
        var (policy, _) = NamespacePolicy.FromLabels(labels, Config.Defaults);

        // Warn follows enforce but was not set by a label, and audit stays privileged: only enforce is named.
        Assert.That(Config.ExemptNamespaceWarning("kube-system", policy, labels),
            Is.EqualTo("namespace \"kube-system\" is exempt from Pod Security, and the policy (enforce=baseline:latest) will be ignored"));
    }

    [Test]
    public void ExemptNamespaceWarning_PrivilegedPolicy_None()
    {
        var labels = new Dictionary<string, string> { [NamespacePolicy.EnforceLevelLabel] = "privileged" };
        var (policy, _) = NamespacePolicy.FromLabels(labels, Config.Defaults);

        Assert.That(Config.ExemptNamespaceWarning("kube-system", policy, labels), Is.Null);
    }
}
