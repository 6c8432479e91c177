using System.Text.Json.Nodes;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// scheduling.k8s.io/v1 PriorityClasses and the Priority admission plugin over HTTP against an
/// in-process API server: discovery and OpenAPI, the built-in classes with kubectl's columns,
/// pods resolved to their class's priority, and upstream's refusals.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class PriorityClassTests : ApiServerFixture
{
    private const string Classes = "/apis/scheduling.k8s.io/v1/priorityclasses";
    private const string Pods = "/api/v1/namespaces/default/pods";

    [Test]
    public async Task Discovery_ServesPriorityClasses_WithShortNameAndOpenApi()
    {
        var resources = Json((await SendAsync(HttpMethod.Get, "/apis/scheduling.k8s.io/v1")).Body)["resources"]!.AsArray();
        var entry = resources.Single(r => (string?)r!["name"] == "priorityclasses")!;
        Assert.That((bool?)entry["namespaced"], Is.False);
        Assert.That(entry["shortNames"]!.AsArray().Select(n => (string?)n), Is.EqualTo(new[] { "pc" }));
        Assert.That((string?)entry["kind"], Is.EqualTo("PriorityClass"));

        var index = Json((await SendAsync(HttpMethod.Get, "/openapi/v3")).Body)["paths"]!.AsObject();
        Assert.That(index.ContainsKey("apis/scheduling.k8s.io/v1"), Is.True);
        var document = (await SendAsync(HttpMethod.Get, "/openapi/v3/apis/scheduling.k8s.io/v1")).Body;
        Assert.That(document, Does.Contain("io.k8s.api.scheduling.v1.PriorityClass"));
    }

    [Test]
    public async Task List_AsTable_ShowsTheSystemClassesWithUpstreamColumns()
    {
        var (code, body) = await SendAsync(HttpMethod.Get, Classes, accept: "application/json;as=Table;v=v1;g=meta.k8s.io");

        Assert.That(code, Is.EqualTo(200), body);
        var table = Json(body);
        Assert.That(table["columnDefinitions"]!.AsArray().Select(c => (string?)c!["name"]), Is.EqualTo(new[] { "Name", "Value", "Global-Default", "Age", "PreemptionPolicy" }));
        Assert.That(table["columnDefinitions"]!.AsArray().Select(c => (string?)c!["type"]), Is.EqualTo(new[] { "string", "integer", "boolean", "string", "string" }));
        var rows = table["rows"]!.AsArray().Select(r => r!["cells"]!.AsArray()).ToList();
        Assert.That(rows.Select(c => (string?)c[0]), Is.EqualTo(new[] { "system-cluster-critical", "system-node-critical" }));
        Assert.That((long?)rows[1][1], Is.EqualTo(2000001000));
        Assert.That((bool?)rows[1][2], Is.False);
        Assert.That((string?)rows[1][4], Is.EqualTo("PreemptLowerPriority"));
    }

    [Test]
    public async Task CreatePod_NamedClass_GetsItsPriority()
    {
        var created = await SendAsync(HttpMethod.Post, Classes, """{"metadata":{"name":"high"},"value":1000,"preemptionPolicy":"Never","description":"important"}""");
        Assert.That(created.Code, Is.EqualTo(201), created.Body);
        Assert.That((long?)Json(created.Body)["metadata"]!["generation"], Is.EqualTo(1));

        var (code, body) = await SendAsync(HttpMethod.Post, Pods, Pod("web", "high"));

        Assert.That(code, Is.EqualTo(201), body);
        var spec = Json(body)["spec"]!;
        Assert.That((int?)spec["priority"], Is.EqualTo(1000));
        Assert.That((string?)spec["preemptionPolicy"], Is.EqualTo("Never"));
    }

    [Test]
    public async Task CreatePod_UnknownClass_Is403WithUpstreamsStatus()
    {
        var (code, body) = await SendAsync(HttpMethod.Post, Pods, Pod("web", "missing"));

        Assert.That(code, Is.EqualTo(403), body);
        var status = Json(body);
        Assert.That((string?)status["reason"], Is.EqualTo("Forbidden"));
        Assert.That((string?)status["message"], Is.EqualTo("pods \"web\" is forbidden: no PriorityClass with name missing was found"));
        Assert.That((string?)status["details"]!["kind"], Is.EqualTo("pods"));
        Assert.That((await SendAsync(HttpMethod.Get, Pods + "/web")).Code, Is.EqualTo(404));
    }

    [Test]
    public async Task CreatePod_NoClass_GetsTheGlobalDefault_AndASecondDefaultIsRefused()
    {
        Assert.That((await SendAsync(HttpMethod.Post, Classes, """{"metadata":{"name":"normal"},"value":500,"globalDefault":true}""")).Code, Is.EqualTo(201));

        var second = await SendAsync(HttpMethod.Post, Classes, """{"metadata":{"name":"other"},"value":600,"globalDefault":true}""");
        Assert.That(second.Code, Is.EqualTo(403), second.Body);
        Assert.That((string?)Json(second.Body)["message"], Does.EndWith("PriorityClass normal is already marked as default. Only one default can exist"));

        // Pods read classes from the watch cache, which follows the store a moment later (as upstream's informer).
        JsonNode spec;
        var attempt = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        do
        {
            var (code, body) = await SendAsync(HttpMethod.Post, Pods, Pod($"web-{attempt++}"));
            Assert.That(code, Is.EqualTo(201), body);
            spec = Json(body)["spec"]!;
        }
        while ((int?)spec["priority"] != 500 && DateTime.UtcNow < deadline);
        Assert.That((int?)spec["priority"], Is.EqualTo(500));
        Assert.That((string?)spec["priorityClassName"], Is.EqualTo("normal"));
    }

    [Test]
    public async Task Write_InvalidOrSystemClass_IsRefusedAsUpstream()
    {
        var tooHigh = await SendAsync(HttpMethod.Post, Classes, """{"metadata":{"name":"huge"},"value":2000000000}""");
        Assert.That(tooHigh.Code, Is.EqualTo(422), tooHigh.Body);
        Assert.That((string?)Json(tooHigh.Body)["message"], Is.EqualTo(
            "PriorityClass.scheduling.k8s.io \"huge\" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000"));

        var deleted = await SendAsync(HttpMethod.Delete, Classes + "/system-node-critical");
        Assert.That(deleted.Code, Is.EqualTo(403), deleted.Body);
        Assert.That((await SendAsync(HttpMethod.Get, Classes + "/system-node-critical")).Code, Is.EqualTo(200));

        var changed = await SendAsync(HttpMethod.Patch, Classes + "/system-cluster-critical", """{"value":5}""", "application/merge-patch+json");
        Assert.That(changed.Code, Is.EqualTo(422), changed.Body);
        Assert.That((string?)Json(changed.Body)["message"], Does.Contain("value: Forbidden: may not be changed in an update."));
    }

    private static string Pod(string name, string? priorityClassName = null)
    {
        var spec = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "busybox" }) };
        if (priorityClassName is not null)
        {
            spec["priorityClassName"] = priorityClassName;
        }
        return new JsonObject { ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = spec }.ToJsonString();
    }

    private static JsonObject Json(string body) => RawHttp.Json(body);

    private async Task<(int Code, string Body)> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json", string? accept = null)
    {
        if (accept is null)
        {
            return await RawHttp.SendAsync(Client, Server.Server.Address, method, path, body, contentType);
        }
        using var request = new HttpRequestMessage(method, new Uri(Server.Server.Address, path));
        request.Headers.Accept.ParseAdd(accept);
        using var response = await Client.HttpClient.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
