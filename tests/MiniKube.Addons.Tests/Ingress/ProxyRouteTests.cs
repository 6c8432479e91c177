using MiniKube.Addons.Ingress;

namespace MiniKube.Addons.Tests.Ingress;

public sealed class ProxyRouteTests
{
    // The Ingress spec's examples (concepts/services-networking/ingress, "Examples" table).
    [TestCase("/", "/anything", true)]
    [TestCase("/foo", "/foo", true)]
    [TestCase("/foo", "/foo/", true)]
    [TestCase("/foo/", "/foo", true)]
    [TestCase("/foo", "/foo/bar", true)]
    [TestCase("/aaa/bb", "/aaa/bbb", false)]
    [TestCase("/aaa/bbb", "/aaa/bbbxyz", false)]
    [TestCase("/foo", "/Foo", false)]
    public void PrefixMatches_IngressSpecExamples(string prefix, string path, bool expected) =>
        Assert.That(ProxyRoute.PrefixMatches(prefix, path), Is.EqualTo(expected));

    [TestCase("/foo", true)]
    [TestCase("/foo/", false)]
    [TestCase("/FOO", false)]
    [TestCase("/foo/bar", false)]
    public void Matches_ExactPath_WholePathCaseSensitive(string path, bool expected) =>
        Assert.That(Route(pathKind: PathMatchKind.Exact, path: "/foo").Matches("a.test", path, "GET", _ => null, _ => null), Is.EqualTo(expected));

    [TestCase("*.example.com", "bar.example.com", true)]
    [TestCase("*.example.com", "BAR.Example.com", true)]
    [TestCase("*.example.com", "baz.bar.example.com", false)]
    [TestCase("*.example.com", "example.com", false)]
    [TestCase("*.example.com", ".example.com", false)]
    [TestCase("example.com", "EXAMPLE.com", true)]
    [TestCase("example.com", "www.example.com", false)]
    public void HostMatches_WildcardIsOneLabel(string pattern, string host, bool expected) =>
        Assert.That(HostPatterns.Matches(pattern, host), Is.EqualTo(expected));

    [TestCase("a.test:8080", "a.test")]
    [TestCase("A.Test", "a.test")]
    [TestCase("[::1]:443", "[::1]")]
    public void WithoutPort_StripsPortAndLowers(string header, string expected) =>
        Assert.That(HostPatterns.WithoutPort(header), Is.EqualTo(expected));

    [Test]
    public void Matches_HeadersQueryAndMethod_AllRequired()
    {
        var route = Route() with { Method = "POST", Headers = [new ValueMatch("x-env", "canary")], Query = [new ValueMatch("v", "2")] };
        Assert.Multiple(() =>
        {
            Assert.That(route.Matches("a.test", "/", "post", h => h == "x-env" ? "canary" : null, q => q == "v" ? "2" : null), Is.True);
            Assert.That(route.Matches("a.test", "/", "GET", h => h == "x-env" ? "canary" : null, q => q == "v" ? "2" : null), Is.False);
            Assert.That(route.Matches("a.test", "/", "POST", _ => "stable", q => q == "v" ? "2" : null), Is.False);
            Assert.That(route.Matches("a.test", "/", "POST", h => h == "x-env" ? "canary" : null, _ => null), Is.False);
        });
    }

    [Test]
    public void Matches_NoHost_AnyHost() =>
        Assert.That(Route(host: null).Matches("whatever.example", "/x", "GET", _ => null, _ => null), Is.True);

    [Test]
    public void MatchesWholeHost_OnlyWhenHostAloneDecides()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Route().MatchesWholeHost, Is.True, "a host, Prefix /");
            Assert.That(Route(host: null).MatchesWholeHost, Is.True, "any host, Prefix /");
            Assert.That(Route(path: "").MatchesWholeHost, Is.True, "an empty prefix is /");
            Assert.That(Route(host: "*.a.test").MatchesWholeHost, Is.False, "a wildcard covers one label, ASP.NET's any number");
            Assert.That(Route(path: "/api").MatchesWholeHost, Is.False);
            Assert.That(Route(pathKind: PathMatchKind.Exact).MatchesWholeHost, Is.False, "Exact / is not every path");
            Assert.That(Route(pathKind: PathMatchKind.RegularExpression, path: ".*").MatchesWholeHost, Is.False);
            Assert.That((Route() with { Scheme = ListenerScheme.Https }).MatchesWholeHost, Is.False, "one listener only");
            Assert.That((Route() with { Method = "GET" }).MatchesWholeHost, Is.False);
            Assert.That((Route() with { Headers = [new ValueMatch("x-env", "canary")] }).MatchesWholeHost, Is.False);
            Assert.That((Route() with { Query = [new ValueMatch("v", "2")] }).MatchesWholeHost, Is.False);
        });
    }

    internal static ProxyRoute Route(string id = "r", string? host = "a.test", PathMatchKind pathKind = PathMatchKind.Prefix, string path = "/") =>
        new() { Id = id, Host = host, PathKind = pathKind, Path = path, ClusterId = "c" };
}
