using System.Text.Json.Nodes;
using MiniKube.Testing;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// API aggregation against a real HTTPS extension API server started by the test: Local
/// APIServices for the built-in groups, the extension-apiserver-authentication ConfigMap, and a
/// service-backed APIService that becomes Available, appears in /apis (legacy and aggregated),
/// is proxied to with the caller's identity (GET, list, watch as it streams), and goes
/// unavailable (503) when its server stops.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class ApiAggregationTests : ApiServerFixture
{
    private const string Group = "metrics.example.com";
    private const string Version = "v1beta1";
    private const string ApiServicePath = "/apis/apiregistration.k8s.io/v1/apiservices";
    private const string TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io";
    private const string AggregatedAccept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

    [Test]
    public async Task BuiltInGroups_HaveLocalApiServices_AvailableWithUpstreamPriorities()
    {
        var apps = Json((await SendAsync(HttpMethod.Get, ApiServicePath + "/v1.apps")).Body);
        var core = Json((await SendAsync(HttpMethod.Get, ApiServicePath + "/v1.")).Body);
        var table = Json((await SendAsync(HttpMethod.Get, ApiServicePath, accept: TableAccept)).Body);

        Assert.That(apps["spec"]!.ToJsonString(), Is.EqualTo("""{"group":"apps","version":"v1","groupPriorityMinimum":17800,"versionPriority":15}"""));
        Assert.That(apps["metadata"]!["labels"]!["kube-aggregator.kubernetes.io/automanaged"]!.GetValue<string>(), Is.EqualTo("onstart"));
        Assert.That(apps["status"]!["conditions"]![0]!["reason"]!.GetValue<string>(), Is.EqualTo("Local"));
        Assert.That(core["spec"]!["groupPriorityMinimum"]!.GetValue<long>(), Is.EqualTo(18000));
        var columns = table["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>());
        Assert.That(columns, Is.EqualTo(new[] { "Name", "Service", "Available", "Age" }));
        var row = table["rows"]!.AsArray().Select(r => r!["cells"]!.AsArray()).Single(c => c[0]!.GetValue<string>() == "v1.apps");
        Assert.That(row.Take(3).Select(c => c!.ToString()), Is.EqualTo(new[] { "v1.apps", "Local", "True" }));
    }

    [Test]
    public async Task ExtensionAuthentication_IsPublished_WithTheFrontProxyCa()
    {
        var configMap = Json((await SendAsync(HttpMethod.Get, "/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication")).Body);

        var data = configMap["data"]!.AsObject();
        Assert.That(data["requestheader-username-headers"]!.GetValue<string>(), Is.EqualTo("[\"X-Remote-User\"]"));
        Assert.That(data["requestheader-group-headers"]!.GetValue<string>(), Is.EqualTo("[\"X-Remote-Group\"]"));
        Assert.That(data["requestheader-extra-headers-prefix"]!.GetValue<string>(), Is.EqualTo("[\"X-Remote-Extra-\"]"));
        Assert.That(data["requestheader-allowed-names"]!.GetValue<string>(), Is.EqualTo("[\"system:auth-proxy\"]"));
        Assert.That(data["requestheader-client-ca-file"]!.GetValue<string>(), Is.EqualTo(Server.Pki.FrontProxyCa.ExportCertificatePem()));
        Assert.That(data["client-ca-file"]!.GetValue<string>(), Is.EqualTo(Server.Pki.Ca.ExportCertificatePem()));
    }

    [Test]
    public async Task ApiService_WithBadName_Is422()
    {
        var created = await SendAsync(HttpMethod.Post, ApiServicePath,
            """{"apiVersion":"apiregistration.k8s.io/v1","kind":"APIService","metadata":{"name":"v1.wrong.io"},"spec":{"group":"x.io","version":"v1","groupPriorityMinimum":100,"versionPriority":10,"service":{"namespace":"default","name":"s"},"insecureSkipTLSVerify":true}}""");

        Assert.That(created.Code, Is.EqualTo(422), created.Body);
        Assert.That(Json(created.Body)["message"]!.GetValue<string>(), Does.Contain("metadata.name: Invalid value: \"v1.wrong.io\": must be `spec.version+\".\"+spec.group`: \"v1.x.io\""));
    }

    [Test]
    public async Task ExtensionServer_IsDiscoveredProxiedWatchedAndGoesUnavailableWhenStopped()
    {
        await using var extension = await ExtensionApiServer.StartAsync(Group, Version, "default", "ext");
        var (service, endpoints, apiService) = extension.Objects("default", "ext");
        Assert.That((await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/services", service.ToJsonString())).Code, Is.EqualTo(201));
        Assert.That((await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/endpoints", endpoints.ToJsonString())).Code, Is.EqualTo(201));
        var created = await SendAsync(HttpMethod.Post, ApiServicePath, apiService.ToJsonString());
        Assert.That(created.Code, Is.EqualTo(201), created.Body);

        var available = await WaitForConditionAsync("True");
        Assert.That(available["reason"]!.GetValue<string>(), Is.EqualTo("Passed"));
        var check = extension.Requests.First(r => r.Path == $"/apis/{Group}/{Version}");
        Assert.That(check.ClientCertificate, Is.EqualTo("CN=system:auth-proxy"));

        // Discovery: legacy /apis names the group; the aggregated document carries its resources.
        var groups = Json((await SendAsync(HttpMethod.Get, "/apis")).Body)["groups"]!.AsArray();
        var group = groups.Single(g => g!["name"]!.GetValue<string>() == Group)!;
        Assert.That(group["preferredVersion"]!["groupVersion"]!.GetValue<string>(), Is.EqualTo($"{Group}/{Version}"));
        var aggregated = await SendAsync(HttpMethod.Get, "/apis", accept: AggregatedAccept);
        var item = Json(aggregated.Body)["items"]!.AsArray().Single(i => i!["metadata"]!["name"]!.GetValue<string>() == Group)!;
        var resource = item["versions"]![0]!["resources"]![0]!;
        Assert.That(resource.ToJsonString(), Is.EqualTo("""{"resource":"widgets","responseKind":{"group":"metrics.example.com","version":"v1beta1","kind":"Widget"},"scope":"Namespaced","singularResource":"widget","verbs":["get","list","watch"],"shortNames":["wdg"]}"""));
        var groupDocument = Json((await SendAsync(HttpMethod.Get, $"/apis/{Group}")).Body);
        Assert.That(groupDocument["kind"]!.GetValue<string>(), Is.EqualTo("APIGroup"));

        // Proxying: the request reaches the server as the caller, not with the caller's credentials.
        var got = await SendAsync(HttpMethod.Get, $"/apis/{Group}/{Version}/namespaces/default/widgets/w7");
        Assert.That(got.Code, Is.EqualTo(200), got.Body);
        Assert.That(Json(got.Body)["spec"]!["seenUser"]!.GetValue<string>(), Is.EqualTo("admin"));
        Assert.That(Json(got.Body)["spec"]!["seenGroups"]!.AsArray().Select(g => g!.GetValue<string>()), Is.EqualTo(new[] { "system:masters", "system:authenticated" }));
        var seen = extension.Requests.Last(r => r.Path.EndsWith("/widgets/w7", StringComparison.Ordinal));
        Assert.That(seen.HadAuthorization, Is.False);
        Assert.That(seen.ClientCertificate, Is.EqualTo("CN=system:auth-proxy"));

        // A watch is passed on as it streams: the first event arrives before the server ends the stream.
        using (var watch = new HttpRequestMessage(HttpMethod.Get, new Uri(Server.Server.Address, $"/apis/{Group}/{Version}/namespaces/default/widgets?watch=true")))
        {
            using var response = await Client.HttpClient.SendAsync(watch, HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            var first = await reader.ReadLineAsync();
            Assert.That(extension.Requests.Last().Query, Does.Contain("watch=true"));
            Assert.That(first, Does.StartWith("{\"type\":\"ADDED\""));
            Assert.That(await reader.ReadLineAsync(), Does.StartWith("{\"type\":\"MODIFIED\""));
        }

        // Stopped: a change to the APIService gets it checked again at once (as upstream's informer events do).
        await extension.StopAsync();
        var touched = await SendAsync(HttpMethod.Patch, ApiServicePath + $"/{Version}.{Group}", """{"metadata":{"annotations":{"touched":"1"}}}""", "application/merge-patch+json");
        Assert.That(touched.Code, Is.EqualTo(200), touched.Body);
        var unavailable = await WaitForConditionAsync("False");
        Assert.That(unavailable["reason"]!.GetValue<string>(), Is.EqualTo("FailedDiscoveryCheck"));
        Assert.That(unavailable["message"]!.GetValue<string>(), Does.StartWith($"failing or missing response from https://127.0.0.1:{extension.Port}/apis/{Group}/{Version}").And.Contain("connection refused"));
        var refused = await SendAsync(HttpMethod.Get, $"/apis/{Group}/{Version}/namespaces/default/widgets");
        Assert.That(refused.Code, Is.EqualTo(503), refused.Body);
        Assert.That(Json(refused.Body)["reason"]!.GetValue<string>(), Is.EqualTo("ServiceUnavailable"));
        var table = Json((await SendAsync(HttpMethod.Get, ApiServicePath + $"/{Version}.{Group}", accept: TableAccept)).Body);
        Assert.That(table["rows"]![0]!["cells"]!.AsArray().Take(3).Select(c => c!.ToString()), Is.EqualTo(new[] { $"{Version}.{Group}", "default/ext", "False (FailedDiscoveryCheck)" }));
    }

    [Test]
    public async Task ApiService_WhoseServiceIsMissing_IsUnavailableWithServiceNotFound()
    {
        var created = await SendAsync(HttpMethod.Post, ApiServicePath,
            """{"apiVersion":"apiregistration.k8s.io/v1","kind":"APIService","metadata":{"name":"VERSION.GROUP"},"spec":{"group":"GROUP","version":"VERSION","groupPriorityMinimum":100,"versionPriority":10,"service":{"namespace":"default","name":"absent"},"insecureSkipTLSVerify":true}}"""
                .Replace("GROUP", Group, StringComparison.Ordinal).Replace("VERSION", Version, StringComparison.Ordinal));
        Assert.That(created.Code, Is.EqualTo(201), created.Body);

        var condition = await WaitForConditionAsync("False");
        var proxied = await SendAsync(HttpMethod.Get, $"/apis/{Group}/{Version}/namespaces/default/widgets");

        Assert.That(condition["reason"]!.GetValue<string>(), Is.EqualTo("ServiceNotFound"));
        Assert.That(condition["message"]!.GetValue<string>(), Is.EqualTo("service/absent in \"default\" is not present"));
        Assert.That(Json(created.Body)["spec"]!["service"]!["port"]!.GetValue<long>(), Is.EqualTo(443));
        Assert.That(proxied.Code, Is.EqualTo(503), proxied.Body);
    }

    [Test]
    public async Task ApiService_WhoseServiceHasNoUsableEndpoints_SaysWhyAsUpstream()
    {
        const string Service = """{"apiVersion":"v1","kind":"Service","metadata":{"name":"ext","namespace":"default"},"spec":{"ports":[{"name":"https","port":443}]}}""";
        Assert.That((await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/services", Service)).Code, Is.EqualTo(201));
        var apiService = """{"apiVersion":"apiregistration.k8s.io/v1","kind":"APIService","metadata":{"name":"VERSION.GROUP"},"spec":{"group":"GROUP","version":"VERSION","groupPriorityMinimum":100,"versionPriority":10,"service":{"namespace":"default","name":"ext","port":PORT},"insecureSkipTLSVerify":true}}"""
            .Replace("GROUP", Group, StringComparison.Ordinal).Replace("VERSION", Version, StringComparison.Ordinal);
        Assert.That((await SendAsync(HttpMethod.Post, ApiServicePath, apiService.Replace("PORT", "443", StringComparison.Ordinal))).Code, Is.EqualTo(201));

        var noEndpoints = await WaitForConditionAsync("False");
        Assert.That((noEndpoints["reason"]!.GetValue<string>(), noEndpoints["message"]!.GetValue<string>()),
            Is.EqualTo(("EndpointsNotFound", "cannot find endpoints for service/ext in \"default\"")));

        const string Endpoints = """{"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"ext","namespace":"default"},"subsets":[{"addresses":[{"ip":"127.0.0.1"}],"ports":[{"name":"metrics","port":4443}]}]}""";
        Assert.That((await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/endpoints", Endpoints)).Code, Is.EqualTo(201));
        var missing = await WaitForReasonAsync("MissingEndpoints");
        Assert.That(missing["message"]!.GetValue<string>(), Is.EqualTo("endpoints for service/ext in \"default\" have no addresses with port name \"https\""));

        var moved = await SendAsync(HttpMethod.Patch, ApiServicePath + $"/{Version}.{Group}", """{"spec":{"service":{"port":8443}}}""", "application/merge-patch+json");
        Assert.That(moved.Code, Is.EqualTo(200), moved.Body);
        var wrongPort = await WaitForReasonAsync("ServicePortError");
        Assert.That(wrongPort["message"]!.GetValue<string>(), Is.EqualTo("service/ext in \"default\" is not listening on port 8443"));
    }

    private async Task<JsonObject> WaitForReasonAsync(string reason)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var condition = await WaitForConditionAsync("False");
            if (condition["reason"]!.GetValue<string>() == reason)
            {
                return condition;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"reason did not become {reason}: {condition.ToJsonString()}");
            }
            await Task.Delay(200);
        }
    }

    private async Task<JsonObject> WaitForConditionAsync(string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var current = Json((await SendAsync(HttpMethod.Get, ApiServicePath + $"/{Version}.{Group}")).Body);
            if (current["status"]?["conditions"]?.AsArray().FirstOrDefault(c => c!["type"]!.GetValue<string>() == "Available") is JsonObject condition
                && condition["status"]!.GetValue<string>() == status)
            {
                return condition;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Available did not become {status}: {current.ToJsonString()}");
            }
            await Task.Delay(200);
        }
    }

    private static JsonObject Json(string text) => RawHttp.Json(text);

    private Task<(int Code, string Body)> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json", string? accept = null) =>
        RawHttp.SendAsync(Client, Server.Server.Address, method, path, body, contentType, accept);
}
