using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.NodeAuthorization;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Tests.NodeAuthorization;

/// <summary>The Node authorizer's decisions and reasons, as node_authorizer.go words them.</summary>
public sealed class NodeAuthorizerTests
{
    private static readonly UserInfo NodeA = new("system:node:a", ["system:nodes", UserInfo.AuthenticatedGroup]);

    private NodeGraph _graph = null!;

    private NodeAuthorizer Authorizer => new(_graph);

    [SetUp]
    public void NewGraph()
    {
        _graph = new NodeGraph();
        _graph.AddPod("ns", "web", "a", new PodEdges(false, "sa", ["mine"], ["cm"], ["data"]));
        _graph.AddPod("ns", "theirs", "b", new PodEdges(false, "other-sa", ["theirs"], [], []));
    }

    private static RequestAttributes Request(string verb, string resource, string ns = "", string name = "", string group = "", string subresource = "", UserInfo? user = null) =>
        new(user ?? NodeA, verb) { IsResourceRequest = true, ApiGroup = group, Resource = resource, Namespace = ns, Name = name, Subresource = subresource };

    private AuthorizationResult Decide(RequestAttributes attributes) => Authorizer.Authorize(attributes);

    [TestCase("get")]
    [TestCase("list")]
    [TestCase("watch")]
    public void Secret_UsedByItsPod_Allowed(string verb) =>
        Assert.That(Decide(Request(verb, "secrets", "ns", "mine")).IsAllowed, Is.True);

    [TestCase("secrets", "theirs", "no relationship found between node 'a' and this object")]
    [TestCase("secrets", "", "No Object name found")]
    [TestCase("configmaps", "nope", "no relationship found between node 'a' and this object")]
    public void Read_NotReachable_NoOpinionWithUpstreamsReason(string resource, string name, string reason)
    {
        var result = Decide(Request("list", resource, "ns", name));

        Assert.That(result.Decision, Is.EqualTo(AuthorizationDecision.NoOpinion));
        Assert.That(result.Reason, Is.EqualTo(reason));
    }

    [Test]
    public void Secret_WritesAndClusterWideReads_Refused()
    {
        Assert.That(Decide(Request("update", "secrets", "ns", "mine")).Reason, Is.EqualTo("can only read resources of this type"));
        Assert.That(Decide(Request("list", "secrets")).Reason, Is.EqualTo("can only read namespaced object of this type"));
        Assert.That(Decide(Request("get", "configmaps", "ns", "cm", subresource: "x")).Reason, Is.EqualTo("cannot read subresource"));
        Assert.That(Decide(Request("get", "configmaps", "ns", "cm")).IsAllowed, Is.True);
    }

    [Test]
    public void ClaimAndVolume_GetOnly()
    {
        Assert.That(Decide(Request("get", "persistentvolumeclaims", "ns", "data")).IsAllowed, Is.True);
        Assert.That(Decide(Request("list", "persistentvolumeclaims", "ns", "data")).Reason, Is.EqualTo("can only get individual resources of this type"));
        Assert.That(Decide(Request("patch", "persistentvolumeclaims", "ns", "data", subresource: "status")).IsAllowed, Is.True);
        Assert.That(Decide(Request("get", "persistentvolumeclaims", "ns", "data", subresource: "status")).Reason, Is.EqualTo("can only get/update/patch this type"));
        Assert.That(Decide(Request("get", "persistentvolumes", "", "pv")).Reason, Is.EqualTo("no relationship found between node 'a' and this object"));
    }

    [Test]
    public void Token_ForItsPodsServiceAccountOnly()
    {
        Assert.That(Decide(Request("create", "serviceaccounts", "ns", "sa", subresource: "token")).IsAllowed, Is.True);
        Assert.That(Decide(Request("create", "serviceaccounts", "ns", "other-sa", subresource: "token")).Reason, Is.EqualTo("no relationship found between node 'a' and this object"));
        Assert.That(Decide(Request("get", "serviceaccounts", "ns", "sa")).Reason, Is.EqualTo("can only create tokens for individual service accounts"));
        Assert.That(Decide(Request("create", "serviceaccounts", "ns", "sa")).Reason, Is.EqualTo("can only create token subresource of serviceaccount"));
    }

    [Test]
    public void Nodes_ReadsOfItsOwnOnly_WritesLeftToNodeRestriction()
    {
        Assert.That(Decide(Request("get", "nodes", name: "a")).IsAllowed, Is.True);
        Assert.That(Decide(Request("watch", "nodes", name: "a")).IsAllowed, Is.True);
        Assert.That(Decide(Request("list", "nodes")).Reason, Is.EqualTo("node 'a' cannot read all nodes, only its own Node object"));
        Assert.That(Decide(Request("get", "nodes", name: "b")).Reason, Is.EqualTo("node 'a' cannot read 'b', only its own Node object"));
        Assert.That(Decide(Request("patch", "nodes", name: "b")).IsAllowed, Is.True);
        Assert.That(Decide(Request("update", "nodes", name: "a", subresource: "status")).IsAllowed, Is.True);
        Assert.That(Decide(Request("delete", "nodes", name: "a")).Decision, Is.EqualTo(AuthorizationDecision.NoOpinion));
    }

