using MiniKube.ApiServer.Health;

namespace MiniKube.ApiServer.Tests.Health;

/// <summary>The process figures /metrics ends with: memory, CPU and the garbage collector's.</summary>
[TestFixture]
public sealed class ApiMetricsTests
{
    [Test]
    public void Render_AfterAFullCollection_CountsItAsGen2AndReportsPauseTime()
    {
        var before = Gen2(new ApiMetrics().Render());

        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        var text = new ApiMetrics().Render();

        Assert.That(Gen2(text), Is.GreaterThanOrEqualTo(before + 1));
        Assert.That(text, Does.Contain("# TYPE dotnet_gc_collections_total counter\n"));
        Assert.That(text, Does.Match("\ndotnet_gc_collections_total\\{gc_heap_generation=\"gen0\"\\} \\d+\n"));
        Assert.That(text, Does.Match("\ndotnet_gc_pause_time_seconds_total [0-9.E-]+\n"));
    }

    [Test]
    public void Render_AfterAnAllocation_CountsItsBytes()
    {
        var before = Sample(new ApiMetrics().Render(), AllocatedSample);

        var held = new byte[1 << 20];
        var after = Sample(new ApiMetrics().Render(), AllocatedSample);
        GC.KeepAlive(held);

        Assert.That(after - before, Is.GreaterThanOrEqualTo(held.Length));
        Assert.That(new ApiMetrics().Render(), Does.Contain("# TYPE dotnet_gc_heap_total_allocated_bytes_total counter\n"));
    }

    private const string AllocatedSample = "dotnet_gc_heap_total_allocated_bytes_total ";

    private static long Gen2(string text) => Sample(text, "dotnet_gc_collections_total{gc_heap_generation=\"gen2\"} ");

    private static long Sample(string text, string sample)
    {
        var line = text.Split('\n').Single(l => l.StartsWith(sample, StringComparison.Ordinal));
        return long.Parse(line[sample.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
