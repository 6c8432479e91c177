using System.Text;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// The <c>details</c> of error Statuses, shaped as apimachinery's errors.go constructors write
/// them (Go omits empty group, kind and name): clients such as kubectl debug read details.name.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class StatusDetailsTests : ApiServerFixture
{
    [Test]
    public async Task UnservedPath_Gets404WithEmptyDetails()
    {
        var (code, body) = await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/widgets", null);

        Assert.That(code, Is.EqualTo(404));
        Assert.That(body.TrimEnd(), Is.EqualTo(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}"""));
    }

    [Test]
    public async Task MissingObject_Gets404NamingIt_CoreWithoutGroup()
    {
        var core = RawHttp.Json((await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/configmaps/nope", null)).Body);
        var apps = RawHttp.Json((await SendAsync(HttpMethod.Get, "/apis/apps/v1/namespaces/default/deployments/nope", null)).Body);

        Assert.That(core["details"]!.ToJsonString(), Is.EqualTo("""{"name":"nope","kind":"configmaps"}"""));
        Assert.That(core["message"]!.GetValue<string>(), Is.EqualTo("configmaps \"nope\" not found"));
        Assert.That(apps["details"]!.ToJsonString(), Is.EqualTo("""{"name":"nope","group":"apps","kind":"deployments"}"""));
        Assert.That(apps["message"]!.GetValue<string>(), Is.EqualTo("deployments.apps \"nope\" not found"));
    }

    [Test]
    public async Task AlreadyExistsAndConflict_NameTheObject()
    {
        const string Map = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"one"}}""";
        await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps", Map);

        var exists = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps", Map);
        var stale = await SendAsync(HttpMethod.Put, "/api/v1/namespaces/default/configmaps/one",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"one","resourceVersion":"1"}}""");

        Assert.That((exists.Code, Reason(exists.Body)), Is.EqualTo((409, "AlreadyExists")));
        Assert.That(RawHttp.Json(exists.Body)["details"]!.ToJsonString(), Is.EqualTo("""{"name":"one","kind":"configmaps"}"""));
        Assert.That((stale.Code, Reason(stale.Body)), Is.EqualTo((409, "Conflict")));
        Assert.That(RawHttp.Json(stale.Body)["details"]!.ToJsonString(), Is.EqualTo("""{"name":"one","kind":"configmaps"}"""));
    }

    [Test]
    public async Task UnservedVerb_Gets405WithEmptyDetails()
    {
        var (code, body) = await SendAsync(HttpMethod.Put, "/api/v1/namespaces/default/configmaps", "{}");

        Assert.That(code, Is.EqualTo(405));
        Assert.That(RawHttp.Json(body)["details"]!.ToJsonString(), Is.EqualTo("{}"));
        Assert.That(RawHttp.Json(body)["message"]!.GetValue<string>(), Is.EqualTo("the server does not allow this method on the requested resource"));
    }

    [Test]
    public async Task ApplyWithoutFieldManager_Gets422NamingPatchOptions()
    {
        var (code, body) = await SendAsync(HttpMethod.Patch, "/api/v1/namespaces/default/configmaps/x",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}""", "application/apply-patch+yaml");

        Assert.That(code, Is.EqualTo(422), body);
        var status = RawHttp.Json(body);
        Assert.That(status["message"]!.GetValue<string>(), Is.EqualTo("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"));
        Assert.That(status["details"]!.ToJsonString(), Is.EqualTo(
            """{"group":"meta.k8s.io","kind":"PatchOptions","causes":[{"reason":"FieldValueRequired","message":"Required value: is required for apply patch","field":"fieldManager"}]}"""));
    }

    [Test]
    public async Task TerminatingNamespace_Gets403NamingTheObject()
    {
        await SendAsync(HttpMethod.Post, "/api/v1/namespaces", """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"going"}}""");
        await SendAsync(HttpMethod.Delete, "/api/v1/namespaces/going", null);

        var (code, body) = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/going/configmaps", """{"metadata":{"name":"late"}}""");

        Assert.That(code, Is.EqualTo(403), body);
        var status = RawHttp.Json(body);
        Assert.That(status["message"]!.GetValue<string>(), Is.EqualTo("configmaps \"late\" is forbidden: unable to create new content in namespace going because it is being terminated"));
        Assert.That(status["details"]!.ToJsonString(), Is.EqualTo("""{"name":"late","kind":"configmaps"}"""));
    }

    [Test]
    public async Task BodyNotUtf8_Gets400BadRequest()
    {
        var body = Encoding.UTF8.GetBytes("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bad"},"data":{"k":"__"}}""");
        var at = Array.IndexOf(body, (byte)'_');
        body[at] = 0xC3;
        body[at + 1] = 0x28;

        foreach (var (method, path, type) in new[]
        {
            (HttpMethod.Post, "/api/v1/namespaces/default/configmaps", "application/json"),
            (HttpMethod.Post, "/api/v1/namespaces/default/configmaps", "application/yaml"),
            (HttpMethod.Patch, "/api/v1/namespaces/default/configmaps/bad", "application/merge-patch+json"),
        })
        {
            var (code, answer) = await RawHttp.SendBytesAsync(Client, Server.Server.Address, method, path, body, type);

            Assert.That((code, Reason(answer)), Is.EqualTo((400, "BadRequest")), $"{method} {type}: {answer}");
            Assert.That(RawHttp.Json(answer)["message"]!.GetValue<string>(), Does.Contain("not valid UTF-8"));
        }
    }

    [Test]
    public async Task BodyOver3MiB_Gets413()
    {
        var big = new string('x', 3 * 1024 * 1024 + 10);

        var (code, body) = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"big\"},\"data\":{\"k\":\"" + big + "\"}}");

        Assert.That((code, Reason(body)), Is.EqualTo((413, "RequestEntityTooLarge")));
    }

    private static string Reason(string body) => RawHttp.Json(body)["reason"]!.GetValue<string>();

    private Task<(int Code, string Body)> SendAsync(HttpMethod method, string path, string? body, string contentType = "application/json") =>
        RawHttp.SendAsync(Client, Server.Server.Address, method, path, body, contentType);
}
