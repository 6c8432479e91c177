using System.Text.Json.Nodes;
using MiniKube.Testing;
using k8s.Models;
using MiniKube.Controllers.ClusterRoleAggregation;

namespace MiniKube.Controllers.Tests.ClusterRoleAggregation;

public sealed class ClusterRoleAggregationControllerTests
{
    private static V1ClusterRole Role(string name, Dictionary<string, string>? labels = null, V1AggregationRule? aggregation = null, params V1PolicyRule[] rules) =>
        new() { Metadata = new V1ObjectMeta { Name = name, Labels = labels }, AggregationRule = aggregation, Rules = rules.Length == 0 ? null : rules };

    private static V1AggregationRule Selecting(params string[] labels) =>
        new() { ClusterRoleSelectors = [.. labels.Select(l => new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [l] = "true" } })] };

    private static V1PolicyRule Rule(string verb, string resource) => new() { Verbs = [verb], ApiGroups = [""], Resources = [resource] };

    [Test]
    public async Task SyncAsync_UnionOfMatchingRolesBySelectorThenName_AppliedOnce()
    {
        await using var world = new ControllerHarness().Seed(
            Role("edit", aggregation: Selecting("edit", "view")),
            Role("zeta", new() { ["edit"] = "true" }, null, Rule("create", "pods"), Rule("get", "pods")),
            Role("alpha", new() { ["edit"] = "true" }, null, Rule("delete", "pods")),
            Role("viewer", new() { ["view"] = "true" }, null, Rule("get", "pods"), Rule("list", "pods")),
            Role("other", new() { ["admin"] = "true" }, null, Rule("escalate", "roles")));
        var controller = new ClusterRoleAggregationController(world.Context);
        await world.StartAsync();

        await controller.SyncAsync(NamespacedName.Parse("edit"), CancellationToken.None);

        var patch = world.Writes("PATCH", "/apis/rbac.authorization.k8s.io/v1/clusterroles/edit").Single();
        Assert.That(patch.Path, Does.Contain("fieldManager=clusterrole-aggregation-controller").And.Contain("force=true"));
        var applied = JsonNode.Parse(patch.Body!)!;
        Assert.That(applied["aggregationRule"], Is.Null, "only the rules are applied");
        Assert.That(applied["rules"]!.AsArray().Select(r => $"{r!["verbs"]![0]} {r["resources"]![0]}"), Is.EqualTo(new[] { "delete pods", "create pods", "get pods", "list pods" }));
    }

    [Test]
    public async Task SyncAsync_RulesAlreadyTheUnion_WritesNothing()
    {
        await using var world = new ControllerHarness().Seed(
            Role("edit", null, Selecting("edit"), new V1PolicyRule { Verbs = ["get"], ApiGroups = [""], Resources = ["pods"], ResourceNames = [] }),
            Role("a", new() { ["edit"] = "true" }, null, Rule("get", "pods")));
        var controller = new ClusterRoleAggregationController(world.Context);
        await world.StartAsync();

        await controller.SyncAsync(NamespacedName.Parse("edit"), CancellationToken.None);

        Assert.That(world.Api.Writes, Is.Empty, "an empty list and a missing one are the same rule");
    }

    [Test]
    public async Task SyncAsync_SelectsItself_OwnRulesNotFedBack()
    {
        await using var world = new ControllerHarness().Seed(
            Role("edit", new() { ["edit"] = "true" }, Selecting("edit"), Rule("stale", "pods")),
            Role("a", new() { ["edit"] = "true" }, null, Rule("get", "pods")));
        var controller = new ClusterRoleAggregationController(world.Context);
        await world.StartAsync();

        await controller.SyncAsync(NamespacedName.Parse("edit"), CancellationToken.None);

        var applied = JsonNode.Parse(world.Writes("PATCH", "/apis/rbac.authorization.k8s.io/v1/clusterroles/edit").Single().Body!)!;
        Assert.That(applied["rules"]!.AsArray().Select(r => r!["verbs"]![0]!.GetValue<string>()), Is.EqualTo(new[] { "get" }));
    }

    [Test]
    public async Task SyncAsync_NoAggregationRuleOrGone_WritesNothing()
    {
        await using var world = new ControllerHarness().Seed(Role("plain", null, null, Rule("get", "pods")));
        var controller = new ClusterRoleAggregationController(world.Context);
        await world.StartAsync();

        await controller.SyncAsync(NamespacedName.Parse("plain"), CancellationToken.None);
        await controller.SyncAsync(NamespacedName.Parse("gone"), CancellationToken.None);

        Assert.That(world.Api.Writes, Is.Empty);
    }

    [Test]
    public async Task SyncAsync_NothingMatchesAnyMore_RulesEmptied()
    {
        await using var world = new ControllerHarness().Seed(Role("edit", null, Selecting("edit"), Rule("get", "pods")));
        var controller = new ClusterRoleAggregationController(world.Context);
        await world.StartAsync();

        await controller.SyncAsync(NamespacedName.Parse("edit"), CancellationToken.None);

        var applied = JsonNode.Parse(world.Writes("PATCH", "/apis/rbac.authorization.k8s.io/v1/clusterroles/edit").Single().Body!)!;
        Assert.That(applied["rules"]!.AsArray(), Is.Empty);
    }

    [TestCase(null, null, true)]
    [TestCase(new string[0], null, true)]
    [TestCase(new[] { "x" }, null, false)]
    public void SameRule_MissingEqualsEmpty(string[]? a, string[]? b, bool same)
    {
        Assert.That(ClusterRoleAggregationController.SameRule(new V1PolicyRule { Verbs = ["get"], ResourceNames = a }, new V1PolicyRule { Verbs = ["get"], ResourceNames = b }), Is.EqualTo(same));
    }
}
