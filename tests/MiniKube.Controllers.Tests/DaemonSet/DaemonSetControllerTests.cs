using MiniKube.Testing;
using k8s.Models;
using MiniKube.Controllers.Common;
using MiniKube.Controllers.DaemonSet;
using MiniKube.Controllers.Tests.Common;

namespace MiniKube.Controllers.Tests.DaemonSet;

public sealed class DaemonSetControllerTests
{
    private const string PodsPath = "/api/v1/namespaces/ns/pods";
    private static readonly Dictionary<string, string> Labels = new() { ["app"] = "agent" };
    private static readonly V1OwnerReference Owner = TestObjects.Owner("apps/v1", "DaemonSet", "agent");

    private static V1DaemonSet NewDaemonSet(string strategy = "RollingUpdate", string maxUnavailable = "1", string maxSurge = "0") => new()
    {
        ApiVersion = "apps/v1",
        Kind = "DaemonSet",
        Metadata = new V1ObjectMeta { Name = "agent", NamespaceProperty = TestObjects.Namespace, Uid = "uid-agent", Generation = 2, ResourceVersion = "4" },
        Spec = new V1DaemonSetSpec
        {
            Selector = new V1LabelSelector { MatchLabels = Labels },
            Template = TestObjects.Template(Labels),
            UpdateStrategy = new V1DaemonSetUpdateStrategy
            {
                Type = strategy,
                RollingUpdate = strategy == "RollingUpdate" ? new V1RollingUpdateDaemonSet { MaxUnavailable = maxUnavailable, MaxSurge = maxSurge } : null,
            },
        },
    };

