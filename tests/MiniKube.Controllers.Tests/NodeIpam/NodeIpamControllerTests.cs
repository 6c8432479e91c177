using System.Net;
using k8s.Models;
using MiniKube.Controllers.NodeIpam;
using MiniKube.Testing;

namespace MiniKube.Controllers.Tests.NodeIpam;

public sealed class NodeIpamControllerTests
{
    private static V1Node Node(string name, string? podCidr = null) =>
        new() { Metadata = new V1ObjectMeta { Name = name }, Spec = new V1NodeSpec { PodCIDR = podCidr, PodCIDRs = podCidr is null ? null : [podCidr] } };

    private static NodeIpamOptions Options(string cluster, int mask = 24) => new([IPNetwork.Parse(cluster)], mask);

    [Test]
    public async Task NodeWithoutCidr_GetsTheFirstSubnetNoOtherNodeHolds()
    {
        await using var world = new ControllerHarness().Seed(Node("new"), Node("old", "10.42.0.0/24"));
        var controller = new NodeIpamController(world.Context, Options("10.42.0.0/16"));
        await world.StartAsync();

        await controller.SyncAsync(NamespacedName.Parse("new"), CancellationToken.None);

        var patch = world.Bodies<V1Node>("PATCH", "/api/v1/nodes/new").Single();
        Assert.That(patch.Spec.PodCIDR, Is.EqualTo("10.42.1.0/24"));
        Assert.That(patch.Spec.PodCIDRs, Is.EqualTo(new[] { "10.42.1.0/24" }));
    }

    [Test]
    public async Task NodeWithCidr_IsLeftAlone()
    {
        await using var world = new ControllerHarness().Seed(Node("old", "10.42.7.0/24"));
        var controller = new NodeIpamController(world.Context, Options("10.42.0.0/16"));
        await world.StartAsync();

        await controller.SyncAsync(NamespacedName.Parse("old"), CancellationToken.None);

        Assert.That(world.Api.Writes, Is.Empty);
    }

    [Test]
    public async Task RangeExhausted_CIDRNotAvailableEventAndARetry()
    {
        await using var world = new ControllerHarness().Seed(Node("new"), Node("old", "10.42.0.0/24"));
        var controller = new NodeIpamController(world.Context, Options("10.42.0.0/24"));
        await world.StartAsync();

        Assert.ThrowsAsync<SyncRetryException>(() => controller.SyncAsync(NamespacedName.Parse("new"), CancellationToken.None));

        Assert.That(world.Writes("PATCH", "/api/v1/nodes/new"), Is.Empty);
        using var stop = new CancellationTokenSource();
        var recorders = world.Context.RunRecordersAsync(stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!world.Api.Writes.Any(c => c.Path.Contains("/events", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        await stop.CancelAsync();
        await recorders.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var posted = world.Api.Writes.Single(c => c.Path.Contains("/events", StringComparison.Ordinal)).Body;
        Assert.That(posted, Does.Contain("\"reason\":\"CIDRNotAvailable\"").And.Contain("Node new status is now: CIDRNotAvailable"));
    }

    [Test]
    public async Task FailedPatch_FreesItsSubnet_TheRetryAssignsTheNext()
    {
        await using var world = new ControllerHarness().Seed(Node("new"));
        var controller = new NodeIpamController(world.Context, Options("10.42.0.0/16"));
        await world.StartAsync();
        world.Api.Respond = call => call.Method == "PATCH" ? (HttpStatusCode.ServiceUnavailable, """{"kind":"Status","code":503}""") : (HttpStatusCode.OK, "{}");

        Assert.ThrowsAsync<SyncRetryException>(() => controller.SyncAsync(NamespacedName.Parse("new"), CancellationToken.None));
        world.Api.Respond = _ => (HttpStatusCode.OK, "{}");
        await controller.SyncAsync(NamespacedName.Parse("new"), CancellationToken.None);

        var patches = world.Bodies<V1Node>("PATCH", "/api/v1/nodes/new");
        Assert.That(patches.Select(p => p.Spec.PodCIDR), Is.EqualTo(new[] { "10.42.0.0/24", "10.42.1.0/24" }), "as upstream's rotating allocator");
    }
}
