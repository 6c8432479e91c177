using MiniKube.Agent.Runtime.Stats;

namespace MiniKube.Agent.Tests.Runtime.Stats;

public sealed class HostStatsTests
{
    [Test]
    public void CpuNanos_BusyFieldsInClockTicks() =>
        // user 100 + nice 10 + system 50 + irq 5 + softirq 5 + steal 0 = 170 ticks; idle and iowait are not use.
        Assert.That(HostStats.CpuNanos("cpu  100 10 50 9000 40 5 5 0 0 0\ncpu0 50 5 25 4500 20 2 3 0 0 0\n"), Is.EqualTo(1_700_000_000UL));

    [Test]
    public void Read_MemoryFromMeminfo()
    {
        var proc = Directory.CreateTempSubdirectory("mkube-proc-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(proc, "stat"), "cpu  1 0 1 100 0 0 0 0 0 0\n");
            File.WriteAllText(Path.Combine(proc, "meminfo"), "MemTotal:        8000 kB\nMemFree:         1000 kB\nMemAvailable:    5000 kB\nInactive(file):  2000 kB\nAnonPages:       3000 kB\n");

            var usage = new HostStats(proc).Read(DateTimeOffset.UnixEpoch);

            Assert.Multiple(() =>
            {
                Assert.That(usage.CpuUsageCoreNanoSeconds, Is.EqualTo(20_000_000UL));
                Assert.That(usage.MemoryUsageBytes, Is.EqualTo(7000UL * 1024));
                Assert.That(usage.WorkingSetBytes, Is.EqualTo(5000UL * 1024));
                Assert.That(usage.AvailableBytes, Is.EqualTo(5000UL * 1024));
                Assert.That(usage.RssBytes, Is.EqualTo(3000UL * 1024));
            });
        }
        finally
        {
            Directory.Delete(proc, recursive: true);
        }
    }
}
