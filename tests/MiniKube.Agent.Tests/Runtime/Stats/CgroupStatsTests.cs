using MiniKube.Agent.Runtime.Stats;

namespace MiniKube.Agent.Tests.Runtime.Stats;

public sealed class CgroupStatsTests
{
    private const string Id = "0123456789abcdef";
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("mkube-cgroup-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    [Test]
    public void Read_V2SystemdScope_WorkingSetIsCurrentMinusInactiveFile()
    {
        Write("cgroup.controllers", "cpu memory pids\n");
        var scope = $"system.slice/docker-{Id}.scope";
        Write($"{scope}/cpu.stat", "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n");
        Write($"{scope}/memory.current", "10485760\n");
        Write($"{scope}/memory.max", "max\n");
        Write($"{scope}/memory.stat", "anon 4194304\nfile 6291456\ninactive_file 2097152\nactive_file 4194304\npgfault 1200\npgmajfault 3\n");
        var cgroups = new CgroupStats(_root);

        Assert.That(cgroups.Unified, Is.True);
        var cgroup = cgroups.DockerContainer(Id);
        Assert.That(cgroup, Is.EqualTo(scope));
        var usage = cgroups.Read(cgroup!, Now)!;
        Assert.Multiple(() =>
        {
            Assert.That(usage.CpuUsageCoreNanoSeconds, Is.EqualTo(2_500_000_000UL));
            Assert.That(usage.MemoryUsageBytes, Is.EqualTo(10_485_760UL));
            Assert.That(usage.WorkingSetBytes, Is.EqualTo(8_388_608UL));
            Assert.That(usage.RssBytes, Is.EqualTo(4_194_304UL));
            Assert.That(usage.PageFaults, Is.EqualTo(1200UL));
            Assert.That(usage.MajorPageFaults, Is.EqualTo(3UL));
            Assert.That(usage.AvailableBytes, Is.Null);
            Assert.That(usage.Time, Is.EqualTo(Now));
        });
    }

    [Test]
    public void Read_V1Cgroupfs_CpuacctAndMemoryControllers()
    {
        Write($"memory/docker/{Id}/memory.usage_in_bytes", "20971520\n");
        Write($"memory/docker/{Id}/memory.limit_in_bytes", "67108864\n");
        Write($"memory/docker/{Id}/memory.stat", "cache 8388608\nrss 10485760\ntotal_rss 12582912\ntotal_inactive_file 4194304\ntotal_pgfault 50\ntotal_pgmajfault 1\n");
        Write($"cpuacct/docker/{Id}/cpuacct.usage", "987654321\n");
        var cgroups = new CgroupStats(_root);

        Assert.That(cgroups.Unified, Is.False);
        var cgroup = cgroups.DockerContainer(Id);
        Assert.That(cgroup, Is.EqualTo($"docker/{Id}"));
        var usage = cgroups.Read(cgroup!, Now)!;
        Assert.Multiple(() =>
        {
            Assert.That(usage.CpuUsageCoreNanoSeconds, Is.EqualTo(987_654_321UL));
            Assert.That(usage.WorkingSetBytes, Is.EqualTo(16_777_216UL));
            Assert.That(usage.RssBytes, Is.EqualTo(12_582_912UL));
            Assert.That(usage.AvailableBytes, Is.EqualTo(67_108_864UL - 16_777_216UL));
            Assert.That(usage.PageFaults, Is.EqualTo(50UL));
        });
    }

    [Test]
    public void Read_InactiveFileAboveUsage_WorkingSetZero()
    {
        Write("cgroup.controllers", "memory\n");
        Write($"docker/{Id}/cpu.stat", "usage_usec 1\n");
        Write($"docker/{Id}/memory.current", "4096\n");
        Write($"docker/{Id}/memory.stat", "inactive_file 8192\n");
        var cgroups = new CgroupStats(_root);

        Assert.That(cgroups.Read(cgroups.DockerContainer(Id)!, Now)!.WorkingSetBytes, Is.Zero);
    }

    [Test]
    public void DockerContainer_Unknown_Null() =>
        Assert.That(new CgroupStats(_root).DockerContainer("feedface"), Is.Null);

    [Test]
    public void Read_ContainerGoneMeanwhile_Null()
    {
        Write("cgroup.controllers", "memory\n");
        Assert.That(new CgroupStats(_root).Read($"docker/{Id}", Now), Is.Null);
    }
}
