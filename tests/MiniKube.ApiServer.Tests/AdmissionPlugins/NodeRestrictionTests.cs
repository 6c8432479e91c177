using System.Text.Json.Nodes;
using MiniKube.ApiServer.AdmissionPlugins;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Strategies;

namespace MiniKube.ApiServer.Tests.AdmissionPlugins;

/// <summary>NodeRestriction's checks that need no stored object: Nodes, Leases, CSINodes, PVC status and who is restricted.</summary>
public sealed class NodeRestrictionTests : EmbeddedStoreFixture
{
    private static readonly Requester NodeA = new("system:node:a", ["system:nodes", "system:authenticated"]);
    private static readonly ResourceType Nodes = ResourceCatalog.Find("", "v1", "nodes")!;
    private static readonly ResourceType Leases = ResourceCatalog.Find("coordination.k8s.io", "v1", "leases")!;
    private static readonly ResourceType CsiNodes = ResourceCatalog.Find("storage.k8s.io", "v1", "csinodes")!;
    private static readonly ResourceType Claims = ResourceCatalog.Find("", "v1", "persistentvolumeclaims")!;

    private NodeRestriction Plugin => new(new CachedReads(Store, null));

    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    private static JsonObject Node(string labels = "{}", string spec = "{}") => Json($$"""{"metadata":{"name":"a","labels":{{labels}}},"spec":{{spec}}}""");

    private Task AdmitAsync(ResourceType type, AdmissionOperation operation, JsonObject obj, JsonObject? old = null, string? subresource = null, Requester? user = null) =>
        Plugin.AdmitAsync(new AdmissionRequest(type, operation, subresource, obj, old, false, user ?? NodeA), CancellationToken.None);

    private string Refusal(ResourceType type, AdmissionOperation operation, JsonObject obj, JsonObject? old = null, string? subresource = null)
    {
        var error = Assert.ThrowsAsync<ApiException>(() => AdmitAsync(type, operation, obj, old, subresource));
        Assert.That(error!.Code, Is.EqualTo(403));
        return error.Message;
    }

    [Test]
    public async Task CreateOwnNode_WithKubeletLabels_Admitted()
    {
        await AdmitAsync(Nodes, AdmissionOperation.Create, Node("""{"kubernetes.io/hostname":"a","kubernetes.io/arch":"arm64","beta.kubernetes.io/os":"linux","node.kubernetes.io/instance-type":"pi","kubelet.kubernetes.io/x":"1","team.example.com/x":"1"}"""));
    }

    [Test]
    public void CreateOwnNode_WithRestrictedLabels_RefusedNamingThemSorted()
    {
        var message = Refusal(Nodes, AdmissionOperation.Create, Node("""{"node-role.kubernetes.io/worker":"","a.node-restriction.kubernetes.io/x":"1","example.k8s.io/y":"2"}"""));

        Assert.That(message, Is.EqualTo("nodes \"a\" is forbidden: node \"a\" is not allowed to set the following labels: a.node-restriction.kubernetes.io/x, example.k8s.io/y, node-role.kubernetes.io/worker"));
    }

    [Test]
    public void UpdateOwnNode_TaintsOrConfigSource_Refused()
    {
        Assert.That(Refusal(Nodes, AdmissionOperation.Update, Node(spec: """{"taints":[]}"""), Node(spec: """{"taints":[{"key":"k","effect":"NoSchedule"}]}""")),
            Is.EqualTo("nodes \"a\" is forbidden: node \"a\" is not allowed to modify taints"));
        Assert.That(Refusal(Nodes, AdmissionOperation.Update, Node(spec: """{"configSource":{"configMap":{"name":"c"}}}"""), Node()),
            Is.EqualTo("nodes \"a\" is forbidden: node \"a\" is not allowed to update configSource to a new non-nil configSource"));
        Assert.That(Refusal(Nodes, AdmissionOperation.Create, Node(spec: """{"configSource":{"configMap":{"name":"c"}}}""")),
            Is.EqualTo("nodes \"a\" is forbidden: node \"a\" is not allowed to create pods with a non-nil configSource"));
    }

