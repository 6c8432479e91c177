using MiniKube.Addons.Metrics;
using MiniKube.Api;

namespace MiniKube.Addons.Tests.Metrics;

public sealed class MetricsStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 0, 0, 0, TimeSpan.Zero);
    private static readonly NamespacedName Web = new("default", "web");

    private static KubeletScrape Scrape(double seconds, ulong nodeCpuNanos, params (NamespacedName Pod, string Container, ulong CpuNanos, ulong Memory, double Started)[] containers)
    {
        var time = T0.AddSeconds(seconds);
        return new KubeletScrape(new CpuReading(time, nodeCpuNanos), 512UL << 20, containers
            .GroupBy(c => c.Pod)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<ContainerReading>)g.Select(c => new ContainerReading(c.Container, new CpuReading(time, c.CpuNanos), c.Memory, T0.AddSeconds(c.Started))).ToList()));
    }

    [Test]
    public void Node_OneScrape_NoMetricsYet()
    {
        var store = new MetricsStore();
        store.Store("a", Scrape(0, 1_000), T0);

        Assert.That(store.Node("a"), Is.Null);
        Assert.That(store.Node("unknown"), Is.Null);
    }

    [Test]
    public void Node_TwoScrapes_RateOverTheWindow()
    {
        var store = new MetricsStore();
        store.Store("a", Scrape(0, 10_000_000_000), T0);
        store.Store("a", Scrape(15, 13_000_000_000), T0.AddSeconds(15));

        Assert.That(store.Node("a"), Is.EqualTo(new NodeUsagePoint(T0.AddSeconds(15), TimeSpan.FromSeconds(15), 200_000_000, 512UL << 20)));
    }

    [Test]
    public void Pod_TwoScrapes_EachContainersRate()
    {
        var store = new MetricsStore();
        store.Store("a", Scrape(0, 0, (Web, "main", 0, 1 << 20, -5), (Web, "log", 1_000_000_000, 2 << 20, -5)), T0);
        store.Store("a", Scrape(10, 0, (Web, "main", 1_000_000_000, 3 << 20, -5), (Web, "log", 1_100_000_000, 4 << 20, -5)), T0.AddSeconds(10));

        var pod = store.Pod("default", "web");

        Assert.That(pod, Is.Not.Null);
        Assert.That(pod!.Window, Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(pod.Containers, Is.EqualTo(new[] { new ContainerUsagePoint("main", 100_000_000, 3 << 20), new ContainerUsagePoint("log", 10_000_000, 4 << 20) }));
    }

    [Test]
    public void Pod_ContainerRestartedBetweenScrapes_NoMetricsUntilTheNextScrape()
    {
        var store = new MetricsStore();
        store.Store("a", Scrape(0, 0, (Web, "main", 5_000_000_000, 1 << 20, -5)), T0);
        store.Store("a", Scrape(15, 0, (Web, "main", 100_000_000, 1 << 20, 12)), T0.AddSeconds(15));
        Assert.That(store.Pod("default", "web"), Is.Null);

        store.Store("a", Scrape(30, 0, (Web, "main", 400_000_000, 1 << 20, 12)), T0.AddSeconds(30));
        Assert.That(store.Pod("default", "web")!.Containers.Single().CpuNanoCores, Is.EqualTo(20_000_000UL));
    }

    [Test]
    public void Pod_GoneFromTheNodesScrape_Forgotten()
    {
        var store = new MetricsStore();
        store.Store("a", Scrape(0, 0, (Web, "main", 0, 1, 0)), T0);
        store.Store("a", Scrape(15, 0, (Web, "main", 15, 1, 0)), T0.AddSeconds(15));
        store.Store("a", Scrape(30, 0), T0.AddSeconds(30));

        Assert.That(store.Pod("default", "web"), Is.Null);
    }

    [Test]
    public void Forget_DeletedNode_ItsNodeAndPodsGone()
    {
        var store = new MetricsStore();
        store.Store("a", Scrape(0, 0, (Web, "main", 0, 1, 0)), T0);
        store.Store("a", Scrape(15, 15, (Web, "main", 15, 1, 0)), T0.AddSeconds(15));

        store.Forget("a");

        Assert.That(store.Node("a"), Is.Null);
        Assert.That(store.Pod("default", "web"), Is.Null);
        Assert.That(store.Nodes, Is.Empty);
    }
}
