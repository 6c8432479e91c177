using System.Text.Json.Nodes;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// CustomResourceDefinitions over HTTP against an in-process API server: a CRD is validated,
/// accepted and established by the time its write returns, its custom objects are served at once
/// (discovery, CRUD, selectors, paging, status, scale, patches, apply, two versions), a restarted
/// server serves the stored CRDs, and deleting the CRD deletes its objects before the CRD goes.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class CustomResourceTests : ApiServerFixture
{
    internal const string Crd = """
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.example.com"},
         "spec":{"group":"example.com","scope":"Namespaced",
          "names":{"plural":"widgets","singular":"widget","kind":"Widget","shortNames":["wd"],"categories":["all","gadgets"]},
          "versions":[
           {"name":"v1","served":true,"storage":true,
            "schema":{"openAPIV3Schema":{"type":"object","properties":{
              "spec":{"type":"object","x-kubernetes-validations":[{"rule":"self.size <= 10","message":"size must be at most 10"}],
                "properties":{"size":{"type":"integer","minimum":0},"color":{"type":"string","default":"blue"},"replicas":{"type":"integer"}}},
              "status":{"type":"object","properties":{"replicas":{"type":"integer"},"selector":{"type":"string"}}}}}},
            "subresources":{"status":{},"scale":{"specReplicasPath":".spec.replicas","statusReplicasPath":".status.replicas","labelSelectorPath":".status.selector"}},
            "additionalPrinterColumns":[{"name":"Size","type":"integer","jsonPath":".spec.size"}],
            "selectableFields":[{"jsonPath":".spec.color"}]},
           {"name":"v1beta1","served":true,"storage":false,
            "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
        """;

    private const string Widget = """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1"},"spec":{"size":3,"replicas":1}}""";

    private const string Widgets = "/apis/example.com/v1/namespaces/default/widgets";

    [Test]
    public async Task Create_ValidCrd_IsEstablishedAndServedWhenItReturns()
    {
        var created = await SendAsync(HttpMethod.Post, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Crd);

        Assert.That(created.Code, Is.EqualTo(201), created.Body);
        var crd = Json(created.Body);
        Assert.That(crd["status"]!["acceptedNames"]!["listKind"]!.GetValue<string>(), Is.EqualTo("WidgetList"));
        Assert.That(crd["status"]!["storedVersions"]!.ToJsonString(), Is.EqualTo("""["v1"]"""));
        var conditions = crd["status"]!["conditions"]!.AsArray().ToDictionary(c => c!["type"]!.GetValue<string>(), c => c!["reason"]!.GetValue<string>());
        Assert.That(conditions, Is.EqualTo(new Dictionary<string, string> { ["NamesAccepted"] = "NoConflicts", ["Established"] = "InitialNamesAccepted" }));
        Assert.That(crd["metadata"]!["finalizers"]!.ToJsonString(), Is.EqualTo("""["customresourcecleanup.apiextensions.k8s.io"]"""));
        var discovery = await SendAsync(HttpMethod.Get, "/apis", accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
        var groups = Json(discovery.Body)["items"]!.AsArray().Where(i => i!["metadata"]!["name"]!.GetValue<string>() == "example.com").ToList();
        Assert.That(groups, Has.Count.EqualTo(1));
        var versions = groups[0]!["versions"]!.AsArray().Select(v => v!["version"]!.GetValue<string>());
        Assert.That(versions, Is.EqualTo(new[] { "v1", "v1beta1" }));
        var resource = groups[0]!["versions"]![0]!["resources"]![0]!;
        Assert.That(resource["shortNames"]!.ToJsonString(), Is.EqualTo("""["wd"]"""));
        Assert.That(resource["categories"]!.ToJsonString(), Is.EqualTo("""["all","gadgets"]"""));
        Assert.That(resource["subresources"]!.AsArray().Select(s => s!["subresource"]!.GetValue<string>()), Is.EqualTo(new[] { "status", "scale" }));
        var legacy = await SendAsync(HttpMethod.Get, "/apis/example.com/v1");
        Assert.That(legacy.Code, Is.EqualTo(200), legacy.Body);
        Assert.That(Json(legacy.Body)["resources"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "widgets", "widgets/status", "widgets/scale" }));
    }

    [Test]
    public async Task CustomObject_Lifecycle_ServedLikeBuiltIns()
    {
        await CreateCrdAsync();

        var created = await SendAsync(HttpMethod.Post, Widgets + "?fieldValidation=Strict", Widget);
        Assert.That(created.Code, Is.EqualTo(201), created.Body);
        Assert.That(Json(created.Body)["spec"]!["color"]!.GetValue<string>(), Is.EqualTo("blue"), "schema default");
        Assert.That(Json(created.Body)["metadata"]!["generation"]!.GetValue<long>(), Is.EqualTo(1));

        var invalid = await SendAsync(HttpMethod.Post, Widgets, """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w2"},"spec":{"size":-1}}""");
        Assert.That(invalid.Code, Is.EqualTo(422), invalid.Body);
        Assert.That(Json(invalid.Body)["details"]!["causes"]![0]!["field"]!.GetValue<string>(), Is.EqualTo("spec.size"));
        var rule = await SendAsync(HttpMethod.Post, Widgets, """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w2"},"spec":{"size":11}}""");
        Assert.That(rule.Code, Is.EqualTo(422), rule.Body);
        Assert.That(rule.Body, Does.Contain("size must be at most 10"));
        var unknown = await SendAsync(HttpMethod.Post, Widgets + "?fieldValidation=Strict", """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w3"},"spec":{"bogus":1}}""");
        Assert.That(unknown.Code, Is.EqualTo(400), unknown.Body);
        Assert.That(unknown.Body, Does.Contain("unknown field \\\"spec.bogus\\\""));

        await SendAsync(HttpMethod.Post, Widgets, """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w4"},"spec":{"size":1,"color":"red"}}""");
        var selected = await SendAsync(HttpMethod.Get, Widgets + "?fieldSelector=spec.color%3Dred");
        Assert.That(Names(selected.Body), Is.EqualTo(new[] { "w4" }));
        var page = await SendAsync(HttpMethod.Get, Widgets + "?limit=1");
        Assert.That(Names(page.Body), Is.EqualTo(new[] { "w1" }));
        Assert.That(Json(page.Body)["metadata"]!["continue"], Is.Not.Null);

        var smp = await SendAsync(HttpMethod.Patch, Widgets + "/w1", """{"spec":{"size":4}}""", "application/strategic-merge-patch+json");
        Assert.That(smp.Code, Is.EqualTo(415), smp.Body);
        var merge = await SendAsync(HttpMethod.Patch, Widgets + "/w1", """{"spec":{"size":4},"status":{"replicas":9}}""", "application/merge-patch+json");
        Assert.That(merge.Code, Is.EqualTo(200), merge.Body);
        Assert.That(Json(merge.Body)["metadata"]!["generation"]!.GetValue<long>(), Is.EqualTo(2));
        Assert.That(Json(merge.Body)["status"], Is.Null, "status belongs to /status");

        var status = await SendAsync(HttpMethod.Patch, Widgets + "/w1/status", """{"status":{"replicas":1,"selector":"app=w"}}""", "application/merge-patch+json");
        Assert.That(status.Code, Is.EqualTo(200), status.Body);
        Assert.That(Json(status.Body)["metadata"]!["generation"]!.GetValue<long>(), Is.EqualTo(2), "a status write keeps the generation");

        var scale = await SendAsync(HttpMethod.Patch, Widgets + "/w1/scale", """{"spec":{"replicas":5}}""", "application/merge-patch+json");
        Assert.That(scale.Code, Is.EqualTo(200), scale.Body);
        Assert.That(Json(scale.Body)["spec"]!["replicas"]!.GetValue<int>(), Is.EqualTo(5));
        Assert.That(Json(scale.Body)["status"]!["selector"]!.GetValue<string>(), Is.EqualTo("app=w"));
        var read = await SendAsync(HttpMethod.Get, Widgets + "/w1");
        Assert.That(Json(read.Body)["spec"]!["replicas"]!.GetValue<int>(), Is.EqualTo(5));

        var applied = await SendAsync(HttpMethod.Patch, Widgets + "/w5?fieldManager=test&fieldValidation=Strict",
            """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w5"},"spec":{"size":2}}""", "application/apply-patch+yaml");
        Assert.That(applied.Code, Is.EqualTo(201), applied.Body);
        Assert.That(Json(applied.Body)["metadata"]!["managedFields"]![0]!["manager"]!.GetValue<string>(), Is.EqualTo("test"));

        var beta = await SendAsync(HttpMethod.Get, "/apis/example.com/v1beta1/namespaces/default/widgets/w1");
        Assert.That(Json(beta.Body)["apiVersion"]!.GetValue<string>(), Is.EqualTo("example.com/v1beta1"));
        var viaBeta = await SendAsync(HttpMethod.Post, "/apis/example.com/v1beta1/namespaces/default/widgets",
            """{"apiVersion":"example.com/v1beta1","kind":"Widget","metadata":{"name":"w6"},"spec":{"size":1,"extra":true}}""");
        Assert.That(viaBeta.Code, Is.EqualTo(201), viaBeta.Body);
        var asV1 = await SendAsync(HttpMethod.Get, Widgets + "/w6");
        Assert.That(Json(asV1.Body)["apiVersion"]!.GetValue<string>(), Is.EqualTo("example.com/v1"));

        var deleted = await SendAsync(HttpMethod.Delete, Widgets + "/w6");
        Assert.That(deleted.Code, Is.EqualTo(200), deleted.Body);
    }

    [Test]
    public async Task Create_InvalidCrd_Returns422WithUpstreamFields()
    {
        var bad = JsonNode.Parse(Crd)!.AsObject();
        bad["metadata"]!["name"] = "things.example.com";
        bad["spec"]!["versions"]![1]!["storage"] = true;
        bad["spec"]!["names"]!["listKind"] = "Widget";

        var created = await SendAsync(HttpMethod.Post, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", bad.ToJsonString());

        Assert.That(created.Code, Is.EqualTo(422), created.Body);
        var fields = Json(created.Body)["details"]!["causes"]!.AsArray().Select(c => c!["field"]!.GetValue<string>()).ToList();
        Assert.That(fields, Does.Contain("metadata.name").And.Contain("spec.versions").And.Contain("spec.names.listKind"));
        Assert.That(created.Body, Does.Contain("must be spec.names.plural+\\\".\\\"+spec.group"));
    }

    [Test]
    public async Task Create_ConflictingNames_NamesNotAccepted()
    {
        await CreateCrdAsync();
        var other = JsonNode.Parse(Crd)!.AsObject();
        other["metadata"]!["name"] = "gizmos.example.com";
        other["spec"]!["names"]!["plural"] = "gizmos";
        other["spec"]!["names"]!["singular"] = "gizmo";
        other["spec"]!["names"]!["kind"] = "Gizmo";

        var created = await SendAsync(HttpMethod.Post, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", other.ToJsonString());

        Assert.That(created.Code, Is.EqualTo(201), created.Body);
        var accepted = Json(created.Body)["status"]!["conditions"]!.AsArray().First(c => c!["type"]!.GetValue<string>() == "NamesAccepted")!;
        Assert.That(accepted["status"]!.GetValue<string>(), Is.EqualTo("False"));
        Assert.That(accepted["reason"]!.GetValue<string>(), Is.EqualTo("ShortNamesConflict"));
        Assert.That((await SendAsync(HttpMethod.Get, "/apis/example.com/v1/namespaces/default/gizmos")).Code, Is.EqualTo(404));
    }

    [Test]
    public async Task Delete_Crd_DeletesObjectsThenStopsServing()
    {
        await CreateCrdAsync();
        await SendAsync(HttpMethod.Post, Widgets, Widget);

        var deleted = await SendAsync(HttpMethod.Delete, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com");

        Assert.That(deleted.Code, Is.EqualTo(200), deleted.Body);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        int code;
        while ((code = (await SendAsync(HttpMethod.Get, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")).Code) != 404 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.That(code, Is.EqualTo(404));
        Assert.That((await SendAsync(HttpMethod.Get, Widgets)).Code, Is.EqualTo(404));
        Assert.That(await Server.Store.GetAsync("/registry/example.com/widgets/default/w1", 0, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Crd_GroupVersionGetsAutomanagedLocalApiService_RemovedWithTheCrd()
    {
        const string ApiService = "/apis/apiregistration.k8s.io/v1/apiservices/v1.example.com";
        await CreateCrdAsync();

        var registered = await PollAsync(ApiService, code => code == 200);
        var apiService = Json(registered.Body);
        Assert.That(apiService["metadata"]!["labels"]!["kube-aggregator.kubernetes.io/automanaged"]!.GetValue<string>(), Is.EqualTo("true"));
        Assert.That(apiService["spec"]!["service"], Is.Null, "Local: served by this server");
        Assert.That(Conditions(apiService)["Available"], Is.EqualTo("Local"));
        Assert.That((await SendAsync(HttpMethod.Post, Widgets, Widget)).Code, Is.EqualTo(201), "served here, not proxied");

        await SendAsync(HttpMethod.Delete, Crds + "/widgets.example.com");

        Assert.That((await PollAsync(ApiService, code => code == 404)).Code, Is.EqualTo(404));
    }

    private async Task<(int Code, string Body)> PollAsync(string path, Func<int, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var answer = await SendAsync(HttpMethod.Get, path);
            if (done(answer.Code) || DateTime.UtcNow > deadline)
            {
                return answer;
            }
            await Task.Delay(50);
        }
    }

    [Test]
    public async Task Restart_StoredCrd_ServedAtOnce()
    {
        await CreateCrdAsync();
        await SendAsync(HttpMethod.Post, Widgets, Widget);

        Client.Dispose();
        Server = await Server.RestartAsync();
        Client = Server.Client();

        var read = await SendAsync(HttpMethod.Get, Widgets + "/w1");
        Assert.That(read.Code, Is.EqualTo(200), read.Body);
    }

    [Test]
    public async Task Create_CrdWithEveryJsonSchemaShape_RoundTripsUnchanged()
    {
        var crd = JsonNode.Parse(Crd)!.AsObject();
        crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!["properties"]!["shapes"] = JsonNode.Parse("""
            {"type":"object","description":"every JSONSchemaProps shape","nullable":true,
             "properties":{
               "closed":{"type":"object","additionalProperties":false},
               "open":{"type":"object","additionalProperties":true},
               "typedMap":{"type":"object","additionalProperties":{"type":"integer","format":"int64"}},
               "anything":{"x-kubernetes-preserve-unknown-fields":true,"default":{"a":[1,"b",null,{"c":true}]},"example":[1,2]},
               "quantity":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}],"pattern":"^[0-9]+$"},
               "ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],"maxItems":4,
                 "items":{"type":"object","required":["name"],"properties":{"name":{"type":"string","enum":["a","b"]},"n":{"type":"number","minimum":0.5,"exclusiveMinimum":true}}}},
               "set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},
               "embedded":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true},
               "atomic":{"type":"object","x-kubernetes-map-type":"atomic","properties":{"x":{"type":"string","default":"d","maxLength":3}}},
               "either":{"type":"string","oneOf":[{"pattern":"^a"},{"pattern":"^b"}],"not":{"pattern":"^c"},"allOf":[{"minLength":1}]}}}
            """);
        var expected = crd["spec"]!.DeepClone().AsObject();
        expected["conversion"] = new JsonObject { ["strategy"] = "None" };
        expected["names"]!["listKind"] = "WidgetList";

        var created = await SendAsync(HttpMethod.Post, Crds + "?fieldValidation=Strict", crd.ToJsonString());

        Assert.That(created.Code, Is.EqualTo(201), created.Body);
        var stored = Json((await SendAsync(HttpMethod.Get, Crds + "/widgets.example.com")).Body)["spec"]!;
        Assert.That(JsonNode.DeepEquals(stored, expected), Is.True, $"stored:   {stored.ToJsonString()}\nexpected: {expected.ToJsonString()}");
    }

    [Test]
    public async Task PeerServer_SameStore_ServesCrdsWrittenThroughTheOther()
    {
        await using var peer = await Server.StartPeerAsync();
        await CreateCrdAsync();
        await SendAsync(HttpMethod.Post, Widgets, Widget);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        (int Code, string Body) read;
        while ((read = await SendAsync(HttpMethod.Get, Widgets + "/w1", server: peer.Address)).Code != 200 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.That(read.Code, Is.EqualTo(200), read.Body);
        var discovery = await SendAsync(HttpMethod.Get, "/apis/example.com/v1", server: peer.Address);
        Assert.That(discovery.Code, Is.EqualTo(200), discovery.Body);

        await SendAsync(HttpMethod.Delete, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com");
        deadline = DateTime.UtcNow.AddSeconds(10);
        while ((read = await SendAsync(HttpMethod.Get, "/apis/example.com/v1", server: peer.Address)).Code != 404 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.That(read.Code, Is.EqualTo(404), "the peer stops serving once the CRD is gone");
    }

    [Test]
    public async Task Delete_CrdWithFinalizedObject_TerminatingRefusesCreatesUntilObjectsGo()
    {
        await CreateCrdAsync();
        var held = """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"held","finalizers":["example.com/hold"]},"spec":{"size":1}}""";
        Assert.That((await SendAsync(HttpMethod.Post, Widgets, held)).Code, Is.EqualTo(201));

        await SendAsync(HttpMethod.Delete, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com");

        var deadline = DateTime.UtcNow.AddSeconds(10);
        JsonObject crd;
        while (!Conditions(crd = Json((await SendAsync(HttpMethod.Get, Crds + "/widgets.example.com")).Body)).ContainsKey("Terminating") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.That(Conditions(crd).GetValueOrDefault("Terminating"), Is.EqualTo("InstanceDeletionInProgress"));
        var refused = await SendAsync(HttpMethod.Post, Widgets, Widget);
        Assert.That(refused.Code, Is.EqualTo(405), refused.Body);
        Assert.That(refused.Body, Does.Contain("create not allowed while custom resource definition is terminating"));
        // The condition is set before the instances are deleted (as upstream's finalizing
        // controller does), so the held object's deletion may come a moment after it.
        deadline = DateTime.UtcNow.AddSeconds(10);
        JsonObject heldNow;
        while ((heldNow = Json((await SendAsync(HttpMethod.Get, Widgets + "/held")).Body))["metadata"]!["deletionTimestamp"] is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.That(heldNow["metadata"]!["deletionTimestamp"], Is.Not.Null, "the cleanup deletes the instances; the finalizer holds this one");

        var released = await SendAsync(HttpMethod.Patch, Widgets + "/held", """{"metadata":{"finalizers":null}}""", "application/merge-patch+json");
        Assert.That(released.Code, Is.EqualTo(200), released.Body);
        deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await SendAsync(HttpMethod.Get, Crds + "/widgets.example.com")).Code != 404 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.That((await SendAsync(HttpMethod.Get, Crds + "/widgets.example.com")).Code, Is.EqualTo(404));
    }

    private const string Crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

    private static Dictionary<string, string> Conditions(JsonObject crd) =>
        (crd["status"]?["conditions"] as JsonArray ?? []).ToDictionary(c => c!["type"]!.GetValue<string>(), c => c!["reason"]!.GetValue<string>());

    private async Task CreateCrdAsync()
    {
        var created = await SendAsync(HttpMethod.Post, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Crd);
        Assert.That(created.Code, Is.EqualTo(201), created.Body);
    }

    private static string[] Names(string body) =>
        Json(body)["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()).ToArray();

    private static JsonObject Json(string body) => RawHttp.Json(body);

    private async Task<(int Code, string Body)> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json", string? accept = null, Uri? server = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(server ?? Server.Server.Address, path));
        if (body is not null)
        {
            request.Content = new StringContent(body);
            request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        }
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }
        using var response = await Client.HttpClient.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
