using k8s;
using k8s.Models;
using MiniKube.Api;
using MiniKube.ApiServer.Tests.Integration;
using MiniKube.Testing;

namespace MiniKube.ApiServer.Tests.Http;

/// <summary>metrics.k8s.io/v1beta1 as kubectl top and the HPA read it, over a fixed source of figures.</summary>
[Category("Integration")]
public sealed class ResourceMetricsHandlerTests
{
    private static readonly DateTimeOffset Read = new(2026, 12, 6, 0, 8, 56, TimeSpan.Zero);

    private sealed class FixedSource : IResourceMetricsSource
    {
        public NodeUsagePoint? Node(string name) => name == "vm" ? new NodeUsagePoint(Read, TimeSpan.FromMilliseconds(20_029), 153_416_543, 1_723_412UL * 1024) : null;

        public PodUsagePoint? Pod(string ns, string name) => name.StartsWith("web", StringComparison.Ordinal)
            ? new PodUsagePoint(Read, TimeSpan.FromMilliseconds(15_012), [new ContainerUsagePoint("web", 2_000_000, 8_740UL * 1024)])
            : null;
    }

    private TestApiServer _api = null!;
    private Kubernetes _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _api = await TestApiServer.StartAsync(extras: new TestApiServerExtras(ResourceMetrics: new FixedSource()));
        _client = _api.Client();
        foreach (var node in new[] { "vm", "other" })
        {
            await _client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = node, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = node } } });
        }
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });
        foreach (var (ns, name, app) in new[] { ("default", "web", "web"), ("default", "web-2", "api"), ("shop", "web-3", "web"), ("default", "db", "db") })
        {
            await _client.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["run"] = app } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx" }] },
            }, ns);
        }
    }

    [TearDown]
    public async Task TearDown()
    {
        _client.Dispose();
        await _api.DisposeAsync();
        _api.DeleteDirectory();
    }

    private Task<(int Code, string Body)> GetAsync(string path, Kubernetes? client = null) =>
        RawHttp.SendAsync(client ?? _client, _api.Server.Address, HttpMethod.Get, path, null, accept: "application/vnd.kubernetes.protobuf, */*");

    [Test]
    public async Task ListNodes_OnlyNodesWithFigures_AsMetricsServerWritesThem()
    {
        var (code, body) = await GetAsync("/apis/metrics.k8s.io/v1beta1/nodes");

        Assert.That(code, Is.EqualTo(200), body);
        var list = RawHttp.Json(body);
        Assert.That((string?)list["kind"], Is.EqualTo("NodeMetricsList"));
        Assert.That((string?)list["apiVersion"], Is.EqualTo("metrics.k8s.io/v1beta1"));
        var item = list["items"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)item["metadata"]!["name"], Is.EqualTo("vm"));
            Assert.That((string?)item["metadata"]!["labels"]!["kubernetes.io/hostname"], Is.EqualTo("vm"));
            Assert.That(item["metadata"]!["creationTimestamp"], Is.Not.Null);
            Assert.That((string?)item["timestamp"], Is.EqualTo("2026-12-06T00:08:56Z"));
            Assert.That((string?)item["window"], Is.EqualTo("20.029s"));
            Assert.That(item["usage"]!.ToJsonString(), Is.EqualTo("""{"cpu":"153416543n","memory":"1723412Ki"}"""));
        });
    }

    [Test]
    public async Task GetNode_WithoutFigures_NotFoundOfTheMetricsResource()
    {
        var (ok, body) = await GetAsync("/apis/metrics.k8s.io/v1beta1/nodes/vm");
        var (missing, status) = await GetAsync("/apis/metrics.k8s.io/v1beta1/nodes/other");
        var (unknown, _) = await GetAsync("/apis/metrics.k8s.io/v1beta1/nodes/nowhere");

        Assert.That(ok, Is.EqualTo(200));
        Assert.That((string?)RawHttp.Json(body)["kind"], Is.EqualTo("NodeMetrics"));
        Assert.That(missing, Is.EqualTo(404));
        Assert.That((string?)RawHttp.Json(status)["message"], Is.EqualTo("nodes.metrics.k8s.io \"other\" not found"));
        Assert.That(unknown, Is.EqualTo(404));
    }

    [Test]
    public async Task ListPods_NamespaceLabelAndFieldSelectors()
    {
        static IEnumerable<string?> Names(string body) => RawHttp.Json(body)["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]);

        var (_, inDefault) = await GetAsync("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods");
        var (_, everywhere) = await GetAsync("/apis/metrics.k8s.io/v1beta1/pods");
        var (_, labelled) = await GetAsync("/apis/metrics.k8s.io/v1beta1/pods?labelSelector=run%3Dweb");
        var (_, named) = await GetAsync("/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=metadata.namespace%3Dshop");
        var (bad, _) = await GetAsync("/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=spec.nodeName%3Dx");

        Assert.That(Names(inDefault), Is.EquivalentTo(new[] { "web", "web-2" }));
        Assert.That(Names(everywhere), Is.EquivalentTo(new[] { "web", "web-2", "web-3" }));
        Assert.That(Names(labelled), Is.EquivalentTo(new[] { "web", "web-3" }));
        Assert.That(Names(named), Is.EquivalentTo(new[] { "web-3" }));
        Assert.That(bad, Is.EqualTo(400));
        var item = RawHttp.Json(inDefault)["items"]!.AsArray().First(i => (string?)i!["metadata"]!["name"] == "web")!;
        Assert.That((string?)item["metadata"]!["labels"]!["run"], Is.EqualTo("web"));
        Assert.That((string?)item["window"], Is.EqualTo("15.012s"));
        Assert.That(item["containers"]!.ToJsonString(), Is.EqualTo("""[{"name":"web","usage":{"cpu":"2m","memory":"8740Ki"}}]"""));
    }

    [Test]
    public async Task GetPod_WithoutFigures_NotFoundNamingNamespaceAndPod()
    {
        var (code, body) = await GetAsync("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/db");

        Assert.That(code, Is.EqualTo(404));
        Assert.That((string?)RawHttp.Json(body)["message"], Is.EqualTo("pods.metrics.k8s.io \"default/db\" not found"));
    }

    [TestCase("POST", "/apis/metrics.k8s.io/v1beta1/nodes")]
    [TestCase("GET", "/apis/metrics.k8s.io/v1beta1/nodes?watch=true")]
    [TestCase("DELETE", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web")]
    public async Task OtherVerbs_MethodNotAllowed(string method, string path)
    {
        var (code, _) = await RawHttp.SendAsync(_client, _api.Server.Address, new HttpMethod(method), path, method == "POST" ? "{}" : null);

        Assert.That(code, Is.EqualTo(405));
    }

    [Test]
    public async Task Discovery_GroupWithNodesAndPods_AndItsLocalApiService()
    {
        var (_, groups) = await GetAsync("/apis");
        var (_, resources) = await GetAsync("/apis/metrics.k8s.io/v1beta1");
        var apiService = await _client.ApiregistrationV1.ReadAPIServiceAsync("v1beta1.metrics.k8s.io");

        Assert.That(RawHttp.Json(groups)["groups"]!.AsArray().Select(g => (string?)g!["name"]), Does.Contain("metrics.k8s.io"));
        var served = RawHttp.Json(resources)["resources"]!.AsArray().ToDictionary(r => (string)r!["name"]!, r => r!);
        Assert.That(served.Keys, Is.EquivalentTo(new[] { "nodes", "pods" }));
        Assert.That((bool?)served["pods"]["namespaced"], Is.True);
        Assert.That((string?)served["nodes"]["kind"], Is.EqualTo("NodeMetrics"));
        Assert.That(served["pods"]["verbs"]!.AsArray().Select(v => (string?)v), Is.EqualTo(new[] { "get", "list" }));
        Assert.That(apiService.Spec.Service, Is.Null);
        Assert.That(apiService.Spec.GroupPriorityMinimum, Is.EqualTo(100));
    }

    [Test]
    public async Task ViewRole_ReadsPodMetrics_ThroughTheAggregatedMetricsReader()
    {
        await _client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "jane-view" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "view" },
            Subjects = [new Rbacv1Subject { Kind = "User", Name = "jane", ApiGroup = "rbac.authorization.k8s.io" }],
        }, "default");
        using var jane = TestIdentities.Client(_api, "jane");

        var (allowed, _) = await GetAsync("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods", jane);
        var (nodes, _) = await GetAsync("/apis/metrics.k8s.io/v1beta1/nodes", jane);

        Assert.That(allowed, Is.EqualTo(200));
        Assert.That(nodes, Is.EqualTo(403));
    }
}

/// <summary>Without a metrics source (<c>--disable metrics</c>): no group, no APIService, no paths.</summary>
[Category("Integration")]
public sealed class ResourceMetricsDisabledTests
{
    [Test]
    public async Task NoSource_GroupNotServed()
    {
        var api = await TestApiServer.StartAsync();
        try
        {
            using var client = api.Client();
            var (code, _) = await RawHttp.SendAsync(client, api.Server.Address, HttpMethod.Get, "/apis/metrics.k8s.io/v1beta1/nodes", null);
            var (_, groups) = await RawHttp.SendAsync(client, api.Server.Address, HttpMethod.Get, "/apis", null);
            var apiServices = await client.ApiregistrationV1.ListAPIServiceAsync();

            Assert.That(code, Is.EqualTo(404));
            Assert.That(RawHttp.Json(groups)["groups"]!.AsArray().Select(g => (string?)g!["name"]), Does.Not.Contain("metrics.k8s.io"));
            Assert.That(apiServices.Items.Select(a => a.Metadata.Name), Does.Not.Contain("v1beta1.metrics.k8s.io"));
        }
        finally
        {
            await api.DisposeAsync();
            api.DeleteDirectory();
        }
    }
}
