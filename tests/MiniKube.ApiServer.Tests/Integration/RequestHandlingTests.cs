using System.Text;
using System.Text.Json.Nodes;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>Raw HTTP against an in-process API server: the edges kubectl rarely hits but a server must survive.</summary>
[TestFixture]
[Category("Integration")]
public sealed class RequestHandlingTests : ApiServerFixture
{
    [Test]
    public async Task Yaml_WithAliasBomb_Gets400AndServerStaysUp()
    {
        var bomb = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\na: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
        for (var i = 0; i < 9; i++)
        {
            bomb.Append(CultureInfoSafe($"{(char)('b' + i)}: &{(char)('b' + i)} [*{(char)('a' + i)},*{(char)('a' + i)},*{(char)('a' + i)},*{(char)('a' + i)},*{(char)('a' + i)},*{(char)('a' + i)},*{(char)('a' + i)},*{(char)('a' + i)},*{(char)('a' + i)}]\n"));
        }

        var (code, body) = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps", bomb.ToString(), "application/yaml");

        Assert.That(code, Is.EqualTo(400), body);
        Assert.That((await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/configmaps", null, null)).Code, Is.EqualTo(200));
    }

    [Test]
    public async Task DeeplyNestedFreeFormData_IsStoredAndStaysReadableAndDeletable()
    {
        var data = "{}";
        for (var i = 0; i < 80; i++)
        {
            data = $"{{\"a\":{data}}}";
        }
        var revision = $"{{\"apiVersion\":\"apps/v1\",\"kind\":\"ControllerRevision\",\"metadata\":{{\"name\":\"deep\"}},\"revision\":1,\"data\":{data}}}";

        Assert.That((await SendAsync(HttpMethod.Post, "/apis/apps/v1/namespaces/default/controllerrevisions", revision, "application/json")).Code, Is.EqualTo(201));
        Assert.That((await SendAsync(HttpMethod.Get, "/apis/apps/v1/namespaces/default/controllerrevisions?labelSelector=x!%3Dy", null, null)).Code, Is.EqualTo(200));
        Assert.That((await SendAsync(HttpMethod.Delete, "/apis/apps/v1/namespaces/default/controllerrevisions/deep", null, null)).Code, Is.EqualTo(200));
    }

    [Test]
    public async Task Delete_SystemNamespace_Gets403()
    {
        var (code, body) = await SendAsync(HttpMethod.Delete, "/api/v1/namespaces/kube-system", null, null);

        Assert.That(code, Is.EqualTo(403), body);
        Assert.That(body, Does.Contain("this namespace may not be deleted"));
    }

    [Test]
    public async Task Delete_Namespace_StaysTerminatingUntilFinalizeEmptiesSpecFinalizers()
    {
        const string Namespace = """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"finalize-me"}}""";
        Assert.That((await SendAsync(HttpMethod.Post, "/api/v1/namespaces", Namespace, "application/json")).Code, Is.EqualTo(201));

        var (code, body) = await SendAsync(HttpMethod.Delete, "/api/v1/namespaces/finalize-me", null, null);

        // Emptying is the namespace controller's job (MiniKube.Controllers); the API server only marks it.
        Assert.That(code, Is.EqualTo(200), body);
        Assert.That(body, Does.Contain("\"phase\":\"Terminating\"").And.Contain("\"finalizers\":[\"kubernetes\"]"));
        var refused = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/finalize-me/configmaps", """{"metadata":{"name":"late"}}""", "application/json");
        Assert.That(refused.Code, Is.EqualTo(403), refused.Body);
        var finalize = """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"finalize-me"},"spec":{"finalizers":[]}}""";
        Assert.That((await SendAsync(HttpMethod.Put, "/api/v1/namespaces/finalize-me/finalize", finalize, "application/json")).Code, Is.EqualTo(200));
        Assert.That((await SendAsync(HttpMethod.Get, "/api/v1/namespaces/finalize-me", null, null)).Code, Is.EqualTo(404));
    }

    [Test]
    public async Task DeleteCollection_AcrossNamespacesOrOfNamespaces_Gets405()
    {
        Assert.That((await SendAsync(HttpMethod.Delete, "/api/v1/namespaces", null, null)).Code, Is.EqualTo(405));
        Assert.That((await SendAsync(HttpMethod.Delete, "/api/v1/pods", null, null)).Code, Is.EqualTo(405));
    }

    [Test]
    public async Task Body_WithWrongShapes_GetsStatusNotBareError()
    {
        var (code, body) = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps", "{\"metadata\":\"x\"}", "application/json");

        Assert.That(code, Is.InRange(400, 500), body);
        Assert.That(JsonNode.Parse(body)!["kind"]!.GetValue<string>(), Is.EqualTo("Status"));
    }

    [Test]
    public async Task Service_NodePortByPatch_IsAllocatedAndReleasedOnDelete()
    {
        var service = "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"web\"},\"spec\":{\"selector\":{\"app\":\"web\"},\"ports\":[{\"port\":80}]}}";
        Assert.That((await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/services?dryRun=All", service, "application/json")).Code, Is.EqualTo(201));
        Assert.That((await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/services", service, "application/json")).Code, Is.EqualTo(201));

        var (code, body) = await SendAsync(HttpMethod.Patch, "/api/v1/namespaces/default/services/web", "{\"spec\":{\"type\":\"NodePort\"}}", "application/merge-patch+json");

        Assert.That(code, Is.EqualTo(200), body);
        var port = JsonNode.Parse(body)!["spec"]!["ports"]![0]!["nodePort"]!.GetValue<int>();
        Assert.That(port, Is.InRange(30000, 32767));
        Assert.That(await AllocationCountAsync(), Is.EqualTo(3), "kubernetes' IP, web's IP and web's node port; the dry run left nothing");
        Assert.That((await SendAsync(HttpMethod.Delete, "/api/v1/namespaces/default/services/web", null, null)).Code, Is.EqualTo(200));
        Assert.That(await AllocationCountAsync(), Is.EqualTo(1));
    }

    private async Task<long> AllocationCountAsync() => await Server.Store.CountAsync("/registry/mkube/", CancellationToken.None);

    private Task<(int Code, string Body)> SendAsync(HttpMethod method, string path, string? body, string? contentType) =>
        RawHttp.SendAsync(Client, Server.Server.Address, method, path, body, contentType);

    private static string CultureInfoSafe(FormattableString text) => FormattableString.Invariant(text);
}
