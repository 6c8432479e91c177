using MiniKube.Testing;
using k8s;
using k8s.Models;
using MiniKube.Controllers.Endpoints;
using static MiniKube.Controllers.Tests.EndpointObjects;

namespace MiniKube.Controllers.Tests.Endpoints;

public sealed class EndpointsControllerTests
{
    private static async Task<(ControllerHarness World, EndpointsController Controller)> StartAsync(V1Service? service, V1Endpoints[] endpoints, params V1Pod[] pods)
    {
        var world = new ControllerHarness().Seed(service is null ? [] : new[] { service }).Seed(pods).Seed(endpoints);
        var controller = new EndpointsController(world.Context);
        await world.StartAsync();
        return (world, controller);
    }

    [Test]
    public async Task SyncAsync_ReadyAndNotReadyPods_CreatesEndpointsWithBoth()
    {
        var (world, controller) = await StartAsync(Service(), [],
            Pod("ready", "10.42.0.2", ready: true),
            Pod("starting", "10.42.0.3", ready: false),
            Pod("no-ip", null, ready: false),
            Pod("done", "10.42.0.4", ready: false, phase: "Succeeded"),
            Pod("leaving", "10.42.0.5", ready: true, terminating: true),
            Pod("other", "10.42.0.6", ready: true, labels: new Dictionary<string, string> { ["app"] = "db" }));
        await using var _ = world;

        await controller.SyncAsync(NamespacedName.Parse("default/web"), CancellationToken.None);

        Assert.That(world.Api.Writes.Select(c => c.ToString()), Is.EqualTo(new[] { "POST /api/v1/namespaces/default/endpoints" }));
        var written = KubernetesJson.Deserialize<V1Endpoints>(world.Api.Writes[0].Body!);
        Assert.That(written.Metadata.Name, Is.EqualTo("web"));
        Assert.That(written.Metadata.Labels["tier"], Is.EqualTo("front"), "the service's labels");
        Assert.That(written.Metadata.Labels[EndpointsController.ManagedByLabel], Is.EqualTo("endpoint-controller"));
        Assert.That(written.Metadata.Labels.ContainsKey("service.kubernetes.io/headless"), Is.False);
        Assert.That(written.Metadata.Annotations["endpoints.kubernetes.io/last-change-trigger-time"], Is.EqualTo("2025-01-01T00:05:00Z"));
        var subset = written.Subsets.Single();
        Assert.That(subset.Addresses.Select(a => a.Ip), Is.EqualTo(new[] { "10.42.0.2" }));
        Assert.That(subset.NotReadyAddresses.Select(a => a.Ip), Is.EqualTo(new[] { "10.42.0.3" }));
        Assert.That(subset.Addresses[0].NodeName, Is.EqualTo("node-a"));
        Assert.That(subset.Addresses[0].TargetRef.Kind, Is.EqualTo("Pod"));
        Assert.That(subset.Addresses[0].TargetRef.Name, Is.EqualTo("ready"));
        Assert.That(subset.Addresses[0].TargetRef.Uid, Is.EqualTo("uid-ready"));
        Assert.That(subset.Ports.Single().Port, Is.EqualTo(8080), "targetPort by container port name");
        Assert.That(subset.Ports.Single().Name, Is.EqualTo("http"));
        Assert.That(subset.Ports.Single().Protocol, Is.EqualTo("TCP"));
    }

    [Test]
    public async Task SyncAsync_PublishNotReadyAddresses_ListsEveryPodAsReady()
    {
        var (world, controller) = await StartAsync(Service(publishNotReady: true), [], Pod("starting", "10.42.0.3", ready: false), Pod("leaving", "10.42.0.5", ready: true, terminating: true));
        await using var _ = world;

        await controller.SyncAsync(NamespacedName.Parse("default/web"), CancellationToken.None);

        var written = KubernetesJson.Deserialize<V1Endpoints>(world.Api.Writes.Single().Body!);
        Assert.That(written.Subsets.Single().Addresses.Select(a => a.Ip), Is.EqualTo(new[] { "10.42.0.3", "10.42.0.5" }));
        Assert.That(written.Subsets.Single().NotReadyAddresses, Is.Null.Or.Empty);
    }

    [Test]
    public async Task SyncAsync_NothingChanged_WritesNothing()
    {
        var pod = Pod("ready", "10.42.0.2", ready: true);
        var service = Service();
        var current = new V1Endpoints
        {
            Metadata = new V1ObjectMeta
            {
                Name = "web",
                NamespaceProperty = "default",
                ResourceVersion = "7",
                Labels = new Dictionary<string, string> { ["tier"] = "front", [EndpointsController.ManagedByLabel] = EndpointsController.ManagedByValue },
            },
            Subsets = EndpointSubsets.For(service, [pod]),
        };
        var (world, controller) = await StartAsync(service, [current], pod);
        await using var _ = world;

        await controller.SyncAsync(NamespacedName.Parse("default/web"), CancellationToken.None);

        Assert.That(world.Api.Writes, Is.Empty);
    }

    [Test]
    public async Task SyncAsync_PodBecameReady_ReplacesEndpoints()
    {
        var service = Service();
        var current = new V1Endpoints
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default", ResourceVersion = "7" },
            Subsets = EndpointSubsets.For(service, [Pod("a", "10.42.0.2", ready: false)]),
        };
        var (world, controller) = await StartAsync(service, [current], Pod("a", "10.42.0.2", ready: true));
        await using var _ = world;

        await controller.SyncAsync(NamespacedName.Parse("default/web"), CancellationToken.None);

        Assert.That(world.Api.Writes.Single().ToString(), Is.EqualTo("PUT /api/v1/namespaces/default/endpoints/web"));
        var written = KubernetesJson.Deserialize<V1Endpoints>(world.Api.Writes.Single().Body!);
        Assert.That(written.Metadata.ResourceVersion, Is.EqualTo("7"), "the write is based on the version read");
        Assert.That(written.Subsets.Single().Addresses.Single().Ip, Is.EqualTo("10.42.0.2"));
    }

    [Test]
    public async Task SyncAsync_ServiceGone_DeletesEndpoints()
    {
        var current = new V1Endpoints { Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default" } };
        var (world, controller) = await StartAsync(null, [current]);
        await using var _ = world;

        await controller.SyncAsync(NamespacedName.Parse("default/web"), CancellationToken.None);

        Assert.That(world.Api.Writes.Select(c => c.ToString()), Is.EqualTo(new[] { "DELETE /api/v1/namespaces/default/endpoints/web" }));
    }

    [Test]
    public async Task SyncAsync_ServiceWithoutSelector_IsLeftAlone()
    {
        var service = Service();
        service.Spec.Selector = null;
        var (world, controller) = await StartAsync(service, [], Pod("a", "10.42.0.2", ready: true));
        await using var _ = world;

        await controller.SyncAsync(NamespacedName.Parse("default/web"), CancellationToken.None);

        Assert.That(world.Api.Writes, Is.Empty);
    }
}
