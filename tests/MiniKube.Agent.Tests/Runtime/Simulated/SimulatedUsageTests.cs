using Microsoft.Extensions.Time.Testing;
using MiniKube.Api;
using MiniKube.Agent.Runtime;
using MiniKube.Agent.Runtime.Simulated;

namespace MiniKube.Agent.Tests.Runtime.Simulated;

public sealed class SimulatedUsageTests
{
    private static ContainerInfo Running(string id, string podUid, string name, DateTimeOffset started) =>
        new(id, podUid, name, 0, false, ContainerState.Running, "nginx", "sha256:simulated") { StartedAt = started };

    [Test]
    public void Container_CpuGrowsAtItsRate_MemoryStays()
    {
        var started = new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero);
        var container = Running("container-1", "uid-a", "web", started);
        var (millicores, workingSet) = SimulatedUsage.Profile(container);

        var first = SimulatedUsage.Container(container, started.AddSeconds(10));
        var second = SimulatedUsage.Container(container, started.AddSeconds(25));

        Assert.Multiple(() =>
        {
            Assert.That(millicores, Is.InRange(1UL, 20UL));
            Assert.That(workingSet, Is.InRange(8UL << 20, 63UL << 20));
            Assert.That(first.CpuUsageCoreNanoSeconds, Is.EqualTo(10 * millicores * 1_000_000));
            Assert.That(CpuRate.NanoCores(first.CpuUsageCoreNanoSeconds, first.Time, second.CpuUsageCoreNanoSeconds, second.Time), Is.EqualTo(millicores * 1_000_000));
            Assert.That(second.WorkingSetBytes, Is.EqualTo(first.WorkingSetBytes));
        });
    }

    [Test]
    public void Profile_SamePodAndName_SameAfterRestart() =>
        Assert.That(SimulatedUsage.Profile(Running("container-1", "uid-a", "web", DateTimeOffset.UnixEpoch)),
            Is.EqualTo(SimulatedUsage.Profile(Running("container-9", "uid-a", "web", DateTimeOffset.UnixEpoch))));

    [Test]
    public void Node_CounterNeverGoesBack_WhenContainersGo()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero));
        var usage = new SimulatedUsage(time);
        var busy = Enumerable.Range(0, 5).Select(i => Running($"c{i}", $"uid-{i}", "app", time.GetUtcNow())).ToList();

        time.Advance(TimeSpan.FromSeconds(15));
        var withPods = usage.Node(busy);
        time.Advance(TimeSpan.FromSeconds(15));
        var without = usage.Node([]);

        Assert.Multiple(() =>
        {
            Assert.That(without.CpuUsageCoreNanoSeconds, Is.GreaterThan(withPods.CpuUsageCoreNanoSeconds));
            // 50 millicores of its own over the last 15 s.
            Assert.That(without.CpuUsageCoreNanoSeconds - withPods.CpuUsageCoreNanoSeconds, Is.EqualTo(750_000_000UL));
            Assert.That(withPods.WorkingSetBytes, Is.GreaterThan(without.WorkingSetBytes));
            Assert.That(without.WorkingSetBytes, Is.EqualTo(256UL << 20));
        });
    }
}
