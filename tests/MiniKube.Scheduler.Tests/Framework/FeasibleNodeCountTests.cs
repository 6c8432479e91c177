using MiniKube.Scheduler.Framework;

namespace MiniKube.Scheduler.Tests.Framework;

[TestFixture]
public sealed class FeasibleNodeCountTests
{
    [TestCase(3, 3)]
    [TestCase(99, 99)]
    [TestCase(100, 100)]
    [TestCase(200, 100)]
    [TestCase(1000, 420)]
    [TestCase(5000, 500)]
    [TestCase(6000, 300)]
    public void For_MirrorsUpstreamAdaptivePercentage(int nodes, int expected)
    {
        Assert.That(FeasibleNodeCount.For(nodes), Is.EqualTo(expected));
    }
}
