using MiniKube.Scheduler.Cache;
using MiniKube.Scheduler.Framework;
using static MiniKube.Scheduler.Tests.TestObjects;

namespace MiniKube.Scheduler.Tests.Framework;

[TestFixture]
public sealed class NodeScoresTests
{
    [Test]
    public void LeastAllocated_AveragesFreeCpuAndMemoryShare()
    {
        // After the pod: cpu 1 of 4 used → 75 free; memory 4Gi of 8Gi → 50 free; average 62.
        var node = NodeInfo(Node("n1", cpu: "4", memory: "8Gi"), Pod("a", "500m", "2Gi"));

        Assert.That(NodeScores.LeastAllocated(PodInfo.From(Pod("b", "500m", "2Gi")), node), Is.EqualTo(62));
    }

    [Test]
    public void LeastAllocated_PodWithoutRequests_CountsUpstreamDefaults()
    {
        // 100m of 1 cpu → 90; 200Mi of 2000Mi → 90.
        var node = NodeInfo(Node("n1", cpu: "1", memory: "2000Mi"));

        Assert.That(NodeScores.LeastAllocated(PodInfo.From(Pod("b")), node), Is.EqualTo(90));
    }

    [Test]
    public void LeastAllocated_Overcommitted_IsZero()
    {
        var node = NodeInfo(Node("n1", cpu: "1", memory: "1Gi"), Pod("a", "1", "1Gi"));

        Assert.That(NodeScores.LeastAllocated(PodInfo.From(Pod("b", "1", "1Gi")), node), Is.EqualTo(0));
    }

    [TestCase(0, 0, 100)]
    [TestCase(0, 4, 100)]
    [TestCase(2, 4, 50)]
    [TestCase(4, 4, 0)]
    public void OwnerSpread_FewerOwnerPodsScoreHigher(int onNode, int max, long expected)
    {
        Assert.That(NodeScores.OwnerSpread(onNode, max), Is.EqualTo(expected));
    }
}
