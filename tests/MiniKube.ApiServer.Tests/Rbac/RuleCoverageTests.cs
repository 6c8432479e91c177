using MiniKube.ApiServer.Rbac;

namespace MiniKube.ApiServer.Tests.Rbac;

/// <summary>The escalation comparison (policy_comparator.go Covers) and how missing rules are described.</summary>
public sealed class RuleCoverageTests
{
    private static PolicyRule R(string verbs, string groups, string resources, string names = "") =>
        new(verbs.Split(' '), groups.Split(' ').Select(g => g == "core" ? "" : g).ToArray(), resources.Split(' '), names.Length == 0 ? [] : names.Split(' '), []);

    [Test]
    public void Uncovered_HeldRuleCoveringEveryPiece_IsEmpty()
    {
        var held = new[] { R("get list watch", "core", "pods services") };

        Assert.That(RuleCoverage.Uncovered(held, [R("get list", "core", "pods"), R("watch", "core", "services")]), Is.Empty);
    }

    [Test]
    public void Uncovered_PiecesSpreadOverSeveralHeldRules_AreCovered()
    {
        var held = new[] { R("get", "core", "pods"), R("list", "core", "pods") };

        Assert.That(RuleCoverage.Uncovered(held, [R("get list", "core", "pods")]), Is.Empty);
    }

    [Test]
    public void Uncovered_MissingVerb_IsListedBrokenDown()
    {
        var missing = RuleCoverage.Uncovered([R("get", "core", "pods")], [R("get create delete", "core", "pods")]);

        Assert.That(RuleCoverage.Describe(missing), Is.EqualTo(new[] { "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"create\" \"delete\"]}" }));
    }

    [Test]
    public void Uncovered_StarSubresource_CoversAnyResourcesSubresource()
    {
        Assert.That(RuleCoverage.Uncovered([R("get", "*", "*/status")], [R("get", "apps", "deployments/status")]), Is.Empty);
        Assert.That(RuleCoverage.Uncovered([R("get", "*", "*/status")], [R("get", "apps", "deployments")]), Has.Count.EqualTo(1));
    }

    [Test]
    public void Uncovered_ResourceNames_AreCoveredOnlyByTheSameNamesOrNone()
    {
        Assert.That(RuleCoverage.Uncovered([R("get", "core", "configmaps")], [R("get", "core", "configmaps", "a")]), Is.Empty);
        Assert.That(RuleCoverage.Uncovered([R("get", "core", "configmaps", "a")], [R("get", "core", "configmaps", "a")]), Is.Empty);
        Assert.That(RuleCoverage.Uncovered([R("get", "core", "configmaps", "a")], [R("get", "core", "configmaps")]), Has.Count.EqualTo(1));
        Assert.That(RuleCoverage.Uncovered([R("get", "core", "configmaps", "a")], [R("get", "core", "configmaps", "b")]), Has.Count.EqualTo(1));
    }

    [Test]
    public void Uncovered_NonResourceUrls_CoveredByStarPrefix()
    {
        PolicyRule Url(string verb, string url) => new([verb], [], [], [], [url]);

        Assert.That(RuleCoverage.Uncovered([Url("get", "/apis/*")], [Url("get", "/apis/apps")]), Is.Empty);
        Assert.That(RuleCoverage.Uncovered([Url("get", "/apis/*")], [Url("get", "/healthz")]), Has.Count.EqualTo(1));
    }

    [Test]
    public void Uncovered_StarsHeld_CoverEverything()
    {
        var all = new[] { R("*", "*", "*"), new PolicyRule(["*"], [], [], [], ["*"]) };

        Assert.That(RuleCoverage.Uncovered(all, [R("escalate bind", "rbac.authorization.k8s.io", "clusterroles", "x"), new(["get"], [], [], [], ["/metrics"])]), Is.Empty);
    }

    [Test]
    public void Describe_SortsAndFoldsVerbsOfOneResource()
    {
        var missing = RuleCoverage.Uncovered([], [R("list get", "core", "secrets"), R("get", "apps", "deployments")]);

        Assert.That(RuleCoverage.Describe(missing), Is.EqualTo(new[]
        {
            "{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"list\" \"get\"]}",
            "{APIGroups:[\"apps\"], Resources:[\"deployments\"], Verbs:[\"get\"]}",
        }));
    }
}
