using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Addons.Gateway.Crds;
using MiniKube.Testing;

namespace MiniKube.Addons.Tests.Gateway.Crds;

/// <summary>
/// The five CRDs as a user meets them, on one in-process API server: manifests in the shape of
/// the Gateway API documentation's examples are accepted and defaulted as upstream's CRDs default
/// them, and the invalid inputs upstream rejects are 422 with upstream's messages.
/// </summary>
[Category("Integration")]
public sealed class GatewayApiCrdsTests
{
    private const string Group = "gateway.networking.k8s.io";
    private TestApiServer _api = null!;
    private Kubernetes _client = null!;
    private int _serial;

    [OneTimeSetUp]
    public async Task OneTimeSetUpAsync()
    {
        _api = await TestApiServer.StartAsync();
        _client = _api.Client();
        await GatewayCrdInstaller.InstallAsync(_client, NullLogger.Instance, TimeProvider.System, CancellationToken.None);
    }

    [OneTimeTearDown]
    public async Task OneTimeTearDownAsync()
    {
        _client.Dispose();
        await _api.DisposeAsync();
        _api.DeleteDirectory();
    }

    [Test]
    public async Task GatewayClass_New_HasPendingAcceptedStatus()
    {
        var created = await CreateAsync("gatewayclasses", """{"spec": {"controllerName": "example.net/gateway-controller"}}""", "v1", namespaced: false);

        var condition = created["status"]!["conditions"]!.AsArray().Single()!;
        Assert.That(condition["type"]!.GetValue<string>(), Is.EqualTo("Accepted"));
        Assert.That(condition["status"]!.GetValue<string>(), Is.EqualTo("Unknown"));
        Assert.That(condition["reason"]!.GetValue<string>(), Is.EqualTo("Pending"));
        Assert.That(condition["message"]!.GetValue<string>(), Is.EqualTo("Waiting for controller"));
    }

    [Test]
    public async Task GatewayClass_ControllerNameChanged_IsImmutable()
    {
        var created = await CreateAsync("gatewayclasses", """{"spec": {"controllerName": "example.net/gateway-controller"}}""", "v1", namespaced: false);
        created["spec"]!["controllerName"] = "example.net/other";

        var message = await RejectedAsync(() => _client.CustomObjects.ReplaceClusterCustomObjectAsync(created, Group, "v1", "gatewayclasses", Name(created)));

        Assert.That(message, Does.Contain("spec.controllerName: Invalid value: \"string\": Value is immutable"));
    }

    [Test]
    public async Task Gateway_Example_DefaultsAllowedRoutesTlsAndStatus()
    {
        var created = await CreateAsync("gateways", """
            {"spec": {"gatewayClassName": "example", "listeners": [
              {"name": "http", "protocol": "HTTP", "port": 80},
              {"name": "https", "protocol": "HTTPS", "port": 443, "hostname": "*.example.com",
               "tls": {"certificateRefs": [{"name": "example-com-cert"}]}}]}}
            """);

        var http = created["spec"]!["listeners"]![0]!;
        AssertJson(http["allowedRoutes"], """{"namespaces":{"from":"Same"}}""");
        var tls = created["spec"]!["listeners"]![1]!["tls"]!;
        Assert.That(tls["mode"]!.GetValue<string>(), Is.EqualTo("Terminate"));
        AssertJson(tls["certificateRefs"]![0], """{"group":"","kind":"Secret","name":"example-com-cert"}""");
        var conditions = created["status"]!["conditions"]!.AsArray();
        Assert.That(conditions.Select(c => c!["type"]!.GetValue<string>()), Is.EqualTo(new[] { "Accepted", "Programmed" }));
        Assert.That(conditions.Select(c => c!["status"]!.GetValue<string>()), Is.All.EqualTo("Unknown"));
    }

    [TestCase("""[{"name": "a", "protocol": "HTTP", "port": 80, "tls": {"certificateRefs": [{"name": "c"}]}}]""", "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']")]
    [TestCase("""[{"name": "a", "protocol": "HTTPS", "port": 443, "tls": {}}]""", "certificateRefs or options must be specified when mode is Terminate")]
    [TestCase("""[{"name": "a", "protocol": "HTTP", "port": 80}, {"name": "b", "protocol": "HTTP", "port": 80}]""", "Combination of port, protocol and hostname must be unique for each listener")]
    [TestCase("""[{"name": "a", "protocol": "HTTP", "port": 80}, {"name": "a", "protocol": "HTTP", "port": 81}]""", "Duplicate value")]
    [TestCase("""[{"name": "a", "protocol": "HTTP", "port": 70000}]""", "should be less than or equal to 65535")]
    [TestCase("""[{"name": "a", "protocol": "HTTP", "port": 80, "hostname": "*.*.example.com"}]""", "spec.listeners[0].hostname: Invalid value")]
    [TestCase("""[{"name": "a", "protocol": "HTTP", "port": 80, "allowedRoutes": {"namespaces": {"from": "Elsewhere"}}}]""", "Unsupported value: \"Elsewhere\": supported values: \"All\", \"Selector\", \"Same\"")]
    [TestCase("[]", "spec.listeners: Invalid value: 0: spec.listeners in body should have at least 1 items")]
    public async Task Gateway_InvalidListeners_AreRejected(string listeners, string expected)
    {
        var message = await RejectedAsync(() => CreateAsync("gateways", """{"spec": {"gatewayClassName": "example", "listeners": """ + listeners + "}}"));

        Assert.That(message, Does.Contain(expected));
    }

