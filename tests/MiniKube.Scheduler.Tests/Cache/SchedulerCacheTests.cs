using MiniKube.Scheduler.Cache;
using static MiniKube.Scheduler.Tests.TestObjects;

namespace MiniKube.Scheduler.Tests.Cache;

[TestFixture]
public sealed class SchedulerCacheTests
{
    private SchedulerCache _cache = null!;

    [SetUp]
    public void SetUp()
    {
        _cache = new SchedulerCache();
        _cache.UpsertNode(Node("n1"));
        _cache.UpsertNode(Node("n2"));
    }

    [Test]
    public void HasPodBelow_FollowsTheLowestCountedPriority()
    {
        var low = Pod("low", nodeName: "n1");
        low.Spec.Priority = 5;
        var high = Pod("high", nodeName: "n2");
        high.Spec.Priority = 100;
        _cache.AddOrUpdateBound(PodInfo.From(low));
        _cache.AddOrUpdateBound(PodInfo.From(high));

        Assert.That(_cache.HasPodBelow(6), Is.True);
        Assert.That(_cache.HasPodBelow(5), Is.False);

        _cache.Remove(PodInfo.From(low).Key);
        Assert.That(_cache.HasPodBelow(100), Is.False);
        Assert.That(_cache.HasPodBelow(101), Is.True);
    }

    [Test]
    public void Assume_CountsAtOnce_ForgetUndoes()
    {
        var pod = PodInfo.From(Pod("p", "1", "1Gi"));

        _cache.Assume(pod, "n1");
        Assert.That(_cache.Node("n1")!.Requested.MilliCpu, Is.EqualTo(1000));
        Assert.That(_cache.IsAssumed(pod.Key), Is.True);

        _cache.Forget(pod.Key);
        Assert.That(_cache.Node("n1")!.Requested.MilliCpu, Is.EqualTo(0));
        Assert.That(_cache.Node("n1")!.PodCount, Is.EqualTo(0));
        Assert.That(_cache.Contains(pod.Key), Is.False);
    }

    [Test]
    public void AddOrUpdateBound_ConfirmsAnAssumption_WithoutCountingTwice()
    {
        var pod = Pod("p", "1");
        _cache.Assume(PodInfo.From(pod), "n1");

        pod.Spec.NodeName = "n1";
        _cache.AddOrUpdateBound(PodInfo.From(pod));
        _cache.Forget(PodInfo.From(pod).Key); // a late failure report must not drop a confirmed pod

        Assert.That(_cache.Node("n1")!.Requested.MilliCpu, Is.EqualTo(1000));
        Assert.That(_cache.Node("n1")!.PodCount, Is.EqualTo(1));
        Assert.That(_cache.IsAssumed(PodInfo.From(pod).Key), Is.False);
    }

    [Test]
    public void AddOrUpdateBound_BoundElsewhere_MovesTheCount()
    {
        var pod = Pod("p", "1");
        _cache.Assume(PodInfo.From(pod), "n1");

        pod.Spec.NodeName = "n2";
        _cache.AddOrUpdateBound(PodInfo.From(pod));

        Assert.That(_cache.Node("n1")!.PodCount, Is.EqualTo(0));
        Assert.That(_cache.Node("n2")!.Requested.MilliCpu, Is.EqualTo(1000));
    }

    [Test]
    public void RemoveNode_KeepsItsPodsCounted_UntilTheNodeReturns()
    {
        var pod = Pod("p", "1", nodeName: "n1");
        _cache.AddOrUpdateBound(PodInfo.From(pod));

        _cache.RemoveNode("n1");
        Assert.That(_cache.Nodes.Select(n => n.Name), Is.EqualTo(new[] { "n2" }));

        _cache.UpsertNode(Node("n1"));
        Assert.That(_cache.Node("n1")!.Requested.MilliCpu, Is.EqualTo(1000));
    }

    [Test]
    public void UpsertNode_ReportsOnlyChangesTheFiltersSee()
    {
        Assert.That(_cache.UpsertNode(Node("n1")), Is.False);
        Assert.That(_cache.UpsertNode(Node("n1", cpu: "8")), Is.True);
        Assert.That(_cache.UpsertNode(Node("n1", cpu: "8", unschedulable: true)), Is.True);
        Assert.That(_cache.UpsertNode(Node("n3")), Is.True);
    }
}
