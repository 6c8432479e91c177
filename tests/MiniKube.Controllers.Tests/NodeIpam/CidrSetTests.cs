using System.Net;
using MiniKube.Controllers.NodeIpam;

namespace MiniKube.Controllers.Tests.NodeIpam;

public sealed class CidrSetTests
{
    [Test]
    public void AllocateNext_HandsOutSubnetsInOrder_ThenNothing()
    {
        var set = new CidrSet(IPNetwork.Parse("10.42.0.0/22"), 24);

        var all = Enumerable.Range(0, 5).Select(_ => set.AllocateNext()?.ToString()).ToList();

        Assert.That(all, Is.EqualTo(new[] { "10.42.0.0/24", "10.42.1.0/24", "10.42.2.0/24", "10.42.3.0/24", null }));
        Assert.That(set.Allocated, Is.EqualTo(4));
    }

    [Test]
    public void Occupy_SkipsTakenSubnets_AndReleaseIsReusedAfterTheOthers()
    {
        var set = new CidrSet(IPNetwork.Parse("10.42.0.0/22"), 24);
        Assert.That(set.Occupy(IPNetwork.Parse("10.42.0.0/24")), Is.True);

        var first = set.AllocateNext();
        set.Release(IPNetwork.Parse("10.42.0.0/24"));
        var second = set.AllocateNext();

        Assert.That(first?.ToString(), Is.EqualTo("10.42.1.0/24"));
        Assert.That(second?.ToString(), Is.EqualTo("10.42.2.0/24"), "a released subnet waits until the range wraps round");
    }

    [TestCase("10.43.0.0/24")]
    [TestCase("10.42.0.0/25")]
    [TestCase("fd00::/64")]
    public void Occupy_SubnetNotOfTheSet_IsRefused(string cidr) =>
        Assert.That(new CidrSet(IPNetwork.Parse("10.42.0.0/16"), 24).Occupy(IPNetwork.Parse(cidr)), Is.False);

    [Test]
    public void IPv6_CutsSlash64s()
    {
        var set = new CidrSet(IPNetwork.Parse("fd00:42::/56"), 64);

        Assert.That(set.AllocateNext()?.ToString(), Is.EqualTo("fd00:42::/64"));
        Assert.That(set.AllocateNext()?.ToString(), Is.EqualTo("fd00:42:0:1::/64"));
    }

    [TestCase("10.42.0.0/16", 15)]
    [TestCase("10.42.0.0/8", 25)]
    public void MaskSizeOutsideTheRange_IsRefused(string cluster, int mask) =>
        Assert.Throws<ArgumentException>(() => _ = new CidrSet(IPNetwork.Parse(cluster), mask));
}
