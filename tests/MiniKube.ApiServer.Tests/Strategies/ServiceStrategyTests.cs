using System.Text.Json.Nodes;
using MiniKube.ApiServer.Tests.Integration;

namespace MiniKube.ApiServer.Tests.Strategies;

/// <summary>
/// spec.healthCheckNodePort through the HTTP surface: allocated for a Local LoadBalancer from the
/// node port range, a requested one honoured or refused when taken, released when the Service no
/// longer needs it or is deleted (pkg/registry/core/service/storage/alloc.go).
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class ServiceStrategyTests : ApiServerFixture
{
    private const string Services = "/api/v1/namespaces/default/services";

    private static string LoadBalancer(string name, string policy, string extra = "") =>
        $$$"""{"apiVersion":"v1","kind":"Service","metadata":{"name":"{{{name}}}"},"spec":{"type":"LoadBalancer","externalTrafficPolicy":"{{{policy}}}"{{{extra}}},"selector":{"app":"web"},"ports":[{"port":80}]}}""";

    [Test]
    public async Task Create_LocalLoadBalancer_GetsAHealthCheckNodePort_ReleasedOnDelete()
    {
        var (code, body) = await SendAsync(HttpMethod.Post, Services, LoadBalancer("web", "Local"), "application/json");

        Assert.That(code, Is.EqualTo(201), body);
        var spec = JsonNode.Parse(body)!["spec"]!;
        var health = spec["healthCheckNodePort"]!.GetValue<int>();
        Assert.That(health, Is.InRange(30000, 32767));
        Assert.That(health, Is.Not.EqualTo(spec["ports"]![0]!["nodePort"]!.GetValue<int>()));
        Assert.That(await NodePortClaimsAsync(), Is.EqualTo(2), "the node port and the health-check port");
        Assert.That((await SendAsync(HttpMethod.Delete, Services + "/web", null, null)).Code, Is.EqualTo(200));
        Assert.That(await NodePortClaimsAsync(), Is.Zero);
    }

    [Test]
    public async Task Create_ClusterPolicyLoadBalancer_GetsNone()
    {
        var (code, body) = await SendAsync(HttpMethod.Post, Services, LoadBalancer("web", "Cluster"), "application/json");

        Assert.That(code, Is.EqualTo(201), body);
        Assert.That(JsonNode.Parse(body)!["spec"]!["healthCheckNodePort"], Is.Null);
    }

    [Test]
    public async Task Create_RequestedPort_IsHonoured_AndRefusedToTheNextService()
    {
        var first = await SendAsync(HttpMethod.Post, Services, LoadBalancer("one", "Local", ",\"healthCheckNodePort\":31999"), "application/json");
        Assert.That(first.Code, Is.EqualTo(201), first.Body);
        Assert.That(JsonNode.Parse(first.Body)!["spec"]!["healthCheckNodePort"]!.GetValue<int>(), Is.EqualTo(31999));

        var (code, body) = await SendAsync(HttpMethod.Post, Services, LoadBalancer("two", "Local", ",\"healthCheckNodePort\":31999"), "application/json");

        Assert.That(code, Is.EqualTo(422), body);
        Assert.That(body, Does.Contain("spec.healthCheckNodePort: Invalid value: 31999: failed to allocate requested HealthCheck NodePort 31999: provided port is already allocated"));
        Assert.That(await NodePortClaimsAsync(), Is.EqualTo(2), "one's two ports; two's node port was given back");
    }

    [Test]
    public async Task Create_RequestedPortEqualToItsOwnNodePort_IsRefused()
    {
        var service = LoadBalancer("web", "Local", ",\"healthCheckNodePort\":31000").Replace("{\"port\":80}", "{\"port\":80,\"nodePort\":31000}", StringComparison.Ordinal);

        var (code, body) = await SendAsync(HttpMethod.Post, Services, service, "application/json");

        Assert.That(code, Is.EqualTo(422), body);
        Assert.That(body, Does.Contain("provided port is already allocated"));
    }

    [Test]
    public async Task Update_ToClusterPolicy_DropsAndReleasesThePort_BackToLocal_AllocatesAgain()
    {
        Assert.That((await SendAsync(HttpMethod.Post, Services, LoadBalancer("web", "Local"), "application/json")).Code, Is.EqualTo(201));

        var (code, body) = await SendAsync(HttpMethod.Patch, Services + "/web", "{\"spec\":{\"externalTrafficPolicy\":\"Cluster\"}}", "application/merge-patch+json");

        Assert.That(code, Is.EqualTo(200), body);
        Assert.That(JsonNode.Parse(body)!["spec"]!["healthCheckNodePort"], Is.Null);
        Assert.That(await NodePortClaimsAsync(), Is.EqualTo(1));
        var back = await SendAsync(HttpMethod.Patch, Services + "/web", "{\"spec\":{\"externalTrafficPolicy\":\"Local\"}}", "application/merge-patch+json");
        Assert.That(back.Code, Is.EqualTo(200), back.Body);
        Assert.That(JsonNode.Parse(back.Body)!["spec"]!["healthCheckNodePort"]!.GetValue<int>(), Is.InRange(30000, 32767));
        Assert.That(await NodePortClaimsAsync(), Is.EqualTo(2));
    }

    [Test]
    public async Task Update_PutWithoutThePort_KeepsIt()
    {
        var created = await SendAsync(HttpMethod.Post, Services, LoadBalancer("web", "Local"), "application/json");
        var stored = JsonNode.Parse(created.Body)!.AsObject();
        var health = stored["spec"]!["healthCheckNodePort"]!.GetValue<int>();
        stored["spec"]!.AsObject().Remove("healthCheckNodePort");
        stored["metadata"]!["labels"] = new JsonObject { ["changed"] = "yes" };

        var (code, body) = await SendAsync(HttpMethod.Put, Services + "/web", stored.ToJsonString(), "application/json");

        Assert.That(code, Is.EqualTo(200), body);
        Assert.That(JsonNode.Parse(body)!["spec"]!["healthCheckNodePort"]!.GetValue<int>(), Is.EqualTo(health));
        Assert.That(await NodePortClaimsAsync(), Is.EqualTo(2));
    }

    [Test]
    public async Task Update_ChangingThePort_IsForbidden()
    {
        Assert.That((await SendAsync(HttpMethod.Post, Services, LoadBalancer("web", "Local", ",\"healthCheckNodePort\":31999"), "application/json")).Code, Is.EqualTo(201));

        var (code, body) = await SendAsync(HttpMethod.Patch, Services + "/web", "{\"spec\":{\"healthCheckNodePort\":31998}}", "application/merge-patch+json");

        Assert.That(code, Is.EqualTo(422), body);
        Assert.That(body, Does.Contain("spec.healthCheckNodePort: Forbidden: field is immutable"));
    }

    [Test]
    public async Task Create_SourceRanges_AreValidated()
    {
        var (code, body) = await SendAsync(HttpMethod.Post, Services, LoadBalancer("web", "Cluster", ",\"loadBalancerSourceRanges\":[\"10.0.0.0/8\",\"bad\"]"), "application/json");

        Assert.That(code, Is.EqualTo(422), body);
        Assert.That(body, Does.Contain("spec.LoadBalancerSourceRanges[1]: Invalid value: \\\"bad\\\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
        Assert.That(await NodePortClaimsAsync(), Is.Zero, "nothing is claimed for an invalid Service");
    }

    private async Task<long> NodePortClaimsAsync() => await Server.Store.CountAsync("/registry/mkube/servicenodeports/", CancellationToken.None);

    private Task<(int Code, string Body)> SendAsync(HttpMethod method, string path, string? body, string? contentType) =>
        RawHttp.SendAsync(Client, Server.Server.Address, method, path, body, contentType);
}
