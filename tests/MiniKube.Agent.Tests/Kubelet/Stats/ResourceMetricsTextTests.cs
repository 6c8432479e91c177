using MiniKube.Agent.Kubelet.Stats;
using MiniKube.Agent.Runtime.Stats;

namespace MiniKube.Agent.Tests.Kubelet.Stats;

public sealed class ResourceMetricsTextTests
{
    private static readonly DateTimeOffset Read = DateTimeOffset.FromUnixTimeMilliseconds(1_765_000_000_000);
    private static readonly DateTimeOffset Started = DateTimeOffset.FromUnixTimeSeconds(1_764_999_000);

    internal static NodeStatsSnapshot Snapshot() => new("node1", Started,
        new RatedUsage(new ResourceUsage(Read, 100_250_000_000, 2UL << 30, 1UL << 30, 1UL << 29) { AvailableBytes = 6UL << 30 }, 150_000_000),
        [new PodSample("default", "web", "uid-1", Started,
            [
                new ContainerSample("log", Started, new RatedUsage(new ResourceUsage(Read, 500_000_000, 3UL << 20, 2UL << 20, 1UL << 20), 1_000_000)),
                new ContainerSample("main", Started, new RatedUsage(new ResourceUsage(Read, 2_500_000_000, 12UL << 20, 10UL << 20, 8UL << 20), null)),
            ])],
        ContainersFailed: false);

    [Test]
    public void Build_UpstreamsMetricsWithTimestamps()
    {
        var lines = ResourceMetricsText.Build(Snapshot()).Split('\n');

        string[] expected =
        [
            "# TYPE container_cpu_usage_seconds_total counter",
            "# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes",
            "container_cpu_usage_seconds_total{container=\"main\",namespace=\"default\",pod=\"web\"} 2.5 1765000000000",
            "container_memory_working_set_bytes{container=\"log\",namespace=\"default\",pod=\"web\"} 2097152 1765000000000",
            "container_start_time_seconds{container=\"main\",namespace=\"default\",pod=\"web\"} 1764999000 1764999000000",
            "node_cpu_usage_seconds_total 100.25 1765000000000",
            "node_memory_working_set_bytes 1073741824 1765000000000",
            "pod_cpu_usage_seconds_total{namespace=\"default\",pod=\"web\"} 3 1765000000000",
            "pod_memory_working_set_bytes{namespace=\"default\",pod=\"web\"} 12582912 1765000000000",
            "resource_scrape_error 0",
        ];
        Assert.That(lines, Is.SupersetOf(expected));
    }

    [Test]
    public void Build_RuntimeFailed_ScrapeErrorOne() =>
        Assert.That(ResourceMetricsText.Build(Snapshot() with { Pods = [], ContainersFailed = true }).Split('\n'), Does.Contain("resource_scrape_error 1"));
}
