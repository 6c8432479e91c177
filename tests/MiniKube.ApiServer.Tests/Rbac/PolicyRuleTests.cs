using System.Text.Json.Nodes;
using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Rbac;

namespace MiniKube.ApiServer.Tests.Rbac;

/// <summary>Rule matching as upstream's RuleAllows: each dimension allowed and refused.</summary>
public sealed class PolicyRuleTests
{
    private static readonly UserInfo Jane = new("jane", ["system:authenticated"]);

    private static PolicyRule Rule(string json) => PolicyRule.From(JsonNode.Parse(json)!.AsObject());

    private static RequestAttributes Resource(string verb, string group, string resource, string subresource = "", string name = "") => new(Jane, verb)
    {
        IsResourceRequest = true,
        ApiGroup = group,
        Resource = resource,
        Subresource = subresource,
        Name = name,
        Namespace = "default",
    };

    private static RequestAttributes Url(string verb, string path) => new(Jane, verb) { Path = path };

    [TestCase("get", true)]
    [TestCase("list", true)]
    [TestCase("delete", false)]
    public void Verbs_MatchExactly(string verb, bool allowed) =>
        Assert.That(Rule("""{"verbs":["get","list"],"apiGroups":[""],"resources":["pods"]}""").Allows(Resource(verb, "", "pods")), Is.EqualTo(allowed));

    [Test]
    public void Verbs_Star_MatchesAny() =>
        Assert.That(Rule("""{"verbs":["*"],"apiGroups":[""],"resources":["pods"]}""").Allows(Resource("escalate", "", "pods")), Is.True);

    [TestCase("apps", true)]
    [TestCase("", false)]
    [TestCase("batch", false)]
    public void ApiGroups_MatchExactly(string group, bool allowed) =>
        Assert.That(Rule("""{"verbs":["get"],"apiGroups":["apps"],"resources":["deployments"]}""").Allows(Resource("get", group, "deployments")), Is.EqualTo(allowed));

    [Test]
    public void ApiGroups_Star_MatchesAny() =>
        Assert.That(Rule("""{"verbs":["get"],"apiGroups":["*"],"resources":["deployments"]}""").Allows(Resource("get", "example.com", "deployments")), Is.True);

    [TestCase("pods", "", true)]
    [TestCase("pods", "log", false)]
    [TestCase("services", "", false)]
    public void Resources_WithoutSubresource_MatchTheResourceOnly(string resource, string subresource, bool allowed) =>
        Assert.That(Rule("""{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}""").Allows(Resource("get", "", resource, subresource)), Is.EqualTo(allowed));

    [TestCase("pods", "log", true)]
    [TestCase("pods", "exec", false)]
    [TestCase("pods", "", false)]
    [TestCase("nodes", "log", false)]
    public void Resources_WithSubresource_MatchThatPair(string resource, string subresource, bool allowed) =>
        Assert.That(Rule("""{"verbs":["get"],"apiGroups":[""],"resources":["pods/log"]}""").Allows(Resource("get", "", resource, subresource)), Is.EqualTo(allowed));

    [TestCase("pods", "status", true)]
    [TestCase("deployments", "status", true)]
    [TestCase("pods", "log", false)]
    [TestCase("pods", "", false)]
    public void Resources_StarSlashSubresource_MatchThatSubresourceOfAny(string resource, string subresource, bool allowed) =>
        Assert.That(Rule("""{"verbs":["get"],"apiGroups":["*"],"resources":["*/status"]}""").Allows(Resource("get", "", resource, subresource)), Is.EqualTo(allowed));

    [TestCase("", true)]
    [TestCase("log", true)]
    public void Resources_Star_MatchesResourcesAndSubresources(string subresource, bool allowed) =>
        Assert.That(Rule("""{"verbs":["get"],"apiGroups":[""],"resources":["*"]}""").Allows(Resource("get", "", "pods", subresource)), Is.EqualTo(allowed));

    [TestCase("log", false)]
    [TestCase("", false)]
    public void Resources_ResourceSlashStar_IsNoWildcard_AsUpstream(string subresource, bool allowed) =>
        Assert.That(Rule("""{"verbs":["get"],"apiGroups":[""],"resources":["pods/*"]}""").Allows(Resource("get", "", "pods", subresource)), Is.EqualTo(allowed));

    [TestCase("web", true)]
    [TestCase("db", false)]
    [TestCase("", false)]
    public void ResourceNames_WhenGiven_MustContainTheName(string name, bool allowed) =>
        Assert.That(Rule("""{"verbs":["get"],"apiGroups":[""],"resources":["configmaps"],"resourceNames":["web"]}""").Allows(Resource("get", "", "configmaps", name: name)), Is.EqualTo(allowed));

    [TestCase("/healthz", true)]
    [TestCase("/healthz/etcd", false)]
    [TestCase("/metrics", false)]
    public void NonResourceUrls_MatchExactly(string path, bool allowed) =>
        Assert.That(Rule("""{"verbs":["get"],"nonResourceURLs":["/healthz"]}""").Allows(Url("get", path)), Is.EqualTo(allowed));

    [TestCase("/apis", true)]
    [TestCase("/apis/apps/v1", true)]
    [TestCase("/api", false)]
    public void NonResourceUrls_TrailingStar_MatchesThePrefix(string path, bool allowed) =>
        Assert.That(Rule("""{"verbs":["get"],"nonResourceURLs":["/apis*"]}""").Allows(Url("get", path)), Is.EqualTo(allowed));

    [Test]
    public void NonResourceUrls_NeverMatchResourceRequests_AndTheReverse()
    {
        Assert.That(Rule("""{"verbs":["get"],"nonResourceURLs":["*"]}""").Allows(Resource("get", "", "pods")), Is.False);
        Assert.That(Rule("""{"verbs":["get"],"apiGroups":["*"],"resources":["*"]}""").Allows(Url("get", "/healthz")), Is.False);
        Assert.That(Rule("""{"verbs":["post"],"nonResourceURLs":["*"]}""").Allows(Url("get", "/healthz")), Is.False);
    }
}
