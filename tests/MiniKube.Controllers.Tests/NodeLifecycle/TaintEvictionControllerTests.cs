using MiniKube.Testing;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using MiniKube.Controllers.NodeLifecycle;

namespace MiniKube.Controllers.Tests.NodeLifecycle;

public sealed class TaintEvictionControllerTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static V1Node UnreachableNode(TimeSpan taintedAgo) => new()
    {
        Metadata = new V1ObjectMeta { Name = "node-a" },
        Spec = new V1NodeSpec { Taints = [new V1Taint { Key = Taints.Unreachable, Effect = "NoExecute", TimeAdded = (Start - taintedAgo).UtcDateTime }] },
    };

    private static V1Pod Pod(params V1Toleration[] tolerations) => new()
    {
        Metadata = new V1ObjectMeta { Name = "web-1", NamespaceProperty = "default", Uid = "uid-web-1" },
        Spec = new V1PodSpec { NodeName = "node-a", Containers = [], Tolerations = tolerations },
    };

    private static V1Toleration Default(long seconds) => new() { Key = Taints.Unreachable, OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = seconds };

    private static V1Node Autonomous(V1Node node) => node with { Metadata = node.Metadata with { Annotations = new Dictionary<string, string> { [WellKnownAnnotations.NodeAutonomy] = "true" } } };

    private static async Task<(ControllerHarness World, TaintEvictionController Controller, FakeTimeProvider Time)> StartAsync(V1Node node, V1Pod pod, NodeLifecycleOptions? options = null)
    {
        var time = new FakeTimeProvider(Start);
        var world = new ControllerHarness(time).Seed(node).Seed(pod);
        var controller = new TaintEvictionController(world.Context, options ?? new NodeLifecycleOptions());
        await world.StartAsync();
        // A pod's DELETE answers with the pod (the generated client reads it so).
        world.Api.Respond = call => call.Method == "DELETE"
            ? (System.Net.HttpStatusCode.OK, """{"kind":"Pod","apiVersion":"v1","metadata":{"name":"web-1"}}""")
            : (System.Net.HttpStatusCode.OK, call.Body ?? "{}");
        return (world, controller, time);
    }

    [Test]
    public async Task SyncAsync_TaintNotTolerated_EvictsAtOnce()
    {
        var (world, controller, _) = await StartAsync(UnreachableNode(TimeSpan.Zero), Pod(new V1Toleration { Key = "other", OperatorProperty = "Exists" }));
        await using var __ = world;

        await controller.SyncAsync(NamespacedName.Parse("default/web-1"), CancellationToken.None);

        Assert.That(world.Api.Writes.Select(c => c.ToString()), Is.EqualTo(new[]
        {
            "PATCH /api/v1/namespaces/default/pods/web-1/status",
            "DELETE /api/v1/namespaces/default/pods/web-1",
        }));
        Assert.That(world.Api.Writes[0].Body, Does.Contain("DeletionByTaintManager"));
    }

    [Test]
    public async Task SyncAsync_Tolerated300s_EvictsOnlyAfterTolerationSecondsSinceTaintAdded()
    {
        var (world, controller, time) = await StartAsync(UnreachableNode(TimeSpan.FromSeconds(100)), Pod(Default(300)));
        await using var __ = world;

        await controller.SyncAsync(NamespacedName.Parse("default/web-1"), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(199));
        await controller.SyncAsync(NamespacedName.Parse("default/web-1"), CancellationToken.None);
        Assert.That(world.Api.Writes, Is.Empty);

        time.Advance(TimeSpan.FromSeconds(1));
        await controller.SyncAsync(NamespacedName.Parse("default/web-1"), CancellationToken.None);

        Assert.That(world.Api.Writes.Select(c => c.Method), Is.EqualTo(new[] { "PATCH", "DELETE" }));
    }

    [Test]
    public async Task SyncAsync_AutonomousNodeUnreachable_KeepsPodsForTheAutonomyDurationNotTheToleration()
    {
        var (world, controller, time) = await StartAsync(Autonomous(UnreachableNode(TimeSpan.Zero)), Pod(Default(300)), new NodeLifecycleOptions { AutonomyDuration = TimeSpan.FromMinutes(20) });
        await using var __ = world;

        time.Advance(TimeSpan.FromMinutes(10));
        await controller.SyncAsync(NamespacedName.Parse("default/web-1"), CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        await controller.SyncAsync(NamespacedName.Parse("default/web-1"), CancellationToken.None);
        Assert.That(world.Api.Writes, Is.Empty, "an autonomous node's pods outlive the 300 s toleration");

        time.Advance(TimeSpan.FromSeconds(1));
        await controller.SyncAsync(NamespacedName.Parse("default/web-1"), CancellationToken.None);

        Assert.That(world.Api.Writes.Select(c => c.Method), Is.EqualTo(new[] { "PATCH", "DELETE" }));
    }

    [Test]
    public async Task SyncAsync_AutonomousNodeButPodToleratesLonger_KeepsThePodsOwnTime()
    {
        var (world, controller, time) = await StartAsync(Autonomous(UnreachableNode(TimeSpan.Zero)), Pod(Default(7200)), new NodeLifecycleOptions { AutonomyDuration = TimeSpan.FromMinutes(20) });
        await using var __ = world;

        time.Advance(TimeSpan.FromSeconds(7199));
        await controller.SyncAsync(NamespacedName.Parse("default/web-1"), CancellationToken.None);

        Assert.That(world.Api.Writes, Is.Empty);
    }

    [Test]
    public async Task SyncAsync_AutonomyOffOrNodeNotAutonomousOrAnotherTaint_EvictsOnUpstreamTiming()
    {
        var otherTaint = Autonomous(UnreachableNode(TimeSpan.Zero));
        otherTaint.Spec.Taints.Add(new V1Taint { Key = "maintenance", Effect = "NoExecute", TimeAdded = Start.UtcDateTime });
        var cases = new (V1Node Node, NodeLifecycleOptions Options, V1Toleration[] Tolerations)[]
        {
            (Autonomous(UnreachableNode(TimeSpan.Zero)), new NodeLifecycleOptions { AutonomyDuration = TimeSpan.Zero }, [Default(300)]),
            (UnreachableNode(TimeSpan.Zero), new NodeLifecycleOptions(), [Default(300)]),
            (otherTaint, new NodeLifecycleOptions(), [Default(300), new V1Toleration { Key = "maintenance", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 300 }]),
        };
        foreach (var (node, options, tolerations) in cases)
        {
            var (world, controller, time) = await StartAsync(node, Pod(tolerations), options);
            await using var __ = world;

            time.Advance(TimeSpan.FromSeconds(300));
            await controller.SyncAsync(NamespacedName.Parse("default/web-1"), CancellationToken.None);

            Assert.That(world.Api.Writes.Select(c => c.Method), Is.EqualTo(new[] { "PATCH", "DELETE" }), k8s.KubernetesJson.Serialize(node));
        }
    }

    [Test]
    public async Task SyncAsync_ToleratedForever_NeverEvicts()
    {
        var (world, controller, time) = await StartAsync(UnreachableNode(TimeSpan.FromDays(1)), Pod(new V1Toleration { OperatorProperty = "Exists" }));
        await using var __ = world;

        await controller.SyncAsync(NamespacedName.Parse("default/web-1"), CancellationToken.None);

        Assert.That(world.Api.Writes, Is.Empty);
    }
}
