using Microsoft.AspNetCore.Http;
using MiniKube.Addons.Ingress;

namespace MiniKube.Addons.Tests.Ingress;

public sealed class DirectResponsesTests
{
    [TestCase("https", null, null, null, "https://site.test/a/b?q=1")]
    [TestCase(null, "other.test", null, null, "http://other.test:8080/a/b?q=1")]
    [TestCase(null, null, 80, "/full", "http://site.test/full?q=1")]
    [TestCase("http", null, 8443, null, "http://site.test:8443/a/b?q=1")]
    public void Location_PartsFromFilterOrRequest_PortOmittedWhenWellKnown(string? scheme, string? host, int? port, string? fullPath, string expected)
    {
        var route = new ProxyRoute { Id = "r", ClusterId = "", Path = "/a", ListenerPort = 8080, Scheme = ListenerScheme.Http };
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString("site.test", 8080);
        context.Request.Path = "/a/b";
        context.Request.QueryString = new QueryString("?q=1");

        var location = DirectResponses.Location(new RedirectAction(scheme, host, port, fullPath, null, 302), route, context.Request);

        Assert.That(location, Is.EqualTo(expected));
    }

    [Test]
    public void Location_ReplacePrefixMatch_OnTheRoutePrefix()
    {
        var route = new ProxyRoute { Id = "r", ClusterId = "", Path = "/a", ListenerPort = 80 };
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString("site.test");
        context.Request.Path = "/a/b";

        Assert.That(DirectResponses.Location(new RedirectAction(null, null, null, null, "/z", 302), route, context.Request), Is.EqualTo("http://site.test/z/b"));
    }

    [Test]
    public void Matches_RegexPathHeaderAndScheme()
    {
        var route = new ProxyRoute
        {
            Id = "r",
            ClusterId = "c",
            PathKind = PathMatchKind.RegularExpression,
            Path = "/v[0-9]+/.*",
            Headers = [new ValueMatch("x-version", "v[12]", IsRegex: true)],
            Scheme = ListenerScheme.Https,
        };

        Assert.Multiple(() =>
        {
            Assert.That(route.Matches("h", "/v2/items", "GET", _ => "v1", _ => null, https: true), Is.True);
            Assert.That(route.Matches("h", "/v2/items", "GET", _ => "v1", _ => null, https: false), Is.False, "an HTTPS listener's route");
            Assert.That(route.Matches("h", "/x/v2/items", "GET", _ => "v1", _ => null, https: true), Is.False, "anchored");
            Assert.That(route.Matches("h", "/v2/items", "GET", _ => "v3", _ => null, https: true), Is.False);
            Assert.That(HostPatterns.Matches("*.example.com", "a.b.example.com", anyDepth: true), Is.True);
        });
    }
}
