using k8s;
using k8s.Models;
using static MiniKube.Controllers.Tests.Common.ClusterHarness;

namespace MiniKube.Controllers.Tests.Endpoints;

/// <summary>The Endpoints and EndpointSlice controllers against an in-process API server, pods reported by hand.</summary>
[Category("Integration")]
public sealed class EndpointsIntegrationTests
{
    [Test]
    public async Task ServiceWithPods_GetsEndpointsAndSlice_WithReadyAndNotReadyAddresses_RemovedWithTheService()
    {
        await using var harness = await StartControllersAsync(["endpoint", "endpointslice"]);
        var client = harness.Client;
        var labels = new Dictionary<string, string> { ["app"] = "web" };
        await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec { Selector = labels, Ports = [new V1ServicePort { Name = "http", Port = 80, TargetPort = "http" }] },
        }, "default");
        var ports = new List<V1ContainerPort> { new() { Name = "http", ContainerPort = 8080 } };
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web-1", labels, ports: ports), "default");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web-2", labels, ports: ports), "default");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web-3", labels, ports: ports), "default");
        await harness.ReportPodAsync("default", "web-1", "10.42.0.11", ready: true);
        await harness.ReportPodAsync("default", "web-2", "10.42.0.12", ready: false);

        var endpoints = await harness.EventuallyAsync(() => client.CoreV1.ReadNamespacedEndpointsAsync("web", "default"),
            e => e?.Subsets is { Count: 1 } s && s[0].Addresses?.Count == 1 && s[0].NotReadyAddresses?.Count == 1, "endpoints with one ready and one not-ready address");
        Assert.That(endpoints.Subsets[0].Addresses[0].Ip, Is.EqualTo("10.42.0.11"));
        Assert.That(endpoints.Subsets[0].Addresses[0].TargetRef.Name, Is.EqualTo("web-1"));
        Assert.That(endpoints.Subsets[0].NotReadyAddresses[0].Ip, Is.EqualTo("10.42.0.12"));
        Assert.That(endpoints.Subsets[0].Ports.Single().Port, Is.EqualTo(8080));

        var slices = await harness.EventuallyAsync(() => client.DiscoveryV1.ListNamespacedEndpointSliceAsync("default", labelSelector: "kubernetes.io/service-name=web"),
            l => l?.Items is { Count: 1 } items && items[0].Endpoints?.Count == 2, "one slice with two endpoints");
        var slice = slices.Items[0];
        Assert.That(slice.Metadata.Name, Does.StartWith("web-"));
        Assert.That(slice.Endpoints.Single(e => e.TargetRef.Name == "web-1").Conditions.Ready, Is.True);
        Assert.That(slice.Endpoints.Single(e => e.TargetRef.Name == "web-2").Conditions.Ready, Is.False);

        // web-2 turns ready: the same slice is updated in place.
        await harness.ReportPodAsync("default", "web-2", "10.42.0.12", ready: true);
        await harness.EventuallyAsync(() => client.CoreV1.ReadNamespacedEndpointsAsync("web", "default"),
            e => e?.Subsets is { Count: 1 } s && s[0].Addresses?.Count == 2 && s[0].NotReadyAddresses is null or { Count: 0 }, "both addresses ready");
        var after = await harness.EventuallyAsync(() => client.DiscoveryV1.ListNamespacedEndpointSliceAsync("default", labelSelector: "kubernetes.io/service-name=web"),
            l => l?.Items is { Count: 1 } items && items[0].Endpoints.All(e => e.Conditions.Ready == true), "slice with both ready");
        Assert.That(after.Items[0].Metadata.Name, Is.EqualTo(slice.Metadata.Name));

        await harness.DeleteAsync("api/v1/namespaces/default/services/web");
        await harness.EventuallyGoneAsync(async () => await client.CoreV1.ReadNamespacedEndpointsAsync("web", "default"), "endpoints of the deleted service");
        await harness.EventuallyAsync(() => client.DiscoveryV1.ListNamespacedEndpointSliceAsync("default", labelSelector: "kubernetes.io/service-name=web"),
            l => l?.Items is { Count: 0 }, "slices of the deleted service gone");

        var kubernetes = await client.CoreV1.ReadNamespacedEndpointsAsync("kubernetes", "default");
        Assert.That(kubernetes, Is.Not.Null, "the API server's own endpoints are left alone");
        var apiSlice = await client.DiscoveryV1.ReadNamespacedEndpointSliceAsync("kubernetes", "default");
        Assert.That(apiSlice.Endpoints.Single().Addresses, Is.EqualTo(kubernetes.Subsets.Single().Addresses.Select(a => a.Ip)), "and so is its EndpointSlice, which the service proxy routes by");
    }
}
