using System.Text.Json.Nodes;
using MiniKube.ApiServer.AdmissionPlugins;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Tests.AdmissionPlugins;

/// <summary>Which writes a webhook's rules select: operations, groups, versions, resources with subresources, scope, equivalence.</summary>
public sealed class WebhookRulesTests
{
    private static readonly ResourceType Pods = ResourceCatalog.Find("", "v1", "pods")!;
    private static readonly ResourceType Namespaces = ResourceCatalog.Find("", "v1", "namespaces")!;
    private static readonly ResourceType Nodes = ResourceCatalog.Find("", "v1", "nodes")!;
    private static readonly ResourceType HpaV2 = ResourceCatalog.Find("autoscaling", "v2", "horizontalpodautoscalers")!;
    private static readonly ResourceType CoreEvents = ResourceCatalog.Find("", "v1", "events")!;

    private static AdmissionRequest Request(ResourceType type, AdmissionOperation operation = AdmissionOperation.Create, string? subresource = null, string name = "x")
    {
        var metadata = new JsonObject { ["name"] = name };
        if (type.Namespaced)
        {
            metadata["namespace"] = "default";
        }
        return new AdmissionRequest(type, operation, subresource, new JsonObject { ["metadata"] = metadata }, null, false, null);
    }

    private static JsonObject[] Rules(string json) => JsonNode.Parse(json)!.AsArray().Select(r => r!.AsObject()).ToArray();

    private static ResourceType? Match(string rules, AdmissionRequest request, bool exact = false) => WebhookRules.Match(Rules(rules), exact, request);

    [TestCase("pods", null, true)]
    [TestCase("pods", "status", false)]
    [TestCase("pods/status", "status", true)]
    [TestCase("pods/status", null, false)]
    [TestCase("pods/*", "status", true)]
    [TestCase("*/status", "status", true)]
    [TestCase("*", null, true)]
    [TestCase("*", "status", false)]
    [TestCase("*/*", "status", true)]
    [TestCase("*/*", null, true)]
    [TestCase("deployments", null, false)]
    public void Match_Resources_WithSubresources(string resource, string? subresource, bool matches)
    {
        var rules = $$"""[{"operations":["*"],"apiGroups":[""],"apiVersions":["v1"],"resources":["{{resource}}"]}]""";

        Assert.That(Match(rules, Request(Pods, AdmissionOperation.Update, subresource)), matches ? Is.SameAs(Pods) : Is.Null);
    }

    [Test]
    public void Match_OperationsGroupsVersions()
    {
        Assert.That(Match("""[{"operations":["UPDATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods"]}]""", Request(Pods)), Is.Null);
        Assert.That(Match("""[{"operations":["DELETE"],"apiGroups":["*"],"apiVersions":["*"],"resources":["pods"]}]""", Request(Pods, AdmissionOperation.Delete)), Is.SameAs(Pods));
        Assert.That(Match("""[{"operations":["*"],"apiGroups":["apps"],"apiVersions":["v1"],"resources":["pods"]}]""", Request(Pods)), Is.Null);
        Assert.That(Match("""[{"operations":["*"],"apiGroups":[""],"apiVersions":["v2"],"resources":["pods"]}]""", Request(Pods)), Is.Null);
    }

    [Test]
    public void Match_Scope_NamespacesCountAsClusterScoped()
    {
        const string namespaced = """[{"operations":["*"],"apiGroups":["*"],"apiVersions":["*"],"resources":["*"],"scope":"Namespaced"}]""";
        const string cluster = """[{"operations":["*"],"apiGroups":["*"],"apiVersions":["*"],"resources":["*"],"scope":"Cluster"}]""";

        Assert.That(Match(namespaced, Request(Pods)), Is.SameAs(Pods));
        Assert.That(Match(namespaced, Request(Namespaces)), Is.Null);
        Assert.That(Match(namespaced, Request(Nodes)), Is.Null);
        Assert.That(Match(cluster, Request(Namespaces)), Is.SameAs(Namespaces));
        Assert.That(Match(cluster, Request(Nodes)), Is.SameAs(Nodes));
        Assert.That(Match(cluster, Request(Pods)), Is.Null);
    }

    [Test]
    public void Match_Equivalent_FindsTheOtherFormOfTheStoredObjects_ExactDoesNot()
    {
        const string v1Hpa = """[{"operations":["*"],"apiGroups":["autoscaling"],"apiVersions":["v1"],"resources":["horizontalpodautoscalers"]}]""";
        const string eventsV1 = """[{"operations":["*"],"apiGroups":["events.k8s.io"],"apiVersions":["v1"],"resources":["events"]}]""";

        Assert.That(Match(v1Hpa, Request(HpaV2))?.GroupVersion, Is.EqualTo("autoscaling/v1"));
        Assert.That(Match(v1Hpa, Request(HpaV2), exact: true), Is.Null);
        Assert.That(Match(eventsV1, Request(CoreEvents))?.GroupVersion, Is.EqualTo("events.k8s.io/v1"));
    }

    [Test]
    public void Namespace_OfANamespace_IsItsName()
    {
        Assert.That(WebhookRules.Namespace(Request(Namespaces, name: "team-a")), Is.EqualTo("team-a"));
        Assert.That(WebhookRules.Namespace(Request(Pods)), Is.EqualTo("default"));
        Assert.That(WebhookRules.Namespace(Request(Nodes)), Is.EqualTo(""));
    }
}
