using MiniKube.CheckConfig;

namespace MiniKube.Tests.CheckConfig;

public sealed class CgroupChecksTests
{
    [Test]
    public void Check_V2WithEveryController_AllOk()
    {
        var results = CgroupChecks.Check(FakeHostProbe.Complete());

        Assert.That(results.Select(r => r.ToString()), Is.EqualTo(new[]
        {
            "OK    cgroups  cpu: enabled (cgroup v2)",
            "OK    cgroups  memory: enabled (cgroup v2)",
            "OK    cgroups  pids: enabled (cgroup v2)",
        }));
    }

    [Test]
    public void Check_V2WithoutMemory_FailsWithTheKernelCommandLineFix()
    {
        var probe = FakeHostProbe.Complete();
        probe.Files["/sys/fs/cgroup/cgroup.controllers"] = "cpuset cpu io pids\n";

        var memory = CgroupChecks.Check(probe).Single(r => r.Item == "memory");

        Assert.That(memory.Status, Is.EqualTo(CheckStatus.Fail));
        Assert.That(memory.Fix, Does.Contain("cgroup_memory=1 cgroup_enable=memory"));
    }

    [Test]
    public void Check_V1_ReadsTheEnabledColumnOfProcCgroups()
    {
        var probe = FakeHostProbe.Complete();
        probe.Files.Remove("/sys/fs/cgroup/cgroup.controllers");
        probe.Files["/proc/cgroups"] = "#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t1\t2\t1\nmemory\t4\t87\t0\npids\t8\t2\t1\n";

        var results = CgroupChecks.Check(probe);

        Assert.That(results.Select(r => (r.Item, r.Status)), Is.EqualTo(new[] { ("cpu", CheckStatus.Ok), ("memory", CheckStatus.Fail), ("pids", CheckStatus.Ok) }));
    }

    [Test]
    public void Check_NoCgroupFileSystem_Fails()
    {
        var probe = FakeHostProbe.Complete();
        probe.Files.Remove("/sys/fs/cgroup/cgroup.controllers");

        Assert.That(CgroupChecks.Check(probe).Single().Status, Is.EqualTo(CheckStatus.Fail));
    }
}