    [Test]
    public void Pods_ListedOnlyWithItsNodeNameSelector()
    {
        var mine = Request("list", "pods") with { FieldSelector = [new FieldTerm("spec.nodeName", "a", false)] };
        var theirs = Request("watch", "pods") with { FieldSelector = [new FieldTerm("spec.nodeName", "b", false)] };

        Assert.That(Decide(mine).IsAllowed, Is.True);
        Assert.That(Decide(theirs).Reason, Is.EqualTo("can only list/watch pods with spec.nodeName field selector"));
        Assert.That(Decide(Request("list", "pods", "ns")).Reason, Is.EqualTo("can only list/watch pods with spec.nodeName field selector"));
        Assert.That(Decide(Request("watch", "pods", "ns", "web")).IsAllowed, Is.True);
        Assert.That(Decide(Request("get", "pods", "ns", "web")).IsAllowed, Is.True);
        Assert.That(Decide(Request("get", "pods", "ns", "theirs")).Reason, Is.EqualTo("no relationship found between node 'a' and this object"));
        Assert.That(Decide(Request("create", "pods", "ns")).IsAllowed, Is.True, "mirror pods, restricted by NodeRestriction");
        Assert.That(Decide(Request("create", "pods", "ns", "theirs", subresource: "eviction")).IsAllowed, Is.True);
        Assert.That(Decide(Request("update", "pods", "ns", "web")).Decision, Is.EqualTo(AuthorizationDecision.NoOpinion));
        Assert.That(Decide(Request("get", "pods", "ns", "web", subresource: "log")).Decision, Is.EqualTo(AuthorizationDecision.NoOpinion));
    }

    [Test]
    public void LeaseAndCsiNode_ItsOwn()
    {
        Assert.That(Decide(Request("update", "leases", "kube-node-lease", "a", "coordination.k8s.io")).IsAllowed, Is.True);
        Assert.That(Decide(Request("create", "leases", "kube-node-lease", "", "coordination.k8s.io")).IsAllowed, Is.True);
        Assert.That(Decide(Request("update", "leases", "kube-node-lease", "b", "coordination.k8s.io")).Reason, Is.EqualTo("can only access node lease with the same name as the requesting node"));
        Assert.That(Decide(Request("get", "leases", "default", "a", "coordination.k8s.io")).Reason, Is.EqualTo("can only access leases in the \"kube-node-lease\" system namespace"));
        Assert.That(Decide(Request("list", "leases", "kube-node-lease", "", "coordination.k8s.io")).Reason, Is.EqualTo("can only get, create, update, patch, or delete a node lease"));
        Assert.That(Decide(Request("patch", "csinodes", "", "b", "storage.k8s.io")).Reason, Is.EqualTo("can only access CSINode with the same name as the requesting node"));
        Assert.That(Decide(Request("get", "csinodes", "", "a", "storage.k8s.io")).IsAllowed, Is.True);
    }

    [Test]
    public void OtherResources_ByTheNodeRules()
    {
        Assert.That(Decide(Request("watch", "services")).IsAllowed, Is.True);
        Assert.That(Decide(Request("create", "events", "ns")).IsAllowed, Is.True);
        Assert.That(Decide(Request("create", "tokenreviews", group: "authentication.k8s.io")).IsAllowed, Is.True);
        Assert.That(Decide(Request("list", "deployments", "ns", group: "apps")).Decision, Is.EqualTo(AuthorizationDecision.NoOpinion));
        Assert.That(Decide(Request("delete", "services", "ns", "x")).Decision, Is.EqualTo(AuthorizationDecision.NoOpinion));
    }

    [Test]
    public void NotANode_NoOpinion()
    {
        var impostor = new UserInfo("system:node:a", [UserInfo.AuthenticatedGroup]);
        var result = Decide(Request("get", "secrets", "ns", "mine", user: impostor));

        Assert.That(result, Is.EqualTo(AuthorizationResult.NoOpinion()));
        Assert.That(Decide(Request("get", "secrets", "ns", "mine", user: new UserInfo("system:node:", ["system:nodes"]))).Reason,
            Is.EqualTo("unknown node for user \"system:node:\""));
    }

    [Test]
    public void RulesFor_ANode_IncompleteAsUpstream()
    {
        var rules = Authorizer.RulesFor(NodeA, "ns");

        Assert.That(rules.Incomplete, Is.True);
        Assert.That(rules.EvaluationError, Is.EqualTo("node authorizer does not support user rule resolution"));
        Assert.That(Authorizer.RulesFor(new UserInfo("jane", []), "ns").Incomplete, Is.False);
    }
}
