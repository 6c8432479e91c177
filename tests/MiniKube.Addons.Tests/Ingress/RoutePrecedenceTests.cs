using MiniKube.Addons.Ingress;
using static MiniKube.Addons.Tests.Ingress.ProxyRouteTests;

namespace MiniKube.Addons.Tests.Ingress;

public sealed class RoutePrecedenceTests
{
    private static readonly DateTimeOffset Then = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void Sort_HostsExactThenWildcardThenNone_DefaultLast()
    {
        var routes = new List<ProxyRoute>
        {
            new() { Id = "fallback", ClusterId = "c", Fallback = true },
            Route("any", host: null),
            Route("wild", host: "*.example.com"),
            Route("wild-longer", host: "*.a.example.com"),
            Route("exact", host: "www.example.com"),
        };
        routes.Sort(RoutePrecedence.Instance);
        Assert.That(routes.Select(r => r.Id), Is.EqualTo(new[] { "exact", "wild-longer", "wild", "any", "fallback" }));
    }

    [Test]
    public void Sort_ExactPathBeforePrefix_LongestPrefixFirst_TrailingSlashIgnored()
    {
        var routes = new List<ProxyRoute>
        {
            Route("root", path: "/"),
            Route("foo-slash", path: "/foo/"),
            Route("foo-bar", path: "/foo/bar"),
            Route("exact-short", pathKind: PathMatchKind.Exact, path: "/f"),
        };
        routes.Sort(RoutePrecedence.Instance);
        Assert.That(routes.Select(r => r.Id), Is.EqualTo(new[] { "exact-short", "foo-bar", "foo-slash", "root" }));
    }

    [Test]
    public void Sort_SamePath_MoreSpecificMatchesThenOldestThenName()
    {
        var routes = new List<ProxyRoute>
        {
            Route("young") with { Created = Then.AddHours(1), Source = "a/a" },
            Route("old-b") with { Created = Then, Source = "b/b" },
            Route("old-a") with { Created = Then, Source = "a/z" },
            Route("header") with { Created = Then.AddDays(1), Headers = [new ValueMatch("x", "1")] },
            Route("method") with { Created = Then.AddDays(1), Method = "GET" },
        };
        routes.Sort(RoutePrecedence.Instance);
        Assert.That(routes.Select(r => r.Id), Is.EqualTo(new[] { "method", "header", "old-a", "old-b", "young" }));
    }
}
