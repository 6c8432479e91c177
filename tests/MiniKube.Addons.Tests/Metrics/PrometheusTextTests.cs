using MiniKube.Addons.Metrics;

namespace MiniKube.Addons.Tests.Metrics;

public sealed class PrometheusTextTests
{
    [Test]
    public void Parse_SamplesWithLabelsValuesAndTimestamps()
    {
        var samples = PrometheusText.Parse("""
            # HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds
            # TYPE node_cpu_usage_seconds_total counter
            node_cpu_usage_seconds_total 357.35491 1765000000123

            container_memory_working_set_bytes{container="web",namespace="default",pod="web-1"} 1.2087296e+07 1765000000456
            resource_scrape_error 0
            """);

        Assert.That(samples, Has.Count.EqualTo(3));
        Assert.Multiple(() =>
        {
            Assert.That(samples[0].Name, Is.EqualTo("node_cpu_usage_seconds_total"));
            Assert.That(samples[0].Value, Is.EqualTo(357.35491));
            Assert.That(samples[0].TimestampMs, Is.EqualTo(1765000000123));
            Assert.That(samples[1].Labels, Is.EquivalentTo(new Dictionary<string, string> { ["container"] = "web", ["namespace"] = "default", ["pod"] = "web-1" }));
            Assert.That(samples[1].Value, Is.EqualTo(12087296));
            Assert.That(samples[2].TimestampMs, Is.Null);
        });
    }

    [Test]
    public void Parse_EscapedLabelValuesAndSpecialFloats()
    {
        var samples = PrometheusText.Parse("m{a=\"x\\\"y\\\\z\\n\",b=\"\"} NaN\nm{} +Inf\nm -Inf\n");

        Assert.That(samples[0].Labels["a"], Is.EqualTo("x\"y\\z\n"));
        Assert.That(samples[0].Labels["b"], Is.Empty);
        Assert.That(double.IsNaN(samples[0].Value));
        Assert.That(samples[1].Value, Is.EqualTo(double.PositiveInfinity));
        Assert.That(samples[2].Value, Is.EqualTo(double.NegativeInfinity));
    }

    [TestCase("m{a=\"x} 1")]
    [TestCase("m notanumber")]
    [TestCase("m 1 2 3")]
    [TestCase("m{a=1} 1")]
    public void Parse_Malformed_FormatExceptionNamingTheLine(string line) =>
        Assert.That(() => PrometheusText.Parse("ok 1\n" + line), Throws.TypeOf<FormatException>().With.Message.StartsWith("line 2:"));
}
