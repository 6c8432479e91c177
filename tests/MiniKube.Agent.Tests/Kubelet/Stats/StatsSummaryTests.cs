using MiniKube.Agent.Kubelet.Stats;

namespace MiniKube.Agent.Tests.Kubelet.Stats;

public sealed class StatsSummaryTests
{
    [Test]
    public void Build_NodeAndPodsInTheSummaryApisShape()
    {
        var summary = StatsSummary.Build(ResourceMetricsTextTests.Snapshot());

        var node = summary["node"]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)node["nodeName"], Is.EqualTo("node1"));
            Assert.That((ulong?)node["cpu"]!["usageNanoCores"], Is.EqualTo(150_000_000UL));
            Assert.That((ulong?)node["cpu"]!["usageCoreNanoSeconds"], Is.EqualTo(100_250_000_000UL));
            Assert.That((string?)node["cpu"]!["time"], Is.EqualTo("2025-12-06T05:46:40Z"));
            Assert.That((ulong?)node["memory"]!["workingSetBytes"], Is.EqualTo(1UL << 30));
            Assert.That((ulong?)node["memory"]!["availableBytes"], Is.EqualTo(6UL << 30));
            Assert.That((ulong?)node["memory"]!["rssBytes"], Is.EqualTo(1UL << 29));
        });
        var pod = summary["pods"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That(pod["podRef"]!.ToJsonString(), Is.EqualTo("""{"name":"web","namespace":"default","uid":"uid-1"}"""));
            Assert.That(pod["containers"]!.AsArray().Select(c => (string?)c!["name"]), Is.EqualTo(new[] { "log", "main" }));
            // One container has no rate yet, so neither has the pod; its counters are the sums.
            Assert.That(pod["containers"]![1]!["cpu"]!["usageNanoCores"], Is.Null);
            Assert.That(pod["cpu"]!["usageNanoCores"], Is.Null);
            Assert.That((ulong?)pod["cpu"]!["usageCoreNanoSeconds"], Is.EqualTo(3_000_000_000UL));
            Assert.That((ulong?)pod["memory"]!["workingSetBytes"], Is.EqualTo(12UL << 20));
        });
    }
}
