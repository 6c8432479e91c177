using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using MiniKube.Testing;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// Admission webhooks end to end over HTTP: an in-process API server calls a real HTTPS webhook
/// server of the test's own (its CA in caBundle), by url and through a Service's Endpoints.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class AdmissionWebhookTests : ApiServerFixture
{
    private const string Mutating = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations";
    private const string Validating = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations";
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";

    private readonly List<TestWebhookServer> _webhooks = [];

    [TearDown]
    public async Task StopWebhooks()
    {
        foreach (var webhook in _webhooks)
        {
            await webhook.DisposeAsync();
        }
    }

    [Test]
    public async Task MutatingWebhook_AddsALabel_ObjectIsStoredWithIt()
    {
        var webhook = await StartWebhookAsync((_, _) => TestWebhookServer.Patch(
            [new JsonObject { ["op"] = "add", ["path"] = "/metadata/labels", ["value"] = new JsonObject { ["mutated"] = "yes" } }]));
        await CreateAsync(Mutating, Configuration("MutatingWebhookConfiguration", "label.example.com", webhook.Url("/mutate"), webhook.CaBundle));

        var created = await EventuallyAsync(() => CreateConfigMapAsync("m"), r => r.Code == 201 && Label(r.Body, "mutated") == "yes");

        Assert.That(Label((await SendAsync(HttpMethod.Get, ConfigMaps + "/" + created.Name)).Body, "mutated"), Is.EqualTo("yes"));
        var review = webhook.Requests.Last();
        Assert.Multiple(() =>
        {
            Assert.That(review["operation"]!.GetValue<string>(), Is.EqualTo("CREATE"));
            Assert.That(review["kind"]!.ToJsonString(), Is.EqualTo("""{"group":"","version":"v1","kind":"ConfigMap"}"""));
            Assert.That(review["resource"]!.ToJsonString(), Is.EqualTo("""{"group":"","version":"v1","resource":"configmaps"}"""));
            Assert.That(review["namespace"]!.GetValue<string>(), Is.EqualTo("default"));
            Assert.That(review["name"]!.GetValue<string>(), Is.EqualTo(created.Name));
            Assert.That(review["userInfo"]!["username"]!.GetValue<string>(), Is.EqualTo("admin"));
            Assert.That(review["dryRun"]!.GetValue<bool>(), Is.False);
            Assert.That(review["options"]!["kind"]!.GetValue<string>(), Is.EqualTo("CreateOptions"));
            Assert.That(review["oldObject"], Is.Null);
            Assert.That(review["object"]!["data"]!["k"]!.GetValue<string>(), Is.EqualTo("v"));
        });
    }

    [Test]
    public async Task ValidatingWebhook_Denies_403WithUpstreamMessage_AndNothingIsStored()
    {
        var webhook = await StartWebhookAsync((_, _) => TestWebhookServer.Deny("configmaps are not welcome"));
        await CreateAsync(Validating, Configuration("ValidatingWebhookConfiguration", "deny.example.com", webhook.Url("/validate"), webhook.CaBundle));

        var refused = await EventuallyAsync(() => CreateConfigMapAsync("d"), r => r.Code != 201);

        Assert.That(refused.Code, Is.EqualTo(403), refused.Body);
        Assert.That(RawHttp.Json(refused.Body)["message"]!.GetValue<string>(),
            Is.EqualTo("admission webhook \"deny.example.com\" denied the request: configmaps are not welcome"));
        Assert.That((await SendAsync(HttpMethod.Get, ConfigMaps + "/" + refused.Name)).Code, Is.EqualTo(404));
    }

    [Test]
    public async Task WebhookDown_FailurePolicyFail_RefusesWith500_IgnoreLetsItThrough()
    {
        var webhook = await StartWebhookAsync((_, _) => TestWebhookServer.Allow());
        var url = webhook.Url("/validate");
        await CreateAsync(Validating, Configuration("ValidatingWebhookConfiguration", "strict.example.com", url, webhook.CaBundle));
        await EventuallyAsync(() => CreateConfigMapAsync("up"), _ => !webhook.Requests.IsEmpty);
        await webhook.StopAsync();

        var failed = await CreateConfigMapAsync("down");

        Assert.That(failed.Code, Is.EqualTo(500), failed.Body);
        var port = webhook.Port.ToString(CultureInfo.InvariantCulture);
        Assert.That(RawHttp.Json(failed.Body)["message"]!.GetValue<string>(), Is.EqualTo(
            $"Internal error occurred: failed calling webhook \"strict.example.com\": failed to call webhook: Post \"{url}?timeout=10s\": dial tcp 127.0.0.1:{port}: connect: connection refused"));

        var relaxed = RawHttp.Json((await SendAsync(HttpMethod.Get, Validating + "/strict.example.com")).Body);
        relaxed["webhooks"]![0]!["failurePolicy"] = "Ignore";
        Assert.That((await SendAsync(HttpMethod.Put, Validating + "/strict.example.com", relaxed.ToJsonString())).Code, Is.EqualTo(200));
        var ignored = await EventuallyAsync(() => CreateConfigMapAsync("ignored"), r => r.Code == 201);
        Assert.That(ignored.Code, Is.EqualTo(201));
    }

    [Test]
    public async Task MutatingWebhookDown_FailurePolicyIgnore_WriteGoesOnUnchanged_FailRefuses()
    {
        var webhook = await StartWebhookAsync((_, _) => TestWebhookServer.Allow());
        var lenient = Configuration("MutatingWebhookConfiguration", "lenient.example.com", webhook.Url("/mutate"), webhook.CaBundle);
        lenient["webhooks"]![0]!["failurePolicy"] = "Ignore";
        await CreateAsync(Mutating, lenient);
        await EventuallyAsync(() => CreateConfigMapAsync("up"), _ => !webhook.Requests.IsEmpty);
        await webhook.StopAsync();

        var created = await CreateConfigMapAsync("down");
        Assert.That(created.Code, Is.EqualTo(201), created.Body);

        lenient = RawHttp.Json((await SendAsync(HttpMethod.Get, Mutating + "/lenient.example.com")).Body);
        lenient["webhooks"]![0]!["failurePolicy"] = "Fail";
        Assert.That((await SendAsync(HttpMethod.Put, Mutating + "/lenient.example.com", lenient.ToJsonString())).Code, Is.EqualTo(200));
        var refused = await EventuallyAsync(() => CreateConfigMapAsync("strict"), r => r.Code != 201);
        Assert.That(refused.Code, Is.EqualTo(500), refused.Body);
        Assert.That(RawHttp.Json(refused.Body)["message"]!.GetValue<string>(), Does.StartWith("Internal error occurred: failed calling webhook \"lenient.example.com\": failed to call webhook: Post"));
    }

    [Test]
    public async Task SlowWebhook_TimeoutSeconds_FailsTheCallInTime()
    {
        var webhook = await StartWebhookAsync(async (_, request) =>
        {
            if (request["name"]?.GetValue<string>()?.StartsWith("slow", StringComparison.Ordinal) == true)
            {
                await Task.Delay(TimeSpan.FromSeconds(5));
            }
            return TestWebhookServer.Allow();
        });
        var configuration = Configuration("ValidatingWebhookConfiguration", "slow.example.com", webhook.Url("/validate"), webhook.CaBundle);
        configuration["webhooks"]![0]!["timeoutSeconds"] = 1;
        await CreateAsync(Validating, configuration);
        await EventuallyAsync(() => CreateConfigMapAsync("fast"), _ => !webhook.Requests.IsEmpty);

        var clock = Stopwatch.StartNew();
        var failed = await CreateConfigMapAsync("slow");

        Assert.That(failed.Code, Is.EqualTo(500), failed.Body);
        Assert.That(RawHttp.Json(failed.Body)["message"]!.GetValue<string>(), Does.EndWith("/validate?timeout=1s\": context deadline exceeded"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(4)));
    }

    [Test]
    public async Task DryRun_WebhookWithoutSideEffects_IsCalledWithDryRun_AndNothingIsStored()
    {
        var webhook = await StartWebhookAsync((_, _) => TestWebhookServer.Allow());
        var configuration = Configuration("ValidatingWebhookConfiguration", "dry.example.com", webhook.Url("/validate"), webhook.CaBundle);
        configuration["webhooks"]![0]!["sideEffects"] = "NoneOnDryRun";
        await CreateAsync(Validating, configuration);

        var dry = await EventuallyAsync(() => CreateConfigMapAsync("dry", "?dryRun=All"), _ => !webhook.Requests.IsEmpty);

        Assert.That(dry.Code, Is.EqualTo(201), dry.Body);
        var review = webhook.Requests.Last();
        Assert.That(review["dryRun"]!.GetValue<bool>(), Is.True);
        Assert.That(review["options"]!["dryRun"]!.ToJsonString(), Is.EqualTo("""["All"]"""));
        Assert.That((await SendAsync(HttpMethod.Get, ConfigMaps + "/" + dry.Name)).Code, Is.EqualTo(404));
    }

    [Test]
    public async Task ServiceBackedWebhook_IsReachedThroughTheServicesEndpoints()
    {
        var webhook = await StartWebhookAsync((_, _) => TestWebhookServer.Deny("seen through the service"), ["hook.default.svc"]);
        var service = """{"metadata":{"name":"hook"},"spec":{"ports":[{"name":"https","port":443,"targetPort":9443}]}}""";
        Assert.That((await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/services", service)).Code, Is.EqualTo(201));
        var endpoints = $$"""{"metadata":{"name":"hook"},"subsets":[{"addresses":[{"ip":"127.0.0.1"}],"ports":[{"name":"https","port":{{webhook.Port}}}]}]}""";
        Assert.That((await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/endpoints", endpoints)).Code, Is.EqualTo(201));
        var configuration = Configuration("ValidatingWebhookConfiguration", "service.example.com", null, webhook.CaBundle);
        configuration["webhooks"]![0]!["clientConfig"]!["service"] = new JsonObject { ["namespace"] = "default", ["name"] = "hook", ["path"] = "/validate" };
        var created = await CreateAsync(Validating, configuration);
        Assert.That(created["webhooks"]![0]!["clientConfig"]!["service"]!["port"]!.GetValue<int>(), Is.EqualTo(443), "defaulted");

        var refused = await EventuallyAsync(() => CreateConfigMapAsync("svc"), r => r.Code != 201);

        Assert.That(RawHttp.Json(refused.Body)["message"]!.GetValue<string>(), Does.EndWith("denied the request: seen through the service"), refused.Body);
    }

    [Test]
    public async Task ServiceWithoutEndpoints_FailsWithUpstreamsResolverMessage()
    {
        var webhook = await StartWebhookAsync((_, _) => TestWebhookServer.Allow(), ["lonely.default.svc"]);
        Assert.That((await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/services", """{"metadata":{"name":"lonely"},"spec":{"ports":[{"port":443}]}}""")).Code, Is.EqualTo(201));
        var configuration = Configuration("ValidatingWebhookConfiguration", "lonely.example.com", null, webhook.CaBundle);
        configuration["webhooks"]![0]!["clientConfig"]!["service"] = new JsonObject { ["namespace"] = "default", ["name"] = "lonely" };
        await CreateAsync(Validating, configuration);

        var failed = await EventuallyAsync(() => CreateConfigMapAsync("lonely"), r => r.Code != 201);

        Assert.That(RawHttp.Json(failed.Body)["message"]!.GetValue<string>(), Is.EqualTo(
            "Internal error occurred: failed calling webhook \"lonely.example.com\": failed to call webhook: Post \"https://lonely.default.svc:443/?timeout=10s\": no endpoints available for service \"lonely\""));
    }

    [Test]
    public async Task Selectors_AndMatchConditions_DecideWhichWritesAreSent()
    {
        var webhook = await StartWebhookAsync((_, _) => TestWebhookServer.Deny("caught"));
        var configuration = Configuration("ValidatingWebhookConfiguration", "picky.example.com", webhook.Url("/validate"), webhook.CaBundle);
        var hook = configuration["webhooks"]![0]!;
        hook["namespaceSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["watched"] = "true" } };
        hook["objectSelector"] = new JsonObject { ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = "skip", ["operator"] = "DoesNotExist" }) };
        hook["matchConditions"] = new JsonArray(new JsonObject { ["name"] = "not-exempt", ["expression"] = "object.metadata.name != 'exempt'" });
        await CreateAsync(Validating, configuration);
        Assert.That((await SendAsync(HttpMethod.Post, "/api/v1/namespaces", """{"metadata":{"name":"watched","labels":{"watched":"true"}}}""")).Code, Is.EqualTo(201));

        var caught = await EventuallyAsync(() => CreateConfigMapAsync("x", ns: "watched"), r => r.Code != 201);
        Assert.That(caught.Code, Is.EqualTo(403), caught.Body);

        Assert.That((await CreateConfigMapAsync("elsewhere")).Code, Is.EqualTo(201), "namespace not selected");
        Assert.That((await CreateConfigMapAsync("labelled", ns: "watched", labels: """{"skip":"yes"}""")).Code, Is.EqualTo(201), "object not selected");
        Assert.That((await CreateNamedConfigMapAsync("exempt", "watched")).Code, Is.EqualTo(201), "matchCondition false");
    }

    [Test]
    public async Task Reinvocation_IfNeededWebhookRunsAgain_AfterALaterWebhookChangedTheObject()
    {
        var first = await StartWebhookAsync((_, _) => TestWebhookServer.Allow());
        var second = await StartWebhookAsync((_, request) =>
            request["object"]!["metadata"]!["labels"]?["second"] is null
                ? TestWebhookServer.Patch([new JsonObject { ["op"] = "add", ["path"] = "/metadata/labels", ["value"] = new JsonObject { ["second"] = "1" } }])
                : TestWebhookServer.Allow());
        var a = Configuration("MutatingWebhookConfiguration", "a.example.com", first.Url("/a"), first.CaBundle);
        a["webhooks"]![0]!["reinvocationPolicy"] = "IfNeeded";
        await CreateAsync(Mutating, a);
        await CreateAsync(Mutating, Configuration("MutatingWebhookConfiguration", "b.example.com", second.Url("/b"), second.CaBundle));

        var created = await EventuallyAsync(() => CreateConfigMapAsync("re"), r => Label(r.Body, "second") == "1");

        var seenByFirst = first.Requests.Where(r => r["name"]!.GetValue<string>() == created.Name).ToList();
        Assert.That(seenByFirst, Has.Count.EqualTo(2));
        Assert.That(seenByFirst[1]["object"]!["metadata"]!["labels"]!["second"]!.GetValue<string>(), Is.EqualTo("1"));
    }

    [Test]
    public async Task WebhookWarnings_BecomeWarningHeaders()
    {
        var webhook = await StartWebhookAsync((_, _) => new JsonObject { ["allowed"] = true, ["warnings"] = new JsonArray("mind the gap") });
        await CreateAsync(Validating, Configuration("ValidatingWebhookConfiguration", "warn.example.com", webhook.Url("/validate"), webhook.CaBundle));
        await EventuallyAsync(() => CreateConfigMapAsync("w0"), _ => !webhook.Requests.IsEmpty);

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Server.Server.Address, ConfigMaps))
        {
            Content = new StringContent("""{"metadata":{"name":"warned"}}""", Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        using var response = await Client.HttpClient.SendAsync(request);

        Assert.That((int)response.StatusCode, Is.EqualTo(201));
        Assert.That(response.Headers.GetValues("Warning"), Does.Contain("299 - \"mind the gap\""));
    }

    [Test]
    public async Task WebhookConfigurations_AreNeverSentToWebhooks_SoABrokenOneCanBeRemoved()
    {
        var configuration = Configuration("ValidatingWebhookConfiguration", "broken.example.com", "https://127.0.0.1:1/nowhere", null);
        configuration["webhooks"]![0]!["rules"]![0]!["apiGroups"] = new JsonArray("*");
        configuration["webhooks"]![0]!["rules"]![0]!["resources"] = new JsonArray("*/*");
        await CreateAsync(Validating, configuration);
        await EventuallyAsync(() => CreateConfigMapAsync("blocked"), r => r.Code == 500);

        Assert.That((await SendAsync(HttpMethod.Delete, Validating + "/broken.example.com")).Code, Is.EqualTo(200));
    }

    [Test]
    public async Task InvalidConfiguration_Gets422WithUpstreamCauses()
    {
        var configuration = Configuration("ValidatingWebhookConfiguration", "bad", "http://example.com/x", null);
        var hook = configuration["webhooks"]![0]!.AsObject();
        hook.Remove("sideEffects");
        hook["matchConditions"] = new JsonArray(new JsonObject { ["name"] = "c", ["expression"] = "frob > 1" });

        var refused = await SendAsync(HttpMethod.Post, Validating, configuration.ToJsonString());

        Assert.That(refused.Code, Is.EqualTo(422), refused.Body);
        var message = RawHttp.Json(refused.Body)["message"]!.GetValue<string>();
        Assert.That(message, Does.StartWith("ValidatingWebhookConfiguration.admissionregistration.k8s.io \"bad\" is invalid: ["));
        Assert.That(message, Does.Contain("webhooks[0].name: Invalid value: \"bad\": should be a domain with at least three segments separated by dots"));
        Assert.That(message, Does.Contain("webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun"));
        Assert.That(message, Does.Contain("webhooks[0].clientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme; desired format: https://host[/path]"));
        Assert.That(message, Does.Contain("webhooks[0].matchConditions[0].expression: Invalid value: \"frob > 1\": compilation failed: ERROR: <input>:1:1: undeclared reference to 'frob'"));
    }

    [Test]
    public async Task Table_ShowsNameWebhooksAge()
    {
        await CreateAsync(Mutating, Configuration("MutatingWebhookConfiguration", "table.example.com", "https://127.0.0.1:1/x", null));

        var table = await SendAsync(HttpMethod.Get, Mutating, accept: "application/json;as=Table;v=v1;g=meta.k8s.io");

        var json = RawHttp.Json(table.Body);
        Assert.That(json["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "Name", "Webhooks", "Age" }));
        Assert.That(json["rows"]![0]!["cells"]![1]!.GetValue<long>(), Is.EqualTo(1));
    }

    private async Task<TestWebhookServer> StartWebhookAsync(Func<string, JsonObject, JsonObject> handler, IReadOnlyCollection<string>? names = null) =>
        await StartWebhookAsync((path, request) => Task.FromResult(handler(path, request)), names);

    private async Task<TestWebhookServer> StartWebhookAsync(Func<string, JsonObject, Task<JsonObject>> handler, IReadOnlyCollection<string>? names = null)
    {
        var directory = Path.Combine(Server.Directory, "webhook-" + _webhooks.Count.ToString(CultureInfo.InvariantCulture));
        var webhook = await TestWebhookServer.StartAsync(directory, handler, names);
        _webhooks.Add(webhook);
        return webhook;
    }

    /// <summary>A configuration with one webhook on configmap creates and updates.</summary>
    private static JsonObject Configuration(string kind, string name, string? url, byte[]? caBundle)
    {
        var clientConfig = new JsonObject();
        if (url is not null)
        {
            clientConfig["url"] = url;
        }
        if (caBundle is not null)
        {
            clientConfig["caBundle"] = Convert.ToBase64String(caBundle);
        }
        return new JsonObject
        {
            ["apiVersion"] = "admissionregistration.k8s.io/v1",
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = name },
            ["webhooks"] = new JsonArray(new JsonObject
            {
                ["name"] = name,
                ["clientConfig"] = clientConfig,
                ["rules"] = new JsonArray(new JsonObject
                {
                    ["operations"] = new JsonArray("CREATE", "UPDATE"),
                    ["apiGroups"] = new JsonArray(""),
                    ["apiVersions"] = new JsonArray("v1"),
                    ["resources"] = new JsonArray("configmaps"),
                }),
                ["sideEffects"] = "None",
                ["admissionReviewVersions"] = new JsonArray("v1"),
            }),
        };
    }

    private async Task<JsonObject> CreateAsync(string collection, JsonObject configuration)
    {
        var created = await SendAsync(HttpMethod.Post, collection, configuration.ToJsonString());
        Assert.That(created.Code, Is.EqualTo(201), created.Body);
        return RawHttp.Json(created.Body);
    }

    private int _serial;

    /// <summary>Creates a ConfigMap with a fresh name (prefix-N), so retried attempts never collide.</summary>
    private Task<Result> CreateConfigMapAsync(string prefix, string query = "", string ns = "default", string labels = "{}") =>
        CreateNamedConfigMapAsync($"{prefix}-{Interlocked.Increment(ref _serial).ToString(CultureInfo.InvariantCulture)}", ns, query, labels);

    private async Task<Result> CreateNamedConfigMapAsync(string name, string ns, string query = "", string labels = "{}")
    {
        var body = $$$"""{"metadata":{"name":"{{{name}}}","labels":{{{labels}}}},"data":{"k":"v"}}""";
        var (code, text) = await SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps{query}", body);
        return new Result(name, code, text);
    }

    /// <summary>Repeats a write until it shows the expected effect: configurations reach the webhook plugins through the watch cache.</summary>
    private static async Task<Result> EventuallyAsync(Func<Task<Result>> attempt, Func<Result, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var result = await attempt();
            if (done(result) || DateTime.UtcNow > deadline)
            {
                return result;
            }
            await Task.Delay(50);
        }
    }

    private static string? Label(string body, string key) => (RawHttp.Json(body)["metadata"]?["labels"]?[key] as JsonValue)?.GetValue<string>();

    private async Task<(int Code, string Body)> SendAsync(HttpMethod method, string path, string? body = null, string? accept = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(Server.Server.Address, path));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }
        using var response = await Client.HttpClient.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private sealed record Result(string Name, int Code, string Body);
}
