using k8s.Models;
using MiniKube.Controllers.ReplicaSet;

namespace MiniKube.Controllers.Tests.ReplicaSet;

public sealed class PodDeletionOrderTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void PodsToDelete_MixedStates_FollowsUpstreamRanking()
    {
        var hourAgo = Now.UtcDateTime.AddHours(-1);
        var pods = new List<V1Pod>
        {
            Pod("running-ready-old", readySince: Now.UtcDateTime.AddDays(-3), created: Now.UtcDateTime.AddDays(-3)),
            Pod("running-ready-young", readySince: Now.UtcDateTime.AddSeconds(-10), created: Now.UtcDateTime.AddSeconds(-20)),
            Pod("running-not-ready", ready: false, created: hourAgo),
            Pod("pending", phase: "Pending", ready: false, created: hourAgo),
            Pod("unassigned", phase: "Pending", ready: false, node: "", created: hourAgo),
        };

        var order = PodDeletionOrder.PodsToDelete(pods, [], pods.Count - 1, Now);

        Assert.That(order.Select(p => p.Metadata.Name), Is.EqualTo(new[] { "unassigned", "pending", "running-not-ready", "running-ready-young" }));
    }

    [Test]
    public void PodsToDelete_EqualPods_DoubledUpNodeAndDeletionCostDecide()
    {
        var created = Now.UtcDateTime.AddHours(-1);
        var crowded = Pod("crowded", node: "n1", created: created);
        var alone = Pod("alone", node: "n2", created: created);
        var cheap = Pod("cheap", node: "n3", created: created);
        cheap.Metadata.Annotations = new Dictionary<string, string> { [PodDeletionOrder.DeletionCostAnnotation] = "-5" };
        var sibling = Pod("sibling-of-another-set", node: "n1", created: created);

        var order = PodDeletionOrder.PodsToDelete([alone, crowded, cheap], [crowded, alone, cheap, sibling], 2, Now);

        Assert.That(order.Select(p => p.Metadata.Name), Is.EqualTo(new[] { "cheap", "crowded" }));
    }

    private static V1Pod Pod(string name, string phase = "Running", bool ready = true, string node = "n1", DateTime? created = null, DateTime? readySince = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Uid = "uid-" + name, CreationTimestamp = created },
        Spec = new V1PodSpec { NodeName = node, Containers = [] },
        Status = new V1PodStatus
        {
            Phase = phase,
            Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False", LastTransitionTime = readySince ?? created }],
        },
    };
}
