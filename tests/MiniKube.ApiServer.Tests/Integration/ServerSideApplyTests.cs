using System.Text.Json.Nodes;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>Server-side apply and managedFields over HTTP, as kubectl sends them (API-GUIDE-WAVE2 §6).</summary>
[TestFixture]
[Category("Integration")]
public sealed class ServerSideApplyTests : ApiServerFixture
{
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";
    private const string Apply = "application/apply-patch+yaml";

    private static string Cm(string data) => $$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"demo","namespace":"default"},"data":{{data}}}""";

    [Test]
    public async Task Create_ByKubectlCreate_WritesTheUpdateEntryAsUpstream()
    {
        var (code, body) = await SendAsync(HttpMethod.Post, ConfigMaps + "?fieldManager=kubectl-create", Cm("""{"k":"v1"}"""), "application/json");

        Assert.That(code, Is.EqualTo(201), body);
        var entry = Entries(body).Single()!.AsObject();
        Assert.That(entry.Select(p => p.Key), Is.EqualTo(new[] { "manager", "operation", "apiVersion", "time", "fieldsType", "fieldsV1" }));
        Assert.That((string?)entry["manager"], Is.EqualTo("kubectl-create"));
        Assert.That((string?)entry["operation"], Is.EqualTo("Update"));
        Assert.That((string?)entry["time"], Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"));
        Assert.That(entry["fieldsV1"]!.ToJsonString(), Is.EqualTo("""{"f:data":{".":{},"f:k":{}}}"""));
    }

    [Test]
    public async Task Create_Pod_OwnsWhatTheRequestAndItsDefaultsSetButNotWhatAdmissionAdds()
    {
        var pod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default"},"spec":{"containers":[{"name":"web","image":"nginx"}]}}""";
        var (code, body) = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods?fieldManager=kubectl-create", pod, "application/json");

        Assert.That(code, Is.EqualTo(201), body);
        var spec = Entries(body).Single()!["fieldsV1"]!["f:spec"]!.AsObject();
        Assert.That(spec.ContainsKey("f:dnsPolicy") && spec.ContainsKey("f:restartPolicy") && spec.ContainsKey("f:containers"), Is.True, spec.ToJsonString());
        // Set by the ServiceAccount, Priority and DefaultTolerationSeconds admission plugins upstream: nobody's.
        Assert.That(spec.Select(p => p.Key), Has.None.AnyOf("f:serviceAccountName", "f:serviceAccount", "f:priority", "f:preemptionPolicy", "f:tolerations"));
        var stored = JsonNode.Parse(body)!["spec"]!;
        Assert.That((int?)stored["priority"], Is.EqualTo(0));
        Assert.That(stored["tolerations"]!.AsArray(), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Apply_TwoManagers_ConflictForceAndRemovedField()
    {
        var (code, body) = await SendAsync(HttpMethod.Patch, ConfigMaps + "/demo?fieldManager=kubectl&fieldValidation=Strict&force=false", Cm("""{"k":"v1","other":"x"}"""), Apply);
        Assert.That(code, Is.EqualTo(201), body);
        Assert.That(Entries(body).Single()!["fieldsV1"]!.ToJsonString(), Is.EqualTo("""{"f:data":{"f:k":{},"f:other":{}}}"""));

        (code, body) = await SendAsync(HttpMethod.Patch, ConfigMaps + "/demo?fieldManager=other&force=false", Cm("""{"k":"v2"}"""), Apply);
        Assert.That(code, Is.EqualTo(409), body);
        Assert.That(JsonNode.Parse(body)!.ToJsonString(), Is.EqualTo(JsonNode.Parse("""
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Apply failed with 1 conflict: conflict with \"kubectl\": .data.k",
             "reason":"Conflict","details":{"causes":[{"reason":"FieldManagerConflict","message":"conflict with \"kubectl\"","field":".data.k"}]},"code":409}
            """)!.ToJsonString()));

        (code, body) = await SendAsync(HttpMethod.Patch, ConfigMaps + "/demo?fieldManager=other&force=true", Cm("""{"k":"v2"}"""), Apply);
        Assert.That(code, Is.EqualTo(200), body);
        Assert.That((string?)JsonNode.Parse(body)!["data"]!["k"], Is.EqualTo("v2"));
        Assert.That(Entries(body).Select(e => (string?)e!["manager"]), Is.EqualTo(new[] { "kubectl", "other" }));

        // kubectl no longer owns k; dropping "other" from its configuration removes it.
        (code, body) = await SendAsync(HttpMethod.Patch, ConfigMaps + "/demo?fieldManager=kubectl&force=false",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"demo"}}""", Apply);
        Assert.That(code, Is.EqualTo(200), body);
        Assert.That(JsonNode.Parse(body)!["data"]!.ToJsonString(), Is.EqualTo("""{"k":"v2"}"""));
        Assert.That(Entries(body).Select(e => (string?)e!["manager"]), Is.EqualTo(new[] { "other" }));
    }

    [Test]
    public async Task Patch_ByClientSideApply_AndStatusUpdate_RecordTheirEntries()
    {
        const string deployments = "/apis/apps/v1/namespaces/default/deployments";
        var deployment = """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},
             "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx"}]}}}}
            """;
        Assert.That((await SendAsync(HttpMethod.Post, deployments + "?fieldManager=kubectl-create", deployment, "application/json")).Code, Is.EqualTo(201));

        var (code, body) = await SendAsync(HttpMethod.Patch, deployments + "/web?fieldManager=kubectl-client-side-apply",
            """{"spec":{"replicas":3}}""", "application/strategic-merge-patch+json");
        Assert.That(code, Is.EqualTo(200), body);
        var status = JsonNode.Parse(body)!.AsObject();
        status["status"] = new JsonObject { ["replicas"] = 3 };
        (code, body) = await SendAsync(HttpMethod.Put, deployments + "/web/status?fieldManager=kube-controller-manager", status.ToJsonString(), "application/json");
        Assert.That(code, Is.EqualTo(200), body);

        // Sorted by time in seconds, then manager name, as upstream sorts them.
        var entries = Entries(body).Select(e => e!.AsObject()).ToDictionary(e => (string)e["manager"]!);
        Assert.That(entries.Keys, Is.EquivalentTo(new[] { "kube-controller-manager", "kubectl-client-side-apply", "kubectl-create" }));
        Assert.That(entries["kubectl-create"]["fieldsV1"]!["f:spec"]!["f:selector"]!.ToJsonString(), Is.EqualTo("{}"));
        Assert.That(entries["kubectl-create"]["fieldsV1"]!["f:spec"]!["f:replicas"], Is.Null, "replicas moved to the client-side apply manager");
        Assert.That(entries["kubectl-client-side-apply"]["fieldsV1"]!.ToJsonString(), Is.EqualTo("""{"f:spec":{"f:replicas":{}}}"""));
        Assert.That((string?)entries["kube-controller-manager"]["subresource"], Is.EqualTo("status"));
        Assert.That(entries["kube-controller-manager"]["fieldsV1"]!.ToJsonString(), Is.EqualTo("""{"f:status":{"f:replicas":{}}}"""));
    }

    [Test]
    public async Task ApplyWithoutFieldManager_AndForceOnMergePatch_Get422()
    {
        var (code, body) = await SendAsync(HttpMethod.Patch, ConfigMaps + "/demo", Cm("""{"k":"v"}"""), Apply);
        Assert.That(code, Is.EqualTo(422), body);
        Assert.That((string?)JsonNode.Parse(body)!["message"], Is.EqualTo("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"));

        Assert.That((await SendAsync(HttpMethod.Post, ConfigMaps, Cm("""{"k":"v"}"""), "application/json")).Code, Is.EqualTo(201));
        (code, body) = await SendAsync(HttpMethod.Patch, ConfigMaps + "/demo?force=true", """{"data":{"k":"w"}}""", "application/merge-patch+json");
        Assert.That(code, Is.EqualTo(422), body);
        Assert.That((string?)JsonNode.Parse(body)!["message"], Is.EqualTo("PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch"));
    }

    [Test]
    public async Task JsonPatchOfManagedFields_AsCsaUpgradeSendsIt_IsKeptAndValidated()
    {
        var (_, created) = await SendAsync(HttpMethod.Post, ConfigMaps + "?fieldManager=kubectl-client-side-apply", Cm("""{"k":"v"}"""), "application/json");
        var version = (string?)JsonNode.Parse(created)!["metadata"]!["resourceVersion"];
        var replacement = """[{"manager":"kubectl","operation":"Apply","apiVersion":"v1","time":"2026-12-06T00:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:k":{}}}}]""";

        var (code, body) = await SendAsync(HttpMethod.Patch, ConfigMaps + "/demo",
            $$"""[{"op":"replace","path":"/metadata/managedFields","value":{{replacement}}},{"op":"test","path":"/metadata/resourceVersion","value":"{{version}}"}]""",
            "application/json-patch+json");

        Assert.That(code, Is.EqualTo(200), body);
        Assert.That(Entries(body).ToJsonString(), Is.EqualTo(replacement));

        (code, body) = await SendAsync(HttpMethod.Patch, ConfigMaps + "/demo",
            """[{"op":"replace","path":"/metadata/managedFields","value":[{"manager":"x","operation":"Bogus","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{}}]}]""",
            "application/json-patch+json");
        Assert.That(code, Is.EqualTo(200), body);
        Assert.That(Entries(body).ToJsonString(), Is.EqualTo(replacement), "invalid entries are ignored, the stored ones stay");
    }

    private static JsonArray Entries(string body) => JsonNode.Parse(body)!["metadata"]!["managedFields"]!.AsArray();

    private Task<(int Code, string Body)> SendAsync(HttpMethod method, string path, string? body, string? contentType) =>
        RawHttp.SendAsync(Client, Server.Server.Address, method, path, body, contentType);
}
