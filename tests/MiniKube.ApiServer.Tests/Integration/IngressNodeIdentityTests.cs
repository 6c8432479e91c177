using System.Net;
using k8s;
using k8s.Models;
using MiniKube.Api;
using MiniKube.Testing;
using HttpOperationException = k8s.Autorest.HttpOperationException;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// A node's ingress data plane (<c>system:mkube:ingress:NODE</c> in <c>system:mkube:ingress-nodes</c>)
/// against an in-process API server: what it may do, asked as <c>kubectl auth can-i --as</c> asks
/// (a SubjectAccessReview), is to read what it routes and write its own node's EndpointSlice, and
/// nothing more (no status, no CRDs, no pods, no other node's slice); the ingress-node authorizer
/// and admission refuse another node's slice, a slice of another name or labels, and an endpoint of
/// another node with 403s. The servers' own <c>system:mkube:ingress</c> holds none of it.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class IngressNodeIdentityTests
{
    private const string SliceNamespace = "kube-system";

    private TestApiServer _server = null!;
    private Kubernetes _admin = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await TestApiServer.StartAsync();
        _admin = _server.Client();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _admin.Dispose();
        await _server.DisposeAsync();
        _server.DeleteDirectory();
    }

    [TestCase("list", "networking.k8s.io", "ingresses", "", "", true)]
    [TestCase("watch", "networking.k8s.io", "ingressclasses", "", "", true)]
    [TestCase("list", "", "services", "", "", true)]
    [TestCase("watch", "", "secrets", "", "", true)]
    [TestCase("list", "", "namespaces", "", "", true)]
    [TestCase("watch", "discovery.k8s.io", "endpointslices", "", "", true)]
    [TestCase("list", "gateway.networking.k8s.io", "gateways", "", "", true)]
    [TestCase("watch", "gateway.networking.k8s.io", "httproutes", "", "", true)]
    [TestCase("list", "gateway.networking.k8s.io", "grpcroutes", "", "", true)]
    [TestCase("list", "gateway.networking.k8s.io", "referencegrants", "", "", true)]
    [TestCase("list", "gateway.networking.k8s.io", "gatewayclasses", "", "", true)]
    [TestCase("create", "discovery.k8s.io", "endpointslices", SliceNamespace, "", true)]
    [TestCase("update", "discovery.k8s.io", "endpointslices", SliceNamespace, "mkube-ingress-node-a", true)]
    [TestCase("delete", "discovery.k8s.io", "endpointslices", SliceNamespace, "mkube-ingress-node-a", true)]
    [TestCase("update", "discovery.k8s.io", "endpointslices", SliceNamespace, "mkube-ingress-node-b", false)]
    [TestCase("delete", "discovery.k8s.io", "endpointslices", SliceNamespace, "mkube-ingress-node-b", false)]
    [TestCase("update", "discovery.k8s.io", "endpointslices", SliceNamespace, "kube-dns", false)]
    [TestCase("patch", "discovery.k8s.io", "endpointslices", SliceNamespace, "mkube-ingress-node-a", false)]
    [TestCase("deletecollection", "discovery.k8s.io", "endpointslices", SliceNamespace, "", false)]
    [TestCase("create", "discovery.k8s.io", "endpointslices", "default", "", false)]
    [TestCase("update", "networking.k8s.io", "ingresses/status", "default", "site", false)]
    [TestCase("update", "gateway.networking.k8s.io", "gateways/status", "default", "gw", false)]
    [TestCase("update", "gateway.networking.k8s.io", "httproutes/status", "default", "route", false)]
    [TestCase("create", "networking.k8s.io", "ingressclasses", "", "", false)]
    [TestCase("create", "gateway.networking.k8s.io", "gatewayclasses", "", "", false)]
    [TestCase("update", "networking.k8s.io", "ingresses", "default", "site", false)]
    [TestCase("patch", "apiextensions.k8s.io", "customresourcedefinitions", "", "gateways.gateway.networking.k8s.io", false)]
    [TestCase("create", "", "secrets", "default", "", false)]
    [TestCase("list", "", "pods", "", "", false)]
    [TestCase("list", "", "nodes", "", "", false)]
    [TestCase("get", "", "configmaps", "kube-system", "", false)]
    [TestCase("update", "", "services", "default", "web", false)]
    public async Task CanI_ReadsWhatItRoutes_WritesOnlyItsOwnSlice(string verb, string group, string resource, string ns, string name, bool allowed)
    {
        Assert.That(await CanAsync(IngressNodeIdentity.UserName("node-a"), [IngressNodeIdentity.Group, "system:authenticated"], verb, group, resource, ns, name), Is.EqualTo(allowed));
    }

    [TestCase("system:mkube:ingress:node-a", "system:authenticated")]
    [TestCase("system:mkube:ingress", "system:authenticated")]
    public async Task CanI_WithoutTheGroup_OrTheServersOwnUser_NeitherReadsNorWrites(string user, string group)
    {
        Assert.That(await CanAsync(user, [group], "list", "networking.k8s.io", "ingresses", "", ""), Is.False);
        Assert.That(await CanAsync(user, [group], "create", "discovery.k8s.io", "endpointslices", SliceNamespace, ""), Is.False);
    }

    [Test]
    public async Task OwnSlice_Created_Updated_Deleted()
    {
        using var nodeC = IngressNode("node-c");

        var created = await nodeC.DiscoveryV1.CreateNamespacedEndpointSliceAsync(Slice("node-c"), SliceNamespace);
        created.Endpoints[0].Addresses = ["10.0.0.9"];
        var updated = await nodeC.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(created, created.Metadata.Name, SliceNamespace);
        await nodeC.DiscoveryV1.DeleteNamespacedEndpointSliceAsync(created.Metadata.Name, SliceNamespace);

        Assert.That(updated.Endpoints[0].Addresses, Is.EqualTo(new[] { "10.0.0.9" }));
    }

    [Test]
    public async Task AnotherNodesSlice_OrAnotherName_Labels_OrEndpoint_Forbidden()
    {
        using var nodeD = IngressNode("node-d");
        using var nodeE = IngressNode("node-e");
        var own = await nodeD.DiscoveryV1.CreateNamespacedEndpointSliceAsync(Slice("node-d"), SliceNamespace);
        var dnsLike = Slice("node-e");
        dnsLike.Metadata.Labels["kubernetes.io/service-name"] = "kube-dns";
        var otherEndpoint = Slice("node-e");
        otherEndpoint.Endpoints[0].NodeName = "node-d";
        var relabelled = await nodeD.DiscoveryV1.ReadNamespacedEndpointSliceAsync(own.Metadata.Name, SliceNamespace);
        relabelled.Metadata.Labels["kubernetes.io/service-name"] = "kube-dns";

        var failures = new[]
        {
            await StatusOfAsync(() => nodeE.DiscoveryV1.CreateNamespacedEndpointSliceAsync(Slice("node-d-2"), SliceNamespace)),
            await StatusOfAsync(() => nodeE.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(own, own.Metadata.Name, SliceNamespace)),
            await StatusOfAsync(() => nodeE.DiscoveryV1.DeleteNamespacedEndpointSliceAsync(own.Metadata.Name, SliceNamespace)),
            await StatusOfAsync(() => nodeE.DiscoveryV1.CreateNamespacedEndpointSliceAsync(dnsLike, SliceNamespace)),
            await StatusOfAsync(() => nodeE.DiscoveryV1.CreateNamespacedEndpointSliceAsync(otherEndpoint, SliceNamespace)),
            await StatusOfAsync(() => nodeD.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(relabelled, own.Metadata.Name, SliceNamespace)),
        };

        Assert.That(failures.Select(f => f.Code), Is.All.EqualTo(HttpStatusCode.Forbidden), string.Join("\n", failures.Select(f => f.Body)));
        Assert.That(failures[0].Body, Does.Contain("ingress node \\\"node-e\\\" may only write its own EndpointSlice \\\"mkube-ingress-node-e\\\""));
        Assert.That(failures[1].Body, Does.Contain("User \\\"system:mkube:ingress:node-e\\\" cannot update resource \\\"endpointslices\\\""));
        var stored = await _admin.DiscoveryV1.ReadNamespacedEndpointSliceAsync(own.Metadata.Name, SliceNamespace);
        Assert.That(stored.Metadata.Labels["kubernetes.io/service-name"], Is.EqualTo("mkube-ingress"), "node-d's slice unchanged");
    }

    private Kubernetes IngressNode(string node) => TestIdentities.Client(_server, IngressNodeIdentity.UserName(node), IngressNodeIdentity.Group);

    // What the data plane publishes (IngressNodes in the add-on): its node IP and ports, labelled as ours.
    private static V1EndpointSlice Slice(string node) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = IngressNodeIdentity.SliceName(node),
            Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = IngressNodeIdentity.SliceServiceName, ["endpointslice.kubernetes.io/managed-by"] = IngressNodeIdentity.SliceManagedBy },
        },
        AddressType = "IPv4",
        Endpoints = [new V1Endpoint { Addresses = ["10.0.0.1"], Conditions = new V1EndpointConditions { Ready = true }, NodeName = node }],
        Ports = [new Discoveryv1EndpointPort { Name = "http", Port = 80, Protocol = "TCP" }],
    };

    private async Task<bool> CanAsync(string user, string[] groups, string verb, string group, string resource, string ns, string name)
    {
        var (plural, subresource) = resource.Split('/') is [var r, var s] ? (r, s) : (resource, null);
        var review = await _admin.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec
            {
                User = user,
                Groups = groups,
                ResourceAttributes = new V1ResourceAttributes { Verb = verb, Group = group, Resource = plural, Subresource = subresource, NamespaceProperty = ns, Name = name },
            },
        });
        return review.Status.Allowed;
    }

    private static async Task<(HttpStatusCode Code, string Body)> StatusOfAsync(Func<Task> call)
    {
        try
        {
            await call();
            return (HttpStatusCode.OK, "");
        }
        catch (HttpOperationException e)
        {
            return (e.Response.StatusCode, e.Response.Content);
        }
    }
}