    [Test]
    public async Task Gateway_AddressNotAnIp_IsRejected()
    {
        var message = await RejectedAsync(() => CreateAsync("gateways", """
            {"spec": {"gatewayClassName": "example", "listeners": [{"name": "a", "protocol": "HTTP", "port": 80}],
              "addresses": [{"value": "not-an-ip"}]}}
            """));

        Assert.That(message, Does.Contain("spec.addresses[0]"));
    }

    [Test]
    public async Task HttpRoute_TrafficSplitExample_IsAcceptedAndDefaulted()
    {
        // The docs' traffic-splitting and filter examples in one: a header match with 90/10 weights, and a header filter.
        var created = await CreateAsync("httproutes", """
            {"spec": {
              "parentRefs": [{"name": "example-gateway"}],
              "hostnames": ["example.com"],
              "rules": [
                {"matches": [{"headers": [{"name": "traffic", "value": "test"}]}],
                 "backendRefs": [{"name": "foo-v2", "port": 8080}]},
                {"filters": [{"type": "RequestHeaderModifier", "requestHeaderModifier": {"add": [{"name": "my-header", "value": "foo"}]}}],
                 "backendRefs": [{"name": "foo-v1", "port": 8080, "weight": 90}, {"name": "foo-v2", "port": 8080, "weight": 10}]}]}}
            """);

        var spec = created["spec"]!;
        AssertJson(spec["parentRefs"]![0], """{"group":"gateway.networking.k8s.io","kind":"Gateway","name":"example-gateway"}""");
        var headerRule = spec["rules"]![0]!;
        Assert.That(headerRule["matches"]![0]!["headers"]![0]!["type"]!.GetValue<string>(), Is.EqualTo("Exact"));
        AssertJson(headerRule["matches"]![0]!["path"], """{"type":"PathPrefix","value":"/"}""");
        AssertJson(headerRule["backendRefs"]![0], """{"group":"","kind":"Service","name":"foo-v2","port":8080,"weight":1}""");
        var splitRule = spec["rules"]![1]!;
        AssertJson(splitRule["matches"], """[{"path":{"type":"PathPrefix","value":"/"}}]""");
        Assert.That(splitRule["backendRefs"]!.AsArray().Select(b => b!["weight"]!.GetValue<int>()), Is.EqualTo(new[] { 90, 10 }));
        Assert.That(created["status"], Is.Null, "routes have no status until a controller writes one");
    }

    [Test]
    public async Task HttpRoute_NoRules_GetsOneMatchingEveryPath()
    {
        var created = await CreateAsync("httproutes", """{"spec": {"parentRefs": [{"name": "gw"}]}}""");

        AssertJson(created["spec"]!["rules"], """[{"matches":[{"path":{"type":"PathPrefix","value":"/"}}]}]""");
    }

    [Test]
    public async Task HttpRoute_RedirectRewriteAndTimeouts_AreAccepted()
    {
        var created = await CreateAsync("httproutes", """
            {"spec": {"parentRefs": [{"name": "gw", "sectionName": "http"}, {"name": "gw", "sectionName": "https"}], "rules": [
              {"matches": [{"path": {"type": "PathPrefix", "value": "/old"}}],
               "filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/new"}}}]},
              {"matches": [{"path": {"type": "Exact", "value": "/v1/items"}, "method": "GET", "queryParams": [{"name": "page", "value": "1"}]}],
               "filters": [{"type": "URLRewrite", "urlRewrite": {"hostname": "backend.internal", "path": {"type": "ReplaceFullPath", "replaceFullPath": "/items"}}},
                           {"type": "ResponseHeaderModifier", "responseHeaderModifier": {"set": [{"name": "X-Served-By", "value": "mkube"}], "remove": ["Server"]}}],
               "backendRefs": [{"name": "api", "port": 80}],
               "timeouts": {"request": "10s", "backendRequest": "2s"}}]}}
            """, "v1beta1");

        var redirect = created["spec"]!["rules"]![0]!["filters"]![0]!["requestRedirect"]!;
        Assert.That(redirect["statusCode"]!.GetValue<int>(), Is.EqualTo(302));
        Assert.That(created["apiVersion"]!.GetValue<string>(), Is.EqualTo("gateway.networking.k8s.io/v1beta1"));
        var asV1 = await ReadAsync("httproutes", Name(created), "v1");
        Assert.That(asV1["spec"]!["rules"]![1]!["timeouts"]!["request"]!.GetValue<string>(), Is.EqualTo("10s"));
    }

