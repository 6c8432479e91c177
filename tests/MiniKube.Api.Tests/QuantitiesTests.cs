using k8s.Models;

namespace MiniKube.Api.Tests;

public class QuantitiesTests
{
    [TestCase("500m", 500, 1)]
    [TestCase("2", 2000, 2)]
    [TestCase("1.5", 1500, 2)]
    [TestCase("1n", 1, 1)]
    [TestCase("1Ki", 1024000, 1024)]
    public void MilliAndValue_RoundUpAsUpstream(string text, long milli, long value)
    {
        var quantity = new ResourceQuantity(text);

        Assert.Multiple(() =>
        {
            Assert.That(Quantities.Milli(quantity), Is.EqualTo(milli));
            Assert.That(Quantities.Value(quantity), Is.EqualTo(value));
        });
    }

    [Test]
    public void MilliAndValue_OfAResourceList_ZeroWhenAbsent()
    {
        var resources = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("250m"), ["memory"] = new("64Mi") };

        Assert.Multiple(() =>
        {
            Assert.That(Quantities.Milli(resources, "cpu"), Is.EqualTo(250));
            Assert.That(Quantities.Value(resources, "memory"), Is.EqualTo(64L * 1024 * 1024));
            Assert.That(Quantities.Value(resources, "pods"), Is.Zero);
            Assert.That(Quantities.Milli(null, "cpu"), Is.Zero);
        });
    }

    [TestCase("500m", 0.5)]
    [TestCase("1.5", 1.5)]
    [TestCase("2Gi", 2147483648.0)]
    [TestCase("1e3", 1000.0)]
    [TestCase("1E-3", 0.001)]
    [TestCase("-1k", -1000.0)]
    public void TryParse_Valid(string text, double expected)
    {
        Assert.That(Quantities.TryParse(text, out var value), Is.True);
        Assert.That(value, Is.EqualTo((decimal)expected));
    }

    [TestCase("")]
    [TestCase("Gi")]
    [TestCase("1GB")]
    [TestCase("1e99")]
    [TestCase("abc")]
    public void TryParse_Invalid(string text) =>
        Assert.That(Quantities.TryParse(text, out _), Is.False);

    [TestCase("1024Mi", "1Gi")]
    [TestCase("1536Mi", "1536Mi")]
    [TestCase("1.5Gi", "1536Mi")]
    [TestCase("512Ki", "512Ki")]
    [TestCase("100Ki", "100Ki")]
    [TestCase("1000Ki", "1000Ki")]
    [TestCase("0.5Ki", "512")]
    [TestCase("0.1", "100m")]
    [TestCase("1000m", "1")]
    [TestCase("1500", "1500")]
    [TestCase("2000", "2k")]
    [TestCase("1.5k", "1500")]
    [TestCase("0.5e3", "500")]
    [TestCase("1e3", "1e3")]
    [TestCase("1e4", "10e3")]
    [TestCase("0", "0")]
    [TestCase("0Gi", "0")]
    [TestCase("1n", "1n")]
    [TestCase("0.0000000001", "1n")]
    [TestCase("250u", "250u")]
    [TestCase("-500m", "-500m")]
    [TestCase("2G", "2G")]
    public void Canonical_AsQuantityString(string text, string canonical)
    {
        Assert.That(Quantities.TryParse(text, out var value, out var format), Is.True);

        Assert.That(Quantities.Canonical(value, format), Is.EqualTo(canonical));
    }

    [TestCase("1Gi", QuantityFormat.BinarySI)]
    [TestCase("1G", QuantityFormat.DecimalSI)]
    [TestCase("1", QuantityFormat.DecimalSI)]
    [TestCase("1E", QuantityFormat.DecimalSI)]
    [TestCase("1e6", QuantityFormat.DecimalExponent)]
    public void TryParse_Suffix_TellsTheFormat(string text, QuantityFormat format)
    {
        Assert.That(Quantities.TryParse(text, out _, out var parsed), Is.True);

        Assert.That(parsed, Is.EqualTo(format));
    }
}
