using MiniKube.ApiServer.Admission;

namespace MiniKube.ApiServer.Tests.Admission;

public sealed class NetworkFormatsTests
{
    [TestCase("10.0.0.0/8", true)]
    [TestCase("10.1.2.3/32", true)]
    [TestCase("fd00::/64", true)]
    [TestCase("10.0.0.0", false)]
    [TestCase("10.0.0/8", false)]
    [TestCase("10.0.0.0/33", false)]
    [TestCase("10.0.0.0/08x", false)]
    [TestCase("fd00::/129", false)]
    public void TryParseCidr_ReadsWhatGoReads(string cidr, bool valid)
    {
        Assert.That(NetworkFormats.TryParseCidr(cidr, out _, out _), Is.EqualTo(valid));
    }

    [TestCase("10.0.0.0/16", "10.0.5.0/24", true)]
    [TestCase("10.0.0.0/16", "10.0.0.0/16", false)]
    [TestCase("10.0.0.0/16", "10.1.0.0/24", false)]
    [TestCase("10.0.0.0/16", "fd00::/64", false)]
    public void IsStrictSubset_NeedsInsideAndSmaller(string outer, string inner, bool expected)
    {
        Assert.That(NetworkFormats.TryParseCidr(outer, out var network, out var prefix), Is.True);
        Assert.That(NetworkFormats.TryParseCidr(inner, out var innerNetwork, out var innerPrefix), Is.True);

        Assert.That(NetworkFormats.IsStrictSubset(network, prefix, innerNetwork, innerPrefix), Is.EqualTo(expected));
    }

    [Test]
    public void IsDomainPrefixedPath_NeedsADomainAndAPath()
    {
        Assert.That(NetworkFormats.IsDomainPrefixedPath("k8s.io/ingress-nginx"), Is.Empty);
        Assert.That(NetworkFormats.IsDomainPrefixedPath("/x"), Is.EqualTo(new[] { "must be a domain-prefixed path (such as \"acme.io/foo\")" }));
        Assert.That(NetworkFormats.IsDomainPrefixedPath("a.io/x y"), Is.EqualTo(new[] { "Invalid path" }));
    }
}