    [Test]
    public async Task UpdateOwnNode_NoTaintsEitherWay_AndKeptRestrictedLabel_Admitted()
    {
        // Absent and empty taints are the same (Semantic.DeepEqual); an unchanged restricted label is no change.
        await AdmitAsync(Nodes, AdmissionOperation.Update, Node("""{"node-role.kubernetes.io/master":""}""", """{"taints":[]}"""), Node("""{"node-role.kubernetes.io/master":""}"""));
        await AdmitAsync(Nodes, AdmissionOperation.Update, Node(), Node(), subresource: "status");
    }

    [Test]
    public void UpdateOwnNode_RemovingARestrictedLabel_Refused() =>
        Assert.That(Refusal(Nodes, AdmissionOperation.Update, Node(), Node("""{"node-restriction.kubernetes.io/pool":"gpu"}""")),
            Is.EqualTo("nodes \"a\" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/pool"));

    [Test]
    public void Lease_OfAnotherNodeOrNamespace_Refused()
    {
        Assert.That(Refusal(Leases, AdmissionOperation.Create, Json("""{"metadata":{"name":"b","namespace":"kube-node-lease"}}""")),
            Is.EqualTo("leases.coordination.k8s.io \"b\" is forbidden: can only access node lease with the same name as the requesting node"));
        Assert.That(Refusal(Leases, AdmissionOperation.Create, Json("""{"metadata":{"name":"a","namespace":"default"}}""")),
            Is.EqualTo("leases.coordination.k8s.io \"a\" is forbidden: can only access leases in the \"kube-node-lease\" system namespace"));
        Assert.That(Refusal(CsiNodes, AdmissionOperation.Create, Json("""{"metadata":{"name":"b"}}""")),
            Is.EqualTo("csinodes.storage.k8s.io \"b\" is forbidden: can only access CSINode with the same name as the requesting node"));
    }

    [Test]
    public async Task ClaimStatus_CapacityAndConditionsOnly()
    {
        var old = Json("""{"metadata":{"name":"c","namespace":"ns","resourceVersion":"1"},"status":{"phase":"Bound"}}""");
        await AdmitAsync(Claims, AdmissionOperation.Update, Json("""{"metadata":{"name":"c","namespace":"ns","resourceVersion":"2"},"status":{"phase":"Bound","capacity":{"storage":"2Gi"},"conditions":[]}}"""), old, "status");

        var message = Refusal(Claims, AdmissionOperation.Update, Json("""{"metadata":{"name":"c","namespace":"ns"},"status":{"phase":"Lost"}}"""), old, "status");
        var spec = Refusal(Claims, AdmissionOperation.Update, old, old);

        Assert.That(message, Does.StartWith("persistentvolumeclaims \"c\" is forbidden: node \"a\" is not allowed to update fields other than status.capacity and status.conditions"));
        Assert.That(spec, Is.EqualTo("persistentvolumeclaims \"c\" is forbidden: may only update PVC status"));
    }

    [Test]
    public async Task OtherUsers_AndTheServersOwnWrites_NotRestricted()
    {
        var othersNode = Json("""{"metadata":{"name":"b","labels":{"node-restriction.kubernetes.io/x":"1"}}}""");

        await AdmitAsync(Nodes, AdmissionOperation.Create, othersNode, user: new Requester("system:node:a", ["system:authenticated"]));
        await Plugin.AdmitAsync(new AdmissionRequest(Nodes, AdmissionOperation.Create, null, othersNode, null, false, null), CancellationToken.None);
        Assert.That(Refusal(Nodes, AdmissionOperation.Create, othersNode), Is.EqualTo("nodes \"b\" is forbidden: node \"a\" is not allowed to modify node \"b\""));
    }

    [Test]
    public void NodeWithoutName_Refused()
    {
        var error = Assert.ThrowsAsync<ApiException>(() => AdmitAsync(Nodes, AdmissionOperation.Create, Node(), user: new Requester("system:node:", ["system:nodes"])));

        Assert.That(error!.Message, Is.EqualTo("nodes \"a\" is forbidden: could not determine node from user \"system:node:\""));
    }
}
