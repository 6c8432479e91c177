using MiniKube.Testing;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using MiniKube.Controllers.NodeLifecycle;

namespace MiniKube.Controllers.Tests.NodeLifecycle;

public sealed class NodeLifecycleControllerTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    internal static V1Node Node(string ready, params V1Taint[] taints) => new()
    {
        Metadata = new V1ObjectMeta { Name = "node-a", Uid = "uid-node-a", ResourceVersion = "4", CreationTimestamp = Start.UtcDateTime.AddHours(-1) },
        Spec = new V1NodeSpec { Taints = taints.Length == 0 ? null : taints },
        Status = new V1NodeStatus
        {
            Conditions =
            [
                new V1NodeCondition { Type = "MemoryPressure", Status = "False", Reason = "KubeletHasSufficientMemory", LastHeartbeatTime = Start.UtcDateTime.AddMinutes(-1) },
                new V1NodeCondition { Type = "Ready", Status = ready, Reason = "KubeletReady", LastHeartbeatTime = Start.UtcDateTime.AddMinutes(-1) },
            ],
        },
    };

    private static V1Lease Lease() => new()
    {
        Metadata = new V1ObjectMeta { Name = "node-a", NamespaceProperty = "kube-node-lease" },
        Spec = new V1LeaseSpec { HolderIdentity = "node-a", RenewTime = Start.UtcDateTime.AddSeconds(-5) },
    };

    private static V1Pod ReadyPod() => new()
    {
        Metadata = new V1ObjectMeta { Name = "web-1", NamespaceProperty = "default", Uid = "uid-web-1", ResourceVersion = "8" },
        Spec = new V1PodSpec { NodeName = "node-a", Containers = [] },
        Status = new V1PodStatus { Conditions = [new V1PodCondition { Type = "Ready", Status = "True" }] },
    };

    private static async Task<(ControllerHarness World, NodeLifecycleController Controller, FakeTimeProvider Time)> StartAsync(V1Node node, params V1Pod[] pods)
    {
        var time = new FakeTimeProvider(Start);
        var world = new ControllerHarness(time).Seed(node).Seed(Lease()).Seed(pods);
        var controller = new NodeLifecycleController(world.Context);
        await world.StartAsync();
        return (world, controller, time);
    }

    [Test]
    public async Task SyncAsync_LeaseNotRenewedForGracePeriod_MarksUnknown_TaintsUnreachable_MarksPodsNotReady()
    {
        var (world, controller, time) = await StartAsync(Node("True"), ReadyPod());
        await using var _ = world;
        await controller.SyncAsync(NamespacedName.Parse("node-a"), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(39));
        await controller.SyncAsync(NamespacedName.Parse("node-a"), CancellationToken.None);
        Assert.That(world.Api.Writes, Is.Empty, "within the 40 s grace period");

        time.Advance(TimeSpan.FromSeconds(2));
        await controller.SyncAsync(NamespacedName.Parse("node-a"), CancellationToken.None);

        Assert.That(world.Api.Writes.Select(c => c.ToString()), Is.EqualTo(new[]
        {
            "PUT /api/v1/nodes/node-a/status",
            "PATCH /api/v1/nodes/node-a",
            "PUT /api/v1/namespaces/default/pods/web-1/status",
        }));
        var status = KubernetesJson.Deserialize<V1Node>(world.Api.Writes[0].Body!).Status.Conditions.ToDictionary(c => c.Type);
        Assert.That(status.Keys, Is.EquivalentTo(new[] { "Ready", "MemoryPressure", "DiskPressure", "PIDPressure" }));
        Assert.That(status["Ready"].Status, Is.EqualTo("Unknown"));
        Assert.That(status["Ready"].Reason, Is.EqualTo("NodeStatusUnknown"));
        Assert.That(status["Ready"].Message, Is.EqualTo("Kubelet stopped posting node status."));
        Assert.That(status["Ready"].LastHeartbeatTime, Is.EqualTo(Start.UtcDateTime.AddMinutes(-1)), "the heartbeat stays the kubelet's");
        Assert.That(status["DiskPressure"].Reason, Is.EqualTo("NodeStatusNeverUpdated"));
        var taints = KubernetesJson.Deserialize<V1Node>(world.Api.Writes[1].Body!).Spec.Taints;
        Assert.That(taints.Select(t => $"{t.Key}:{t.Effect}"), Is.EquivalentTo(new[] { "node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unreachable:NoSchedule" }));
        Assert.That(taints.Single(t => t.Effect == "NoExecute").TimeAdded, Is.Not.Null);
        var podPatch = KubernetesJson.Deserialize<V1Pod>(world.Api.Writes[2].Body!);
        Assert.That(podPatch.Status.Conditions.Single(c => c.Type == "Ready").Status, Is.EqualTo("False"));
        Assert.That(podPatch.Metadata.ResourceVersion, Is.EqualTo("8"));
    }

    [Test]
    public async Task SyncAsync_KubeletReportsNotReady_TaintsNotReady()
    {
        var (world, controller, _) = await StartAsync(Node("False"));
        await using var __ = world;

        await controller.SyncAsync(NamespacedName.Parse("node-a"), CancellationToken.None);

        Assert.That(world.Api.Writes.Select(c => c.ToString()), Is.EqualTo(new[] { "PATCH /api/v1/nodes/node-a" }));
        var taints = KubernetesJson.Deserialize<V1Node>(world.Api.Writes[0].Body!).Spec.Taints;
        Assert.That(taints.Select(t => $"{t.Key}:{t.Effect}"), Is.EquivalentTo(new[] { "node.kubernetes.io/not-ready:NoExecute", "node.kubernetes.io/not-ready:NoSchedule" }));
    }

    [Test]
    public async Task SyncAsync_ReadyAgain_RemovesOnlyItsTaints()
    {
        var other = new V1Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" };
        var (world, controller, _) = await StartAsync(Node("True", new V1Taint { Key = Taints.Unreachable, Effect = "NoExecute" }, new V1Taint { Key = Taints.Unreachable, Effect = "NoSchedule" }, other));
        await using var __ = world;

        await controller.SyncAsync(NamespacedName.Parse("node-a"), CancellationToken.None);

        var taints = KubernetesJson.Deserialize<V1Node>(world.Api.Writes.Single().Body!).Spec.Taints;
        Assert.That(taints.Select(t => t.Key), Is.EqualTo(new[] { "dedicated" }));
    }
}
