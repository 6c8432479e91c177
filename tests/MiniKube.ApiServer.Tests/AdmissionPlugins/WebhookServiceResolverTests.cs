using System.Text.Json.Nodes;
using MiniKube.ApiServer.AdmissionPlugins;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Webhooks;

namespace MiniKube.ApiServer.Tests.AdmissionPlugins;

/// <summary>A webhook's Service resolved through its Endpoints or EndpointSlices, with upstream's messages when it cannot be.</summary>
[TestFixture]
public sealed class WebhookServiceResolverTests : EmbeddedStoreFixture
{
    private WebhookServiceResolver _resolver = null!;

    [SetUp]
    public async Task Prepare()
    {
        _resolver = new WebhookServiceResolver(new CachedReads(Store, null));
        await PutAsync("", "services", "hook", """{"spec":{"ports":[{"name":"https","port":443,"targetPort":9443}]}}""");
        await PutAsync("", "services", "external", """{"spec":{"type":"ExternalName","externalName":"example.com"}}""");
    }

    [Test]
    public async Task Resolve_Endpoints_AddressOnTheSubsetPortNamedLikeTheServicePort()
    {
        await PutAsync("", "endpoints", "hook", """
            {"subsets":[{"addresses":[{"ip":"10.1.0.5"}],"notReadyAddresses":[{"ip":"10.1.0.6"}],"ports":[{"name":"metrics","port":9090},{"name":"https","port":9443}]}]}
            """);

        Assert.That(await _resolver.ResolveAsync(new WebhookService("default", "hook", 443), CancellationToken.None), Is.EqualTo(("10.1.0.5", 9443)));
    }

    [Test]
    public async Task Resolve_NoEndpointsObject_ReadyEndpointSlices()
    {
        await PutAsync("discovery.k8s.io", "endpointslices", "hook-abc", """
            {"metadata":{"labels":{"kubernetes.io/service-name":"hook"}},"addressType":"IPv4","ports":[{"name":"https","port":9443}],
             "endpoints":[{"addresses":["10.1.0.7"],"conditions":{"ready":false}},{"addresses":["10.1.0.8"],"conditions":{"ready":true}}]}
            """);

        Assert.That(await _resolver.ResolveAsync(new WebhookService("default", "hook", 443), CancellationToken.None), Is.EqualTo(("10.1.0.8", 9443)));
    }

    [TestCase("missing", 443, "service \"missing\" not found")]
    [TestCase("hook", 8443, "no service port 8443 found for service \"hook\"")]
    [TestCase("hook", 443, "no endpoints available for service \"hook\"")]
    [TestCase("external", 443, "unsupported service type \"ExternalName\"")]
    public void Resolve_Unreachable_UpstreamMessages(string name, int port, string message)
    {
        var error = Assert.ThrowsAsync<ServiceResolutionException>(() => _resolver.ResolveAsync(new WebhookService("default", name, port), CancellationToken.None));

        Assert.That(error!.Message, Is.EqualTo(message));
    }

    private async Task PutAsync(string group, string resource, string name, string json)
    {
        var type = ResourceCatalog.Find(group, "v1", resource)!;
        var obj = JsonNode.Parse(json)!.AsObject();
        var metadata = obj["metadata"] as JsonObject ?? [];
        metadata["name"] = name;
        metadata["namespace"] = "default";
        obj["metadata"] = metadata;
        await Store.CreateAsync(ResourceRegistry.Key(type, "default", name), ObjectCodec.Encode(obj), 0, CancellationToken.None);
    }
}
