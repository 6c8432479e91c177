using MiniKube.Testing;
using k8s;
using k8s.Models;
using MiniKube.Controllers.EndpointSlice;
using static MiniKube.Controllers.Tests.EndpointObjects;

namespace MiniKube.Controllers.Tests.EndpointSlice;

public sealed class EndpointSliceControllerTests
{
    private static async Task<(ControllerHarness World, EndpointSliceController Controller)> StartAsync(V1Service service, V1EndpointSlice[] slices, params V1Pod[] pods)
    {
        var world = new ControllerHarness().Seed(service).Seed(pods).Seed(slices).Seed<V1Node>();
        var controller = new EndpointSliceController(world.Context);
        await world.StartAsync();
        return (world, controller);
    }

    [Test]
    public async Task SyncAsync_NoSlice_CreatesOneOwnedByTheService()
    {
        var (world, controller) = await StartAsync(Service(), [],
            Pod("ready", "10.42.0.2", ready: true),
            Pod("starting", "10.42.0.3", ready: false),
            Pod("leaving", "10.42.0.5", ready: true, terminating: true),
            Pod("no-ip", null, ready: false));
        await using var _ = world;

        await controller.SyncAsync(NamespacedName.Parse("default/web"), CancellationToken.None);

        Assert.That(world.Api.Writes.Select(c => c.ToString()), Is.EqualTo(new[] { "POST /apis/discovery.k8s.io/v1/namespaces/default/endpointslices" }));
        var slice = KubernetesJson.Deserialize<V1EndpointSlice>(world.Api.Writes[0].Body!);
        Assert.That(slice.Metadata.GenerateName, Is.EqualTo("web-"));
        Assert.That(slice.Metadata.Labels["kubernetes.io/service-name"], Is.EqualTo("web"));
        Assert.That(slice.Metadata.Labels["endpointslice.kubernetes.io/managed-by"], Is.EqualTo("endpointslice-controller.k8s.io"));
        Assert.That(slice.Metadata.Labels["tier"], Is.EqualTo("front"));
        var owner = slice.Metadata.OwnerReferences.Single();
        Assert.That((owner.Kind, owner.Name, owner.Uid, owner.Controller, owner.BlockOwnerDeletion), Is.EqualTo(("Service", "web", "uid-svc", (bool?)true, (bool?)true)));
        Assert.That(slice.AddressType, Is.EqualTo("IPv4"));
        Assert.That(slice.Ports.Single().Port, Is.EqualTo(8080));
        var byName = slice.Endpoints.ToDictionary(e => e.TargetRef.Name);
        Assert.That(byName.Keys, Is.EquivalentTo(new[] { "ready", "starting", "leaving" }));
        Assert.That(Conditions(byName["ready"]), Is.EqualTo((true, true, false)));
        Assert.That(Conditions(byName["starting"]), Is.EqualTo((false, false, false)));
        Assert.That(Conditions(byName["leaving"]), Is.EqualTo((false, true, true)), "a terminating pod is never ready");
        Assert.That(byName["ready"].NodeName, Is.EqualTo("node-a"));
        Assert.That(byName["ready"].Addresses, Is.EqualTo(new[] { "10.42.0.2" }));
    }

    [Test]
    public async Task SyncAsync_SliceUpToDate_WritesNothing_AndChangedSliceIsUpdatedInPlace()
    {
        var service = Service();
        var pod = Pod("a", "10.42.0.2", ready: true);
        var content = SliceContents.For(service, [pod], _ => null, EndpointSliceController.MaxEndpointsPerSlice).Single();
        var labels = new Dictionary<string, string>
        {
            ["tier"] = "front",
            ["kubernetes.io/service-name"] = "web",
            [EndpointSliceController.ManagedByLabel] = EndpointSliceController.ManagedByValue,
        };
        var slice = new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta { Name = "web-abcde", NamespaceProperty = "default", ResourceVersion = "9", Labels = labels },
            AddressType = "IPv4",
            Endpoints = content.Endpoints,
            Ports = content.Ports,
        };

        var (world, controller) = await StartAsync(service, [slice], pod);
        await using (world)
        {
            await controller.SyncAsync(NamespacedName.Parse("default/web"), CancellationToken.None);
            Assert.That(world.Api.Writes, Is.Empty);
        }

        (world, controller) = await StartAsync(service, [slice], pod, Pod("b", "10.42.0.3", ready: true));
        await using (world)
        {
            await controller.SyncAsync(NamespacedName.Parse("default/web"), CancellationToken.None);
            Assert.That(world.Api.Writes.Select(c => c.ToString()), Is.EqualTo(new[] { "PUT /apis/discovery.k8s.io/v1/namespaces/default/endpointslices/web-abcde" }));
            var updated = KubernetesJson.Deserialize<V1EndpointSlice>(world.Api.Writes[0].Body!);
            Assert.That(updated.Endpoints.Select(e => e.Addresses[0]), Is.EqualTo(new[] { "10.42.0.2", "10.42.0.3" }));
        }
    }

    [Test]
    public void For_MoreThanMaxEndpoints_CutsIntoSlices()
    {
        var pods = Enumerable.Range(1, 250).Select(i => Pod($"p{i}", $"10.42.{i / 200}.{i % 200}", ready: true)).ToList();

        var contents = SliceContents.For(Service(), pods, _ => null, EndpointSliceController.MaxEndpointsPerSlice);

        Assert.That(contents.Select(c => c.Endpoints.Count), Is.EqualTo(new[] { 100, 100, 50 }));
    }

    private static (bool?, bool?, bool?) Conditions(V1Endpoint e) => (e.Conditions.Ready, e.Conditions.Serving, e.Conditions.Terminating);
}
