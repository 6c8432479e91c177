using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Addons.Gateway;
using MiniKube.Addons.Tests.Ingress;
using static MiniKube.Addons.Tests.Gateway.GatewayObjects;

namespace MiniKube.Addons.Tests.Gateway;

/// <summary>
/// The Gateway API served by the ingress data plane (the real proxy on loopback) against the
/// in-process API server, as a node's data plane user (system:mkube:ingress:node-a): host and header matches, a 90/10 split, the
/// filters, and a cross-namespace backend that works only once a ReferenceGrant permits it.
/// </summary>
[Category("Integration")]
public sealed class GatewayDataPlaneIntegrationTests
{
    private const string Group = "gateway.networking.k8s.io";

    private ProxyTestBed _bed = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _bed = await ProxyTestBed.StartAsync(
            client => [new GatewayTableSource(client, NullLoggerFactory.Instance, TimeProvider.System, new GatewayPorts(0, 0))],
            TestGatewayCrds.CreateAsync);
        await _bed.Admin.CustomObjects.CreateClusterCustomObjectAsync(Class(), Group, "v1", "gatewayclasses");
        await _bed.Admin.CustomObjects.CreateNamespacedCustomObjectAsync(NewGateway("default", "gw", Http("web")), Group, "v1", "default", "gateways");
    }

    [TearDown]
    public async Task TearDownAsync() => await _bed.DisposeAsync();

    [Test]
    public async Task Proxy_HeaderMatchAndNinetyTenSplit_RoutedAsWritten()
    {
        var canary = new HttpRouteMatch { Headers = [new HttpValueMatch { Name = "env", Value = "canary" }] };
        var route = Route("default", "split", "gw", ["split.test"], Rule(canary, Backend("web-b")), Rule(null, Backend("web-a", 90), Backend("web-b", 10)));
        await CreateAsync(route);
        await _bed.EventuallyAsync("split.test", "/", tls: false, expect: "B split.test", new Dictionary<string, string> { ["env"] = "canary" });

        var toA = 0;
        const int Requests = 500;
        for (var i = 0; i < Requests; i++)
        {
            var reply = await _bed.SendAsync("split.test", "/", tls: false);
            Assert.That(reply.Status, Is.EqualTo(HttpStatusCode.OK));
            toA += reply.Body.StartsWith("A ", StringComparison.Ordinal) ? 1 : 0;
        }

        Assert.Multiple(async () =>
        {
            // Binomial(500, 0.9): mean 450, standard deviation 6.7; these bounds are five of them.
            Assert.That(toA, Is.InRange(416, 484));
            Assert.That((await _bed.SendAsync("other.test", "/", tls: false)).Status, Is.EqualTo(HttpStatusCode.NotFound), "a host the route does not name");
            Assert.That((await _bed.SendAsync("split.test", "/", tls: true)).Status, Is.EqualTo(HttpStatusCode.NotFound), "no HTTPS listener");
        });
    }

    [Test]
    public async Task Proxy_FiltersAndReferenceGrant_AsTheRouteSays()
    {
        await _bed.Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "other" } });
        await _bed.ServiceAsync("other", "web-c", _bed.B.Port);
        var headers = Rule(Prefix("/headers"), Backend("web-a"));
        headers.Filters =
        [
            new HttpRouteFilter { Type = "RequestHeaderModifier", RequestHeaderModifier = new HeaderFilter { Set = [new HttpHeader { Name = "x-set", Value = "1" }], Remove = ["x-gone"] } },
            new HttpRouteFilter { Type = "ResponseHeaderModifier", ResponseHeaderModifier = new HeaderFilter { Add = [new HttpHeader { Name = "x-answer", Value = "yes" }] } },
        ];
        var rewrite = Rule(Prefix("/old"), Backend("web-a"));
        rewrite.Filters = [new HttpRouteFilter { Type = "URLRewrite", UrlRewrite = new UrlRewriteFilter { Hostname = "inner.test", Path = new HttpPathModifier { Type = "ReplacePrefixMatch", ReplacePrefixMatch = "/new" } } }];
        var redirect = Rule(Prefix("/moved"));
        redirect.Filters = [new HttpRouteFilter { Type = "RequestRedirect", RequestRedirect = new RequestRedirectFilter { Scheme = "https", StatusCode = 301 } }];
        var cross = Rule(Prefix("/cross"), Backend("web-c", ns: "other"));
        await CreateAsync(Route("default", "filters", "gw", ["f.test"], headers, rewrite, redirect, cross));

        var seen = await _bed.EventuallyAsync("f.test", "/headers", tls: false, expect: "A f.test", new Dictionary<string, string> { ["x-gone"] = "a", ["x-kept"] = "b" });
        var rewritten = await _bed.SendAsync("f.test", "/old/page", tls: false);
        var moved = await _bed.SendAsync("f.test", "/moved/here?q=1", tls: false);
        var denied = await _bed.SendAsync("f.test", "/cross", tls: false);
        await _bed.Admin.CustomObjects.CreateNamespacedCustomObjectAsync(Grant("other", "HTTPRoute", "default", "Service"), Group, "v1beta1", "other", "referencegrants");
        var granted = await _bed.EventuallyAsync("f.test", "/cross", tls: false, expect: "B f.test");

        Assert.Multiple(() =>
        {
            Assert.That(seen.Headers["x-seen"].Split(';'), Does.Contain("x-kept=b").And.Contain("x-set=1").And.None.StartsWith("x-gone"));
            Assert.That(seen.Headers["x-answer"], Is.EqualTo("yes"));
            Assert.That(rewritten.Body, Does.StartWith("A inner.test /new/page "));
            Assert.That(moved.Status, Is.EqualTo(HttpStatusCode.MovedPermanently));
            Assert.That(moved.Location, Is.EqualTo("https://f.test/moved/here?q=1"));
            Assert.That(denied.Status, Is.EqualTo(HttpStatusCode.InternalServerError), "a backend no ReferenceGrant permits");
            Assert.That(granted.Body, Does.StartWith("B f.test"));
        });
    }

    private Task<object> CreateAsync(HttpRoute route) =>
        _bed.Admin.CustomObjects.CreateNamespacedCustomObjectAsync(route, Group, "v1", route.Metadata.NamespaceProperty, "httproutes");
}
