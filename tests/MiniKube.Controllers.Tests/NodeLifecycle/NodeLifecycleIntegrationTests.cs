using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using static MiniKube.Controllers.Tests.Common.ClusterHarness;

namespace MiniKube.Controllers.Tests.NodeLifecycle;

/// <summary>
/// Node lifecycle and taint eviction against an in-process API server, on a fake clock: a node
/// whose lease stops being renewed goes Unknown and unreachable, and its pod is evicted after
/// the 300 s the API server's default tolerations allow.
/// </summary>
[Category("Integration")]
public sealed class NodeLifecycleIntegrationTests
{
    [Test]
    public async Task StaleLease_NodeUnknownAndTainted_PodNotReady_ThenEvictedAfterTolerationSeconds()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var harness = await StartControllersAsync(["nodelifecycle", "taint-eviction-controller"], time);
        var client = harness.Client;
        await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "node-a" } });
        var heartbeat = DateTime.UtcNow;
        await client.CoreV1.PatchNodeStatusAsync(new V1Patch(KubernetesJson.Serialize(new
        {
            status = new { conditions = new[] { new { type = "Ready", status = "True", reason = "KubeletReady", lastHeartbeatTime = heartbeat, lastTransitionTime = heartbeat } } },
        }), V1Patch.PatchType.MergePatch), "node-a");
        await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = "node-a" },
            Spec = new V1LeaseSpec { HolderIdentity = "node-a", LeaseDurationSeconds = 40, RenewTime = heartbeat },
        }, "kube-node-lease");
        var pod = Pod("web-1");
        pod.Spec.NodeName = "node-a";
        await client.CoreV1.CreateNamespacedPodAsync(pod, "default");
        await harness.ReportPodAsync("default", "web-1", "10.42.0.9", ready: true);

        // The kubelet is gone: only our clock moves. Each poll moves it on by 5 s.
        var node = await harness.EventuallyAsync(
            async () =>
            {
                time.Advance(TimeSpan.FromSeconds(5));
                return await client.CoreV1.ReadNodeAsync("node-a");
            },
            n => n?.Spec?.Taints?.Any(t => t.Key == "node.kubernetes.io/unreachable" && t.Effect == "NoExecute") == true,
            "the unreachable taint");
        var ready = node.Status.Conditions.Single(c => c.Type == "Ready");
        Assert.That((ready.Status, ready.Reason, ready.Message), Is.EqualTo(("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.")));
        Assert.That(node.Spec.Taints.Select(t => $"{t.Key}:{t.Effect}"), Is.EquivalentTo(new[] { "node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unreachable:NoSchedule" }));
        await harness.EventuallyAsync(() => client.CoreV1.ReadNamespacedPodAsync("web-1", "default"),
            p => p?.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "False") == true, "the pod marked not ready");
        var beforeEviction = await client.CoreV1.ReadNamespacedPodAsync("web-1", "default");
        Assert.That(beforeEviction.Metadata.DeletionTimestamp, Is.Null, "the default toleration keeps it for 300 s");

        // A pod on a node waits for its kubelet to finish the deletion; being marked is what eviction does.
        var evicted = await harness.EventuallyAsync(
            async () =>
            {
                time.Advance(TimeSpan.FromSeconds(30));
                return await client.CoreV1.ReadNamespacedPodAsync("web-1", "default");
            },
            p => p?.Metadata.DeletionTimestamp is not null, "the pod evicted");
        Assert.That(evicted.Status.Conditions.Any(c => c.Type == "DisruptionTarget" && c.Reason == "DeletionByTaintManager"), Is.True);
    }
}
