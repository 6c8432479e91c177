using k8s;
using k8s.Models;
using static MiniKube.Scheduler.Tests.Integration.ClusterObjects;
using static MiniKube.Scheduler.Tests.TestObjects;

namespace MiniKube.Scheduler.Tests.Integration;

/// <summary>
/// Priorities and preemption end to end against an in-process API server (with its Priority
/// admission) and one full node without a kubelet: the test plays the kubelet's part by finishing
/// the victim's graceful deletion.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class PreemptionSchedulingTests : SchedulerCluster
{
    protected override async Task SeedAsync()
    {
        await CreateNodeAsync(Client, Node("node-a", cpu: "2"));
        await Client.SchedulingV1.CreatePriorityClassAsync(new V1PriorityClass { Metadata = new V1ObjectMeta { Name = "high" }, Value = 1000 });
    }

    [Test]
    public async Task HighPriorityPod_PreemptsALowerOne_IsNominated_ThenBound()
    {
        foreach (var name in new[] { "low-1", "low-2" })
        {
            await Client.CoreV1.CreateNamespacedPodAsync(Pod(name, "1"), "default");
            await WaitForPodAsync(Client, name, p => p.Spec.NodeName == "node-a");
        }
        var critical = Pod("critical", "1");
        critical.Spec.PriorityClassName = "high";

        await Client.CoreV1.CreateNamespacedPodAsync(critical, "default");

        var nominated = await WaitForPodAsync(Client, "critical", p => p.Status?.NominatedNodeName == "node-a");
        Assert.That(nominated.Spec.Priority, Is.EqualTo(1000));
        // A preemption that nominated a node adds no verdict; a retry while the victim terminates
        // (the watch can show the scheduler's own status write as a change) waits, keeping the nomination.
        Assert.That(nominated.Status.Conditions.Single(c => c.Type == "PodScheduled").Message, Is.AnyOf(
            "0/1 nodes are available: 1 Insufficient cpu.",
            "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to a terminating pod on the nominated node."));
        var pods = (await Client.CoreV1.ListNamespacedPodAsync("default")).Items.Where(p => p.Metadata.Name.StartsWith("low-", StringComparison.Ordinal)).ToList();
        var victim = pods.Single(p => p.Metadata.DeletionTimestamp is not null);
        var disruption = victim.Status.Conditions.Single(c => c.Type == "DisruptionTarget");
        Assert.That((disruption.Status, disruption.Reason, disruption.Message), Is.EqualTo(("True", "PreemptionByScheduler", "default-scheduler: preempting to accommodate a higher priority pod")));
        Assert.That(await EventMessagesAsync(victim.Metadata.Name, "Preempted"), Has.Member($"Preempted by pod {nominated.Metadata.Uid} on node node-a"));

        // The kubelet would stop the victim and finish its deletion.
        await Client.CoreV1.DeleteNamespacedPodAsync(victim.Metadata.Name, "default", new V1DeleteOptions { GracePeriodSeconds = 0 });

        var bound = await WaitForPodAsync(Client, "critical", p => p.Spec.NodeName == "node-a");
        Assert.That(bound.Status.Conditions.Single(c => c.Type == "PodScheduled").Status, Is.EqualTo("True"));
        Assert.That((await Client.CoreV1.ReadNamespacedPodAsync(pods.Single(p => p != victim).Metadata.Name, "default")).Metadata.DeletionTimestamp, Is.Null,
            "one victim was enough");
    }

    [Test]
    public async Task EqualPriority_NothingIsPreempted()
    {
        foreach (var name in new[] { "a", "b" })
        {
            await Client.CoreV1.CreateNamespacedPodAsync(Pod(name, "1"), "default");
            await WaitForPodAsync(Client, name, p => p.Spec.NodeName == "node-a");
        }

        await Client.CoreV1.CreateNamespacedPodAsync(Pod("c", "1"), "default");

        var pending = await WaitForPodAsync(Client, "c", p => p.Status?.Conditions?.Any(c => c.Reason == "Unschedulable") == true);
        Assert.That(pending.Status.Conditions.Single(c => c.Type == "PodScheduled").Message, Is.EqualTo(
            "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."));
        Assert.That(pending.Status.NominatedNodeName, Is.Null);
        var all = await Client.CoreV1.ListNamespacedPodAsync("default");
        Assert.That(all.Items.Where(p => p.Metadata.DeletionTimestamp is not null), Is.Empty);
    }

    // Events are written in the background: wait for the first of the reason.
    private async Task<List<string>> EventMessagesAsync(string pod, string reason)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var list = await Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: $"involvedObject.name={pod}");
            var messages = list.Items.Where(e => e.Reason == reason).Select(e => e.Message).ToList();
            if (messages.Count > 0 || DateTime.UtcNow > deadline)
            {
                return messages;
            }
            await Task.Delay(50);
        }
    }
}
