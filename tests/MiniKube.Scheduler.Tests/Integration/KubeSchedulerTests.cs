using k8s;
using k8s.Models;
using static MiniKube.Scheduler.Tests.Integration.ClusterObjects;
using static MiniKube.Scheduler.Tests.TestObjects;

namespace MiniKube.Scheduler.Tests.Integration;

/// <summary>The scheduler against an in-process API server with three Node objects and no kubelets.</summary>
[TestFixture]
[Category("Integration")]
public sealed class KubeSchedulerTests : SchedulerCluster
{
    protected override async Task SeedAsync()
    {
        await CreateNodeAsync(Client, Node("node-a", cpu: "4", labels: new Dictionary<string, string> { ["disk"] = "hdd" }));
        await CreateNodeAsync(Client, Node("node-b", cpu: "4", labels: new Dictionary<string, string> { ["disk"] = "ssd" }));
        await CreateNodeAsync(Client, Node("node-c", cpu: "4", labels: new Dictionary<string, string> { ["disk"] = "hdd" }));
    }

    [Test]
    public async Task Pods_AreBound_SpreadOverNodes_WithScheduledEvents()
    {
        for (var i = 0; i < 6; i++)
        {
            await Client.CoreV1.CreateNamespacedPodAsync(Pod($"web-{i}", "500m", "256Mi", ownerUid: "rs-web"), "default");
        }

        var nodes = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var pod = await WaitForPodAsync(Client, $"web-{i}", p => !string.IsNullOrEmpty(p.Spec.NodeName));
            nodes.Add(pod.Spec.NodeName);
            Assert.That(pod.Status.Conditions.Single(c => c.Type == "PodScheduled").Status, Is.EqualTo("True"));
        }
        Assert.That(nodes.GroupBy(n => n).Select(g => g.Count()), Is.EqualTo(new[] { 2, 2, 2 }), string.Join(",", nodes));

        var events = await WaitForEventsAsync("web-0", "Scheduled");
        Assert.That(events[0].Message, Is.EqualTo($"Successfully assigned default/web-0 to {nodes[0]}"));
        Assert.That(events[0].Source.Component, Is.EqualTo("default-scheduler"));
    }

    [Test]
    public async Task TooBigPod_IsUnschedulableWithUpstreamsMessage_ThenLandsOnANewBigNode()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("huge", "10", "1Gi"), "default");
        const string expected = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";

        var pending = await WaitForPodAsync(Client, "huge", p => p.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Reason == "Unschedulable") == true);
        var condition = pending.Status.Conditions.Single(c => c.Type == "PodScheduled");
        Assert.That(condition.Status, Is.EqualTo("False"));
        Assert.That(condition.Message, Is.EqualTo(expected));
        var failed = await WaitForEventsAsync("huge", "FailedScheduling");
        Assert.That(failed[0].Message, Is.EqualTo(expected));
        Assert.That(failed[0].Type, Is.EqualTo("Warning"));

        await CreateNodeAsync(Client, Node("node-big", cpu: "16"));

        var bound = await WaitForPodAsync(Client, "huge", p => !string.IsNullOrEmpty(p.Spec.NodeName));
        Assert.That(bound.Spec.NodeName, Is.EqualTo("node-big"));
    }

    [Test]
    public async Task NodeSelector_LandsOnTheMatchingNode()
    {
        var pod = Pod("fast", "100m");
        pod.Spec.NodeSelector = new Dictionary<string, string> { ["disk"] = "ssd" };

        await Client.CoreV1.CreateNamespacedPodAsync(pod, "default");

        var bound = await WaitForPodAsync(Client, "fast", p => !string.IsNullOrEmpty(p.Spec.NodeName));
        Assert.That(bound.Spec.NodeName, Is.EqualTo("node-b"));
    }

    [Test]
    public async Task FullNode_FreedByADeletedPod_TakesTheWaitingPod()
    {
        var pods = new[] { "fill-a", "fill-b", "fill-c" };
        foreach (var name in pods)
        {
            await Client.CoreV1.CreateNamespacedPodAsync(Pod(name, "3"), "default");
        }
        foreach (var name in pods)
        {
            await WaitForPodAsync(Client, name, p => !string.IsNullOrEmpty(p.Spec.NodeName));
        }
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("waiting", "2"), "default");
        await WaitForPodAsync(Client, "waiting", p => p.Status?.Conditions?.Any(c => c.Reason == "Unschedulable") == true);

        var freed = await Client.CoreV1.ReadNamespacedPodAsync("fill-b", "default");
        await Client.CoreV1.DeleteNamespacedPodAsync("fill-b", "default", new V1DeleteOptions { GracePeriodSeconds = 0 });

        var bound = await WaitForPodAsync(Client, "waiting", p => !string.IsNullOrEmpty(p.Spec.NodeName));
        Assert.That(bound.Spec.NodeName, Is.EqualTo(freed.Spec.NodeName));
    }

    [Test]
    public async Task OtherSchedulersPods_AreLeftAlone()
    {
        var pod = Pod("custom", "100m");
        pod.Spec.SchedulerName = "my-scheduler";
        await Client.CoreV1.CreateNamespacedPodAsync(pod, "default");
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("marker", "100m"), "default");

        // Pods are decided in order: once the later one is bound, the first was seen and skipped.
        await WaitForPodAsync(Client, "marker", p => !string.IsNullOrEmpty(p.Spec.NodeName));
        var custom = await Client.CoreV1.ReadNamespacedPodAsync("custom", "default");
        Assert.That(custom.Spec.NodeName, Is.Null.Or.Empty);
    }

    private async Task<IList<Corev1Event>> WaitForEventsAsync(string pod, string reason)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var list = await Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: $"involvedObject.name={pod}");
            var matching = list.Items.Where(e => e.Reason == reason).ToList();
            if (matching.Count > 0)
            {
                return matching;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"no {reason} event for {pod}; saw {string.Join(", ", list.Items.Select(e => e.Reason))}");
            }
            await Task.Delay(50);
        }
    }
}
