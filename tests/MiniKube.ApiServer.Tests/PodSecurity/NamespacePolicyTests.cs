using MiniKube.ApiServer.PodSecurity;

namespace MiniKube.ApiServer.Tests.PodSecurity;

/// <summary>The namespace labels as upstream's PolicyToEvaluate reads them: defaults, fallbacks, warn following enforce, and the errors.</summary>
public sealed class NamespacePolicyTests
{
    private static (NamespacePolicy Policy, IReadOnlyList<string> Errors) Parse(params (string Key, string Value)[] labels)
    {
        var (policy, errors) = NamespacePolicy.FromLabels(labels.ToDictionary(l => NamespacePolicy.LabelPrefix + l.Key, l => l.Value), NamespacePolicy.Privileged);
        return (policy, errors.Select(e => e.Message).ToList());
    }

    [Test]
    public void NoLabels_IsTheDefault()
    {
        var (policy, errors) = Parse();

        Assert.That(policy, Is.EqualTo(NamespacePolicy.Privileged));
        Assert.That(policy.FullyPrivileged, Is.True);
        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void EnforceStricterThanWarn_WarnFollowsWithItsVersion()
    {
        var (policy, _) = Parse(("enforce", "restricted"), ("enforce-version", "v1.24"));

        Assert.That(policy.Enforce.ToString(), Is.EqualTo("restricted:v1.24"));
        Assert.That(policy.Warn.ToString(), Is.EqualTo("restricted:v1.24"));
        Assert.That(policy.Audit.ToString(), Is.EqualTo("privileged:latest"));
    }

    [Test]
    public void WarnSetExplicitly_IsKept_AndOnlyItsVersionLabelWins()
    {
        Assert.That(Parse(("enforce", "restricted"), ("warn", "baseline")).Policy.Warn.ToString(), Is.EqualTo("baseline:latest"));
        Assert.That(Parse(("enforce", "restricted"), ("enforce-version", "v1.24"), ("warn-version", "v1.30")).Policy.Warn.ToString(), Is.EqualTo("restricted:v1.30"));
    }

    [Test]
    public void BadValues_FallBackAsUpstream_AndNameTheLabel()
    {
        var (policy, errors) = Parse(("enforce", "strict"), ("enforce-version", "v1.07"), ("audit", "x"), ("warn", "y"), ("warn-version", "1.25"));

        Assert.Multiple(() =>
        {
            Assert.That(policy.Enforce.ToString(), Is.EqualTo("restricted:latest"));
            Assert.That(policy.Audit.Level, Is.EqualTo(PodSecurityLevel.Privileged));
            Assert.That(policy.Warn.Level, Is.EqualTo(PodSecurityLevel.Privileged));
            Assert.That(errors, Is.EqualTo(new[]
            {
                "metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of privileged, baseline, restricted",
                "metadata.labels[pod-security.kubernetes.io/enforce-version]: Invalid value: \"v1.07\": must be \"latest\" or \"v1.x\"",
                "metadata.labels[pod-security.kubernetes.io/audit]: Invalid value: \"x\": must be one of privileged, baseline, restricted",
                "metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: \"y\": must be one of privileged, baseline, restricted",
                "metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: \"1.25\": must be \"latest\" or \"v1.x\"",
            }));
        });
    }

    [TestCase("latest", true, 0)]
    [TestCase("v1.0", false, 0)]
    [TestCase("v1.32", false, 32)]
    [TestCase("v1.99", false, 99)]
    public void PolicyVersion_Parse_AcceptsLatestAndV1Minor(string text, bool latest, int minor)
    {
        var version = PolicyVersion.Parse(text);

        Assert.That(version, Is.Not.Null);
        Assert.That(version!.Value.IsLatest, Is.EqualTo(latest));
        Assert.That(version.Value.Minor, Is.EqualTo(minor));
        Assert.That(version.Value.ToString(), Is.EqualTo(text));
    }

    [TestCase("v2.1")]
    [TestCase("v1.")]
    [TestCase("v1.01")]
    [TestCase("Latest")]
    [TestCase("v1.99999999999")]
    public void PolicyVersion_Parse_RefusesOtherSpellings(string text) => Assert.That(PolicyVersion.Parse(text), Is.Null);

    [Test]
    public void PolicyVersion_Latest_IsNewerThanAnyNumberedVersion()
    {
        Assert.That(PolicyVersion.V1(1000).OlderThan(PolicyVersion.Latest), Is.True);
        Assert.That(PolicyVersion.Latest.OlderThan(PolicyVersion.V1(1000)), Is.False);
        Assert.That(PolicyVersion.V1(24).OlderThan(PolicyVersion.V1(25)), Is.True);
    }
}
