using MiniKube.CheckConfig;

namespace MiniKube.Tests.CheckConfig;

public sealed class DiskChecksTests
{
    [TestCase(50L << 30, 100L << 30, CheckStatus.Ok, "50.0 GiB free of 100.0 GiB")]
    [TestCase(5L << 30, 100L << 30, CheckStatus.Warning, "5.0 GiB free of 100.0 GiB: under 10 %, upstream kubelets' default eviction threshold (nodefs.available)")]
    [TestCase(300L << 20, 2L << 30, CheckStatus.Fail, "300 MiB free of 2.0 GiB: the store needs at least 512 MiB")]
    public void Check_FreeSpace_AgainstTheThresholds(long free, long total, CheckStatus status, string detail)
    {
        var probe = FakeHostProbe.Complete();
        probe.Disk = (free, total);

        var result = DiskChecks.Check(probe, "/var/lib/mkube");

        Assert.That((result.Status, result.Detail), Is.EqualTo((status, detail)));
    }

    [Test]
    public void Check_Unreadable_Warns()
    {
        var probe = FakeHostProbe.Complete();
        probe.Disk = null;

        Assert.That(DiskChecks.Check(probe, "/var/lib/mkube").Status, Is.EqualTo(CheckStatus.Warning));
    }
}
