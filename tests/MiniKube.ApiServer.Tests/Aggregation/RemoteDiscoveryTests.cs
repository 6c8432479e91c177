using System.Text.Json.Nodes;
using MiniKube.ApiServer.Aggregation;

namespace MiniKube.ApiServer.Tests.Aggregation;

/// <summary>How extension servers' discovery is merged: the aggregated shape of a legacy list, and group order.</summary>
public sealed class RemoteDiscoveryTests
{
    [Test]
    public void AggregatedResources_SubresourcesNestUnderTheirParent_AndKindsDefaultToTheGroupVersion()
    {
        var list = JsonNode.Parse("""
            {"kind":"APIResourceList","groupVersion":"m.io/v1","resources":[
             {"name":"pods","singularName":"pod","namespaced":true,"kind":"PodMetrics","verbs":["get","list"],"shortNames":[],"categories":["all"]},
             {"name":"pods/status","singularName":"","namespaced":true,"kind":"PodMetrics","verbs":["get"]},
             {"name":"nodes","singularName":"node","namespaced":false,"group":"other.io","version":"v2","kind":"NodeMetrics","verbs":["get"]}]}
            """)!.AsObject();

        var resources = RemoteDiscovery.AggregatedResources("m.io", "v1", list);

        var expected = JsonNode.Parse("""
            [{"resource":"pods","responseKind":{"group":"m.io","version":"v1","kind":"PodMetrics"},"scope":"Namespaced","singularResource":"pod","verbs":["get","list"],"categories":["all"],
              "subresources":[{"subresource":"status","responseKind":{"group":"m.io","version":"v1","kind":"PodMetrics"},"verbs":["get"]}]},
             {"resource":"nodes","responseKind":{"group":"other.io","version":"v2","kind":"NodeMetrics"},"scope":"Cluster","singularResource":"node","verbs":["get"]}]
            """);
        Assert.That(JsonNode.DeepEquals(resources, expected), Is.True, resources.ToJsonString());
    }

    [Test]
    public void LegacyGroups_OrderGroupsByPriorityAndVersionsByPriorityThenKubeOrder()
    {
        ApiServiceInfo Remote(string group, string version, long groupPriority, long versionPriority) =>
            new($"{version}.{group}", group, version, new MiniKube.ApiServer.Webhooks.WebhookService("n", "s", 443), null, true, groupPriority, versionPriority, true, 1);

        var groups = RemoteDiscovery.LegacyGroups([Remote("a.io", "v1", 100, 10), Remote("b.io", "v1beta1", 200, 10), Remote("b.io", "v1", 200, 10), Remote("b.io", "v2alpha1", 200, 50)]);

        Assert.That(groups.Select(g => g["name"]!.GetValue<string>()), Is.EqualTo(new[] { "b.io", "a.io" }));
        Assert.That(groups[0]["versions"]!.AsArray().Select(v => v!["version"]!.GetValue<string>()), Is.EqualTo(new[] { "v2alpha1", "v1", "v1beta1" }));
        Assert.That(groups[0]["preferredVersion"]!["groupVersion"]!.GetValue<string>(), Is.EqualTo("b.io/v2alpha1"));
    }
}
