using MiniKube.Addons.Metrics;
using MiniKube.Api;

namespace MiniKube.Addons.Tests.Metrics;

public sealed class KubeletScrapeTests
{
    private static readonly DateTimeOffset Scraped = DateTimeOffset.FromUnixTimeMilliseconds(1_765_000_010_000);

    // As a kubelet's /metrics/resource writes it (pkg/kubelet/metrics/collectors/resource_metrics.go).
    private const string Text = """
        # HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds
        # TYPE container_cpu_usage_seconds_total counter
        container_cpu_usage_seconds_total{container="web",namespace="default",pod="web-1"} 2.5 1765000000000
        container_cpu_usage_seconds_total{container="log",namespace="default",pod="web-1"} 0.5 1765000000000
        container_cpu_usage_seconds_total{container="half",namespace="default",pod="other"} 0.5 1765000000000
        # HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes
        # TYPE container_memory_working_set_bytes gauge
        container_memory_working_set_bytes{container="web",namespace="default",pod="web-1"} 1.048576e+07 1765000000000
        container_memory_working_set_bytes{container="log",namespace="default",pod="web-1"} 2.097152e+06 1765000000000
        # HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch in seconds
        # TYPE container_start_time_seconds gauge
        container_start_time_seconds{container="web",namespace="default",pod="web-1"} 1.7649999e+09 1764999900000
        # HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds
        # TYPE node_cpu_usage_seconds_total counter
        node_cpu_usage_seconds_total 100.25
        # HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes
        # TYPE node_memory_working_set_bytes gauge
        node_memory_working_set_bytes 1.073741824e+09 1765000000000
        # HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise
        # TYPE resource_scrape_error gauge
        resource_scrape_error 0
        """;

    [Test]
    public void Decode_NodeAndContainersWithBothFigures()
    {
        var scrape = KubeletScrape.Decode(Text, Scraped);

        Assert.Multiple(() =>
        {
            // No timestamp on the node's counter: stamped with the scrape's time.
            Assert.That(scrape.NodeCpu, Is.EqualTo(new CpuReading(Scraped, 100_250_000_000)));
            Assert.That(scrape.NodeWorkingSetBytes, Is.EqualTo(1UL << 30));
            // "other" has no working set: left out, as metrics-server's decoder drops it.
            Assert.That(scrape.Pods.Keys, Is.EquivalentTo(new[] { new NamespacedName("default", "web-1") }));
        });
        var containers = scrape.Pods[new NamespacedName("default", "web-1")];
        Assert.That(containers.Select(c => c.Name), Is.EqualTo(new[] { "log", "web" }));
        Assert.Multiple(() =>
        {
            Assert.That(containers[1].Cpu, Is.EqualTo(new CpuReading(DateTimeOffset.FromUnixTimeMilliseconds(1_765_000_000_000), 2_500_000_000)));
            Assert.That(containers[1].WorkingSetBytes, Is.EqualTo(10UL << 20));
            Assert.That(containers[1].StartTime, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1_764_999_900)));
            Assert.That(containers[0].StartTime, Is.Null);
        });
    }
}