    private static V1Node Node(string name, IDictionary<string, string>? labels = null, params V1Taint[] taints) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels ?? new Dictionary<string, string>(), ResourceVersion = "1" },
        Spec = new V1NodeSpec { Taints = taints.Length == 0 ? null : taints },
    };

    private static V1Pod DaemonPod(string name, string node, string hash, bool ready = true)
    {
        var pod = TestObjects.Pod(name, Owner, new Dictionary<string, string>(Labels) { [ControllerHistory.HashLabel] = hash }, "Running", ready: ready, node: node);
        return pod;
    }

    private static async Task<(ControllerHarness Harness, DaemonSetController Controller)> StartAsync(V1DaemonSet daemonSet, V1Node[] nodes, V1Pod[] pods, params V1ControllerRevision[] revisions)
    {
        var harness = new ControllerHarness().Seed(daemonSet).Seed(nodes).Seed(pods).Seed(revisions);
        var controller = new DaemonSetController(harness.Context);
        await harness.StartAsync();
        return (harness, controller);
    }

    /// <summary>The revision the controller would store for the DaemonSet's current template, so a test can start "up to date".</summary>
    private static V1ControllerRevision CurrentRevision(V1DaemonSet daemonSet)
    {
        var data = ControllerHistory.Patch(daemonSet.Spec.Template);
        var hash = ControllerHistory.Hash(data.ToJsonString(), null);
        return new V1ControllerRevision
        {
            Metadata = new V1ObjectMeta
            {
                Name = "agent-" + hash,
                NamespaceProperty = TestObjects.Namespace,
                Labels = new Dictionary<string, string> { [ControllerHistory.HashLabel] = hash },
                OwnerReferences = [Owner],
                ResourceVersion = "1",
            },
            Data = data,
            Revision = 1,
        };
    }

    [Test]
    public async Task SyncAsync_MixedNodes_CreatesOnePodPinnedToEachEligibleNode()
    {
        var daemonSet = NewDaemonSet();
        daemonSet.Spec.Template.Spec.NodeSelector = new Dictionary<string, string> { ["disk"] = "ssd" };
        var ssd = new Dictionary<string, string> { ["disk"] = "ssd" };
        var nodes = new[]
        {
            Node("a", ssd),
            Node("b", ssd, new V1Taint { Key = "dedicated", Value = "db", Effect = "NoSchedule" }),
            Node("c"),
            Node("d", ssd, new V1Taint { Key = "node.kubernetes.io/unschedulable", Effect = "NoSchedule" }),
        };
        var (harness, controller) = await StartAsync(daemonSet, nodes, []);
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/agent"), CancellationToken.None);

        var revision = harness.Bodies<V1ControllerRevision>("POST", "/apis/apps/v1/namespaces/ns/controllerrevisions").Single();
        Assert.That(revision.Revision, Is.EqualTo(1));
        var hash = revision.Metadata.Labels[ControllerHistory.HashLabel];
        Assert.That(revision.Metadata.Name, Is.EqualTo("agent-" + hash));
        var pods = harness.Bodies<V1Pod>("POST", PodsPath);
        Assert.That(pods.Select(DaemonPods.TargetNode), Is.EquivalentTo(new[] { "a", "d" }));
        var pod = pods[0];
        Assert.That(pod.Spec.NodeName, Is.Null, "the scheduler binds daemon pods");
        var field = pod.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms.Single().MatchFields.Single();
        Assert.That((field.Key, field.OperatorProperty), Is.EqualTo(("metadata.name", "In")));
        Assert.That(pod.Metadata.Labels[ControllerHistory.HashLabel], Is.EqualTo(hash));
        Assert.That(pod.Metadata.Labels[DaemonPods.TemplateGenerationLabel], Is.EqualTo("2"));
        Assert.That(pod.Spec.Tolerations.Select(t => (t.Key, t.Effect)), Does.Contain(("node.kubernetes.io/not-ready", "NoExecute")).And.Contain(("node.kubernetes.io/unschedulable", "NoSchedule")));
    }

    [Test]
    public async Task SyncAsync_PodsOnIneligibleNode_DeletesIt()
    {
        var daemonSet = NewDaemonSet();
        var revision = CurrentRevision(daemonSet);
        var hash = revision.Metadata.Labels[ControllerHistory.HashLabel];
        var nodes = new[] { Node("a"), Node("b", null, new V1Taint { Key = "evict", Effect = "NoExecute" }) };
        var (harness, controller) = await StartAsync(daemonSet, nodes, [DaemonPod("agent-a", "a", hash), DaemonPod("agent-b", "b", hash)], revision);
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/agent"), CancellationToken.None);

        Assert.That(harness.Writes("DELETE", PodsPath).Select(c => c.Path), Is.EqualTo(new[] { PodsPath + "/agent-b" }));
        Assert.That(harness.Writes("POST", PodsPath), Is.Empty);
        var status = harness.Bodies<V1DaemonSet>("PUT", "/apis/apps/v1/namespaces/ns/daemonsets/agent/status").Single().Status;
        Assert.That((status.DesiredNumberScheduled, status.CurrentNumberScheduled, status.NumberReady, status.NumberMisscheduled, status.UpdatedNumberScheduled),
            Is.EqualTo((1, 1, 1, 1, 1)));
        Assert.That(status.ObservedGeneration, Is.EqualTo(2));
    }

    [Test]
    public async Task SyncAsync_RollingUpdateMaxUnavailableOne_DeletesOneOldPod()
    {
        var daemonSet = NewDaemonSet();
        var nodes = new[] { Node("a"), Node("b"), Node("c") };
        var pods = new[] { DaemonPod("agent-a", "a", "old"), DaemonPod("agent-b", "b", "old"), DaemonPod("agent-c", "c", "old") };
        var (harness, controller) = await StartAsync(daemonSet, nodes, pods);
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/agent"), CancellationToken.None);

        Assert.That(harness.Writes("DELETE", PodsPath), Has.Count.EqualTo(1));
        Assert.That(harness.Writes("POST", PodsPath), Is.Empty, "the replacement comes once the delete is seen");
    }

    [Test]
    public async Task SyncAsync_RollingUpdateWithSurge_CreatesNewPodBesideTheOld()
    {
        var daemonSet = NewDaemonSet(maxUnavailable: "0", maxSurge: "1");
        var nodes = new[] { Node("a"), Node("b") };
        var pods = new[] { DaemonPod("agent-a", "a", "old"), DaemonPod("agent-b", "b", "old") };
        var (harness, controller) = await StartAsync(daemonSet, nodes, pods);
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/agent"), CancellationToken.None);

        Assert.That(harness.Writes("DELETE", PodsPath), Is.Empty);
        Assert.That(harness.Bodies<V1Pod>("POST", PodsPath).Select(DaemonPods.TargetNode), Is.EqualTo(new[] { "a" }));
    }

    [Test]
    public async Task SyncAsync_OnDelete_LeavesOldPodsAlone()
    {
        var daemonSet = NewDaemonSet(strategy: "OnDelete");
        var (harness, controller) = await StartAsync(daemonSet, [Node("a")], [DaemonPod("agent-a", "a", "old")]);
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/agent"), CancellationToken.None);

        Assert.That(harness.Writes("DELETE", PodsPath), Is.Empty);
        Assert.That(harness.Writes("POST", PodsPath), Is.Empty);
    }
}