    [TestCase("""{"matches": [{"path": {"type": "Exact", "value": "foo"}}]}""", "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']")]
    [TestCase("""{"matches": [{"path": {"type": "PathPrefix", "value": "/a//b"}}]}""", "must not contain '//' when type one of ['Exact', 'PathPrefix']")]
    [TestCase("""{"matches": [{"path": {"type": "Glob", "value": "/a"}}]}""", "Unsupported value: \"Glob\"")]
    [TestCase("""{"matches": [{"method": "FETCH"}]}""", "Unsupported value: \"FETCH\"")]
    [TestCase("""{"backendRefs": [{"name": "a", "port": 80, "weight": -1}]}""", "should be greater than or equal to 0")]
    [TestCase("""{"backendRefs": [{"name": "a"}]}""", "Must have port for Service reference")]
    [TestCase("""{"filters": [{"type": "RequestHeaderModifier"}]}""", "filter.requestHeaderModifier must be specified for RequestHeaderModifier filter.type")]
    [TestCase("""{"filters": [{"type": "URLRewrite", "requestRedirect": {}}]}""", "filter.requestRedirect must be nil if the filter.type is not RequestRedirect")]
    [TestCase("""{"filters": [{"type": "RequestRedirect", "requestRedirect": {}}, {"type": "URLRewrite", "urlRewrite": {}}]}""", "May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both")]
    [TestCase("""{"filters": [{"type": "RequestRedirect", "requestRedirect": {}}], "backendRefs": [{"name": "a", "port": 80}]}""", "RequestRedirect filter must not be used together with backendRefs")]
    [TestCase("""{"filters": [{"type": "RequestRedirect", "requestRedirect": {"statusCode": 307}}]}""", "Unsupported value: 307: supported values: \"301\", \"302\"")]
    [TestCase("""{"filters": [{"type": "URLRewrite", "urlRewrite": {"path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/x"}}}], "matches": [{"path": {"type": "Exact", "value": "/a"}}]}""", "When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified")]
    [TestCase("""{"filters": [{"type": "URLRewrite", "urlRewrite": {"path": {"type": "ReplaceFullPath"}}}]}""", "replaceFullPath must be specified when type is set to 'ReplaceFullPath'")]
    [TestCase("""{"filters": [{"type": "RequestHeaderModifier", "requestHeaderModifier": {"set": [{"name": "bad header", "value": "x"}]}}]}""", "requestHeaderModifier.set[0].name: Invalid value")]
    [TestCase("""{"timeouts": {"request": "1s", "backendRequest": "2s"}}""", "backendRequest timeout cannot be longer than request timeout")]
    [TestCase("""{"timeouts": {"request": "1 day"}}""", "spec.rules[0].timeouts.request: Invalid value")]
    public async Task HttpRoute_InvalidRule_IsRejected(string rule, string expected)
    {
        var message = await RejectedAsync(() => CreateAsync("httproutes", """{"spec": {"parentRefs": [{"name": "gw"}], "rules": [""" + rule + "]}}"));

        Assert.That(message, Does.Contain(expected));
    }

    [TestCase("""{"parentRefs": [{"name": "gw"}, {"name": "gw", "sectionName": "http"}]}""", "sectionName must be specified when parentRefs includes 2 or more references to the same parent")]
    [TestCase("""{"parentRefs": [{"name": "gw", "sectionName": "http"}, {"name": "gw", "sectionName": "http"}]}""", "sectionName must be unique when parentRefs includes 2 or more references to the same parent")]
    [TestCase("""{"hostnames": ["Example.COM"]}""", "spec.hostnames[0]: Invalid value")]
    [TestCase("""{"hostnames": ["a.test","b.test","c.test","d.test","e.test","f.test","g.test","h.test","i.test","j.test","k.test","l.test","m.test","n.test","o.test","p.test","q.test"]}""", "spec.hostnames: Too many: 17: must have at most 16 items")]
    public async Task HttpRoute_InvalidSpec_IsRejected(string spec, string expected)
    {
        var message = await RejectedAsync(() => CreateAsync("httproutes", """{"spec": """ + spec + "}"));

        Assert.That(message, Does.Contain(expected));
    }

