using System.Text.Json.Nodes;
using MiniKube.Testing;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// A CRD with two versions and Webhook conversion against an in-process API server and a real
/// HTTPS conversion webhook (v1 stores spec.color, v2 calls it spec.colour): writes and reads
/// through either version, lists in one review, watch events converted, a webhook that is down
/// answered with upstream's 500; and stored objects defaulted on read.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class CustomResourceConversionTests : ApiServerFixture
{
    private const string V1 = "/apis/conv.example.com/v1/namespaces/default/gizmos";
    private const string V2 = "/apis/conv.example.com/v2/namespaces/default/gizmos";

    private TestWebhookServer? _webhook;

    [TearDown]
    public async Task StopWebhook()
    {
        if (_webhook is not null)
        {
            await _webhook.DisposeAsync();
        }
    }

    [Test]
    public async Task CreateThroughV1_ReadThroughV2AndV1()
    {
        await CreateCrdAsync();

        var created = await SendAsync(HttpMethod.Post, V1, Gizmo("g1", "v1", "color", "red"));
        Assert.That(created.Code, Is.EqualTo(201), created.Body);
        Assert.That(_webhook!.Requests, Is.Empty, "writes and reads in the storage version need no conversion");

        var v2 = await SendAsync(HttpMethod.Get, V2 + "/g1");
        Assert.That(v2.Code, Is.EqualTo(200), v2.Body);
        Assert.That(Json(v2.Body)["apiVersion"]!.GetValue<string>(), Is.EqualTo("conv.example.com/v2"));
        Assert.That(Json(v2.Body)["spec"]!["colour"]!.GetValue<string>(), Is.EqualTo("red"));
        Assert.That(Json(v2.Body)["spec"]!.AsObject().ContainsKey("color"), Is.False);
        var review = _webhook.Requests.Single();
        Assert.That(review["desiredAPIVersion"]!.GetValue<string>(), Is.EqualTo("conv.example.com/v2"));

        var v1 = await SendAsync(HttpMethod.Get, V1 + "/g1");
        Assert.That(Json(v1.Body)["spec"]!["color"]!.GetValue<string>(), Is.EqualTo("red"));
    }

    [Test]
    public async Task CreateThroughV2_StoredInV1()
    {
        await CreateCrdAsync();

        var created = await SendAsync(HttpMethod.Post, V2, Gizmo("g2", "v2", "colour", "green"));

        Assert.That(created.Code, Is.EqualTo(201), created.Body);
        Assert.That(Json(created.Body)["spec"]!["colour"]!.GetValue<string>(), Is.EqualTo("green"));
        var v1 = await SendAsync(HttpMethod.Get, V1 + "/g2");
        Assert.That(Json(v1.Body)["spec"]!["color"]!.GetValue<string>(), Is.EqualTo("green"));
        Assert.That(Json(v1.Body)["apiVersion"]!.GetValue<string>(), Is.EqualTo("conv.example.com/v1"));
    }

    [Test]
    public async Task ListThroughV2_OneReviewForThePage()
    {
        await CreateCrdAsync();
        foreach (var (name, color) in new[] { ("a", "red"), ("b", "blue") })
        {
            Assert.That((await SendAsync(HttpMethod.Post, V1, Gizmo(name, "v1", "color", color))).Code, Is.EqualTo(201));
        }

        var list = await SendAsync(HttpMethod.Get, V2);

        Assert.That(list.Code, Is.EqualTo(200), list.Body);
        var items = Json(list.Body)["items"]!.AsArray();
        Assert.That(items.Select(i => i!["spec"]!["colour"]!.GetValue<string>()), Is.EqualTo(new[] { "red", "blue" }));
        Assert.That(items.Select(i => i!["apiVersion"]!.GetValue<string>()), Is.All.EqualTo("conv.example.com/v2"));
        Assert.That(_webhook!.Requests.Single()["objects"]!.AsArray(), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task WatchThroughV2_EventsConverted()
    {
        await CreateCrdAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Server.Server.Address, V2 + "?watch=true&resourceVersion=0"));
        using var response = await Client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.That((await SendAsync(HttpMethod.Post, V1, Gizmo("w", "v1", "color", "red"))).Code, Is.EqualTo(201));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var line = await reader.ReadLineAsync(timeout.Token);

        var ev = Json(line!);
        Assert.That(ev["type"]!.GetValue<string>(), Is.EqualTo("ADDED"));
        Assert.That(ev["object"]!["apiVersion"]!.GetValue<string>(), Is.EqualTo("conv.example.com/v2"));
        Assert.That(ev["object"]!["spec"]!["colour"]!.GetValue<string>(), Is.EqualTo("red"));
    }

    [Test]
    public async Task WebhookDown_InternalErrorWithUpstreamsMessage()
    {
        await CreateCrdAsync();
        Assert.That((await SendAsync(HttpMethod.Post, V1, Gizmo("g1", "v1", "color", "red"))).Code, Is.EqualTo(201));
        await _webhook!.StopAsync();

        var got = await SendAsync(HttpMethod.Get, V2 + "/g1");

        Assert.That(got.Code, Is.EqualTo(500), got.Body);
        var status = Json(got.Body);
        Assert.That(status["reason"]!.GetValue<string>(), Is.EqualTo("InternalError"));
        Assert.That(status["message"]!.GetValue<string>(), Does.StartWith(
            $"Internal error occurred: conversion webhook for conv.example.com/v1, Kind=Gizmo failed: Post \"{_webhook.Url("/convert")}?timeout=30s\": "));
        var list = await SendAsync(HttpMethod.Get, V2);
        Assert.That(list.Code, Is.EqualTo(500), list.Body);
        Assert.That((await SendAsync(HttpMethod.Get, V1 + "/g1")).Code, Is.EqualTo(200), "the storage version needs no webhook");
    }

    [Test]
    public async Task DefaultAddedToTheSchema_AppliedOnReadOfObjectsStoredBefore()
    {
        var crd = Crd("None");
        var created = await SendAsync(HttpMethod.Post, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd.ToJsonString());
        Assert.That(created.Code, Is.EqualTo(201), created.Body);
        Assert.That((await SendAsync(HttpMethod.Post, V1, Gizmo("old", "v1", "color", "red"))).Code, Is.EqualTo(201));

        var stored = Json(created.Body);
        foreach (var version in stored["spec"]!["versions"]!.AsArray())
        {
            version!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!["properties"]!["size"] = new JsonObject { ["type"] = "integer", ["default"] = 7 };
        }
        var updated = await SendAsync(HttpMethod.Put, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gizmos.conv.example.com", stored.ToJsonString());
        Assert.That(updated.Code, Is.EqualTo(200), updated.Body);

        var got = await SendAsync(HttpMethod.Get, V1 + "/old");
        Assert.That(Json(got.Body)["spec"]!["size"]!.GetValue<long>(), Is.EqualTo(7));
        var list = await SendAsync(HttpMethod.Get, V2);
        Assert.That(Json(list.Body)["items"]![0]!["spec"]!["size"]!.GetValue<long>(), Is.EqualTo(7), "through the other version too");
    }

    private async Task CreateCrdAsync()
    {
        var directory = Path.Combine(Server.Directory, "conversion-webhook");
        _webhook = await TestWebhookServer.StartAsync(directory, (_, request) => Task.FromResult(Convert(request)));
        var crd = Crd("Webhook");
        crd["spec"]!["conversion"]!["webhook"] = new JsonObject
        {
            ["clientConfig"] = new JsonObject { ["url"] = _webhook.Url("/convert"), ["caBundle"] = System.Convert.ToBase64String(_webhook.CaBundle) },
            ["conversionReviewVersions"] = new JsonArray("v1"),
        };
        var created = await SendAsync(HttpMethod.Post, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd.ToJsonString());
        Assert.That(created.Code, Is.EqualTo(201), created.Body);
    }

    // The test's conversion webhook: spec.color (v1) ↔ spec.colour (v2).
    private static JsonObject Convert(JsonObject request)
    {
        var desired = request["desiredAPIVersion"]!.GetValue<string>();
        var (from, to) = desired.EndsWith("/v2", StringComparison.Ordinal) ? ("color", "colour") : ("colour", "color");
        var converted = new JsonArray();
        foreach (var item in request["objects"]!.AsArray())
        {
            var obj = item!.DeepClone().AsObject();
            obj["apiVersion"] = desired;
            if (obj["spec"] is JsonObject spec && spec[from] is { } value)
            {
                spec.Remove(from);
                spec[to] = value.DeepClone();
            }
            converted.Add(obj);
        }
        return new JsonObject { ["convertedObjects"] = converted, ["result"] = new JsonObject { ["status"] = "Success" } };
    }

    private static JsonObject Crd(string strategy)
    {
        JsonObject Version(string name, bool storage, string field) => new()
        {
            ["name"] = name,
            ["served"] = true,
            ["storage"] = storage,
            ["schema"] = new JsonObject
            {
                ["openAPIV3Schema"] = new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject
                    {
                        ["spec"] = new JsonObject
                        {
                            ["type"] = "object",
                            ["properties"] = new JsonObject { [field] = new JsonObject { ["type"] = "string" }, ["size"] = new JsonObject { ["type"] = "integer" } },
                        },
                    },
                },
            },
        };
        return new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject { ["name"] = "gizmos.conv.example.com" },
            ["spec"] = new JsonObject
            {
                ["group"] = "conv.example.com",
                ["scope"] = "Namespaced",
                ["names"] = new JsonObject { ["plural"] = "gizmos", ["singular"] = "gizmo", ["kind"] = "Gizmo" },
                ["versions"] = new JsonArray(Version("v1", true, "color"), Version("v2", false, strategy == "None" ? "color" : "colour")),
                ["conversion"] = new JsonObject { ["strategy"] = strategy },
            },
        };
    }

    private static string Gizmo(string name, string version, string field, string value) =>
        $$$"""{"apiVersion":"conv.example.com/{{{version}}}","kind":"Gizmo","metadata":{"name":"{{{name}}}"},"spec":{"{{{field}}}":"{{{value}}}"}}""";

    private async Task<(int Code, string Body)> SendAsync(HttpMethod method, string path, string? body = null) =>
        await RawHttp.SendAsync(Client, Server.Server.Address, method, path, body);

    private static JsonObject Json(string body) => RawHttp.Json(body);
}
