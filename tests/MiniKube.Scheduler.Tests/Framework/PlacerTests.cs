using k8s.Models;
using MiniKube.Scheduler.Cache;
using MiniKube.Scheduler.Framework;
using static MiniKube.Scheduler.Tests.TestObjects;

namespace MiniKube.Scheduler.Tests.Framework;

[TestFixture]
public sealed class PlacerTests
{
    [Test]
    public void Place_PicksTheLeastAllocatedNode()
    {
        var cache = new SchedulerCache();
        cache.UpsertNode(Node("small", cpu: "2"));
        cache.UpsertNode(Node("big", cpu: "16"));

        var placement = new Placer(new Random(1)).Place(PodInfo.From(Pod("p", "1")), cache);

        Assert.That(placement.Node!.Name, Is.EqualTo("big"));
    }

    [Test]
    public void Place_AssumedPodsCount_SoReplicasSpreadOverNodes()
    {
        var cache = new SchedulerCache();
        for (var i = 0; i < 3; i++)
        {
            cache.UpsertNode(Node($"n{i}"));
        }
        var placer = new Placer(new Random(7));
        var chosen = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var pod = PodInfo.From(Pod($"web-{i}", "100m", "100Mi", ownerUid: "rs-1"));
            var node = placer.Place(pod, cache).Node!.Name;
            cache.Assume(pod, node);
            chosen.Add(node);
        }

        Assert.That(chosen.GroupBy(n => n).Select(g => g.Count()), Is.All.EqualTo(2));
    }

    [Test]
    public void Place_NothingFits_DiagnosesEveryNode()
    {
        var cache = new SchedulerCache();
        cache.UpsertNode(Node("cp", taints: [new V1Taint { Key = "node-role.kubernetes.io/control-plane", Effect = "NoSchedule" }]));
        cache.UpsertNode(Node("w1", cpu: "1"));
        cache.UpsertNode(Node("w2", cpu: "1"));

        var placement = new Placer(new Random(1)).Place(PodInfo.From(Pod("p", "2")), cache);

        Assert.That(placement.Node, Is.Null);
        Assert.That(placement.Diagnosis!.Message(preemptionNever: false), Is.EqualTo(
            "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. " +
            "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."));
    }

    [Test]
    public void Place_ManyNodes_StopsAtTheFeasibleTarget_AndRotatesItsStart()
    {
        var cache = new SchedulerCache();
        for (var i = 0; i < 1000; i++)
        {
            cache.UpsertNode(Node($"n{i:D4}"));
        }
        var placer = new Placer(new Random(1));

        var first = placer.Place(PodInfo.From(Pod("a")), cache).Node!.Name;
        var second = placer.Place(PodInfo.From(Pod("b")), cache).Node!.Name;

        // Equal nodes tie; each decision looks at 420 of them from where the last stopped.
        Assert.That(string.CompareOrdinal(first, "n0420"), Is.LessThan(0));
        Assert.That(string.CompareOrdinal(second, "n0420"), Is.GreaterThanOrEqualTo(0));
        Assert.That(string.CompareOrdinal(second, "n0840"), Is.LessThan(0));
    }
}