    [Test]
    public async Task GrpcRoute_Example_IsAcceptedAndDefaulted()
    {
        var created = await CreateAsync("grpcroutes", """
            {"spec": {"parentRefs": [{"name": "example-gateway"}], "hostnames": ["grpc.example.com"], "rules": [
              {"matches": [{"method": {"service": "com.example.User", "method": "Login"}, "headers": [{"name": "env", "value": "canary"}]}],
               "filters": [{"type": "RequestHeaderModifier", "requestHeaderModifier": {"add": [{"name": "x-tier", "value": "canary"}]}}],
               "backendRefs": [{"name": "user-canary", "port": 50051, "weight": 10}, {"name": "user", "port": 50051}]}]}}
            """);

        var rule = created["spec"]!["rules"]![0]!;
        Assert.That(rule["matches"]![0]!["method"]!["type"]!.GetValue<string>(), Is.EqualTo("Exact"));
        Assert.That(rule["matches"]![0]!["headers"]![0]!["type"]!.GetValue<string>(), Is.EqualTo("Exact"));
        Assert.That(rule["backendRefs"]![1]!["weight"]!.GetValue<int>(), Is.EqualTo(1));
    }

    [TestCase("""{"matches": [{"method": {"type": "Exact"}}]}""", "One or both of 'service' or 'method' must be specified")]
    [TestCase("""{"matches": [{"method": {"service": "com.example/User"}}]}""", "service must only contain valid characters")]
    [TestCase("""{"filters": [{"type": "URLRewrite", "urlRewrite": {}}]}""", "Unsupported value: \"URLRewrite\"")]
    public async Task GrpcRoute_InvalidRule_IsRejected(string rule, string expected)
    {
        var message = await RejectedAsync(() => CreateAsync("grpcroutes", """{"spec": {"parentRefs": [{"name": "gw"}], "rules": [""" + rule + "]}}"));

        Assert.That(message, Does.Contain(expected));
    }

    [Test]
    public async Task ReferenceGrant_Example_IsAccepted()
    {
        var created = await CreateAsync("referencegrants", """
            {"spec": {"from": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": "prod"}],
                      "to": [{"group": "", "kind": "Service"}]}}
            """, "v1beta1");

        Assert.That(created["spec"]!["to"]![0]!["kind"]!.GetValue<string>(), Is.EqualTo("Service"));
    }

    [Test]
    public async Task ReferenceGrant_NoFrom_IsRejected()
    {
        var message = await RejectedAsync(() => CreateAsync("referencegrants", """{"spec": {"from": [], "to": [{"group": "", "kind": "Service"}]}}""", "v1beta1"));

        Assert.That(message, Does.Contain("spec.from: Invalid value: 0: spec.from in body should have at least 1 items"));
    }

    private async Task<JsonNode> CreateAsync(string plural, string body, string version = "v1", bool namespaced = true)
    {
        var obj = JsonNode.Parse(body)!.AsObject();
        obj["apiVersion"] = $"{Group}/{version}";
        obj["kind"] = GatewayApiCrds.Build().Select(c => c["spec"]!["names"]!).Single(n => n["plural"]!.GetValue<string>() == plural)["kind"]!.GetValue<string>();
        obj["metadata"] = new JsonObject { ["name"] = $"{plural}-{Interlocked.Increment(ref _serial)}" };
        var created = namespaced
            ? await _client.CustomObjects.CreateNamespacedCustomObjectAsync(obj, Group, version, "default", plural)
            : await _client.CustomObjects.CreateClusterCustomObjectAsync(obj, Group, version, plural);
        return JsonNode.Parse(((JsonElement)created).GetRawText())!;
    }

    private async Task<JsonNode> ReadAsync(string plural, string name, string version) =>
        JsonNode.Parse(((JsonElement)await _client.CustomObjects.GetNamespacedCustomObjectAsync(Group, version, "default", plural, name)).GetRawText())!;

    // Same JSON, property order aside.
    private static void AssertJson(JsonNode? actual, string expected) =>
        Assert.That(JsonNode.DeepEquals(actual, JsonNode.Parse(expected)), Is.True, $"{actual?.ToJsonString()} is not {expected}");

    private static string Name(JsonNode obj) => obj["metadata"]!["name"]!.GetValue<string>();

    private static async Task<string> RejectedAsync(Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (HttpOperationException e)
        {
            Assert.That(e.Response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity), e.Response.Content);
            return JsonNode.Parse(e.Response.Content)!["message"]!.GetValue<string>();
        }
        Assert.Fail("the write was accepted");
        return "";
    }
}
