using k8s;
using MiniKube.Addons.Gateway;
using MiniKube.Addons.Ingress;
using static MiniKube.Addons.Tests.Gateway.GatewayObjects;

namespace MiniKube.Addons.Tests.Gateway;

public sealed class GatewayTranslatorTests
{
    private static ProxyTable Translate(GatewayInputs inputs) => GatewayTranslator.Translate(GatewayBinding.Compute(inputs), inputs);

    [Test]
    public void Translate_Precedence_ExactThenLongestPrefixThenMatchesThenOldest()
    {
        var gateway = NewGateway("default", "gw", Http("web"));
        var headers = Prefix("/");
        headers.Headers = [new HttpValueMatch { Name = "version", Value = "two" }];
        var older = Route("default", "older", "gw", ["site.test"], Rule(Prefix("/api"), Backend("web-a")));
        var newer = Route("default", "newer", "gw", ["site.test"], Rule(Prefix("/api"), Backend("web-b")), Rule(new HttpRouteMatch { Path = new HttpPathMatch { Type = "Exact", Value = "/api/x" } }, Backend("web-b")), Rule(headers, Backend("web-b")), Rule(null, Backend("web-a")));
        newer.Metadata.CreationTimestamp = older.Metadata.CreationTimestamp!.Value.AddMinutes(1);

        var table = Translate(Inputs([gateway], [newer, older]));

        Assert.That(table.Routes.Select(r => $"{r.Source} {r.PathKind} {r.Path} {r.Headers.Count}"), Is.EqualTo(new[]
        {
            "default/newer Exact /api/x 0",
            "default/older Prefix /api 0",
            "default/newer Prefix /api 0",
            "default/newer Prefix / 1",
            "default/newer Prefix / 0",
        }));
        Assert.That(table.Routes, Is.All.Matches<ProxyRoute>(r => r.Scheme == ListenerScheme.Http && r.Host == "site.test" && r.WildcardAnyDepth));
    }

    [Test]
    public void Translate_Weights_OneWeightedClusterWithInvalidShareAndZeroLeftOut()
    {
        var gateway = NewGateway("default", "gw", Http("web"));
        var route = Route("default", "split", "gw", null, Rule(null, Backend("web-a", 90), Backend("web-b", 10), Backend("gone", 5), Backend("web-a", 0)));

        var table = Translate(Inputs([gateway], [route]));

        var cluster = table.Clusters.Single();
        Assert.Multiple(() =>
        {
            Assert.That(cluster.LoadBalancingPolicy, Is.EqualTo(WeightedBackends.PolicyName));
            Assert.That(cluster.Destinations!.Values.Select(d => $"{d.Metadata!["mkube.io/backend"]} {d.Metadata["mkube.io/weight"]} {d.Metadata.GetValueOrDefault("mkube.io/status")}"),
                Is.EquivalentTo(new[] { "b0 90 ", "b1 10 ", "b2 5 500" }));
            Assert.That(cluster.Destinations!.Values.Where(d => !d.Metadata!.ContainsKey("mkube.io/status")).Select(d => d.Address), Is.EquivalentTo(new[] { "http://10.0.0.1:8080", "http://10.0.0.2:8080" }));
            Assert.That(table.Routes.Single().ClusterId, Is.EqualTo(cluster.ClusterId));
        });
    }

    [Test]
    public void Translate_NoUsableBackend_FixedFiveHundred()
    {
        var gateway = NewGateway("default", "gw", Http("web"));
        var route = Route("default", "none", "gw", null, Rule(Prefix("/zero"), Backend("web-a", 0)), Rule(Prefix("/empty")));

        var table = Translate(Inputs([gateway], [route]));

        Assert.That(table.Routes.Select(r => (r.Path, r.DirectStatus, r.ClusterId)), Is.EquivalentTo(new[] { ("/zero", (int?)500, ""), ("/empty", (int?)500, "") }));
    }

    [Test]
    public void Translate_Filters_TransformsAndRedirect()
    {
        var gateway = NewGateway("default", "gw", Http("web"));
        var rewrite = Rule(Prefix("/old"), Backend("web-a"));
        rewrite.Filters =
        [
            new HttpRouteFilter { Type = "RequestHeaderModifier", RequestHeaderModifier = new HeaderFilter { Set = [new HttpHeader { Name = "x-set", Value = "1" }], Add = [new HttpHeader { Name = "x-add", Value = "2" }], Remove = ["x-gone"] } },
            new HttpRouteFilter { Type = "ResponseHeaderModifier", ResponseHeaderModifier = new HeaderFilter { Set = [new HttpHeader { Name = "x-answer", Value = "yes" }] } },
            new HttpRouteFilter { Type = "URLRewrite", UrlRewrite = new UrlRewriteFilter { Hostname = "inner.test", Path = new HttpPathModifier { Type = "ReplacePrefixMatch", ReplacePrefixMatch = "/new" } } },
        ];
        var redirect = Rule(Prefix("/moved"));
        redirect.Filters = [new HttpRouteFilter { Type = "RequestRedirect", RequestRedirect = new RequestRedirectFilter { Scheme = "https", StatusCode = 301 } }];
        var mirror = Rule(Prefix("/mirror"), Backend("web-a"));
        mirror.Filters = [new HttpRouteFilter { Type = "RequestMirror" }];

        var table = Translate(Inputs([gateway], [Route("default", "f", "gw", null, rewrite, redirect, mirror)]));
        var transforms = table.Routes.Single(r => r.Path == "/old").Transforms.Select(t => string.Join(",", t.Select(p => $"{p.Key}={p.Value}")));

        Assert.Multiple(() =>
        {
            Assert.That(transforms, Is.EqualTo(new[]
            {
                "RequestHeader=x-set,Set=1",
                "RequestHeader=x-add,Append=2",
                "RequestHeaderRemove=x-gone",
                "ResponseHeader=x-answer,Set=yes,When=Always",
                "RequestHeader=Host,Set=inner.test",
                "MkubeReplacePrefix=/old,With=/new",
            }));
            Assert.That(table.Routes.Single(r => r.Path == "/moved").Redirect, Is.EqualTo(new RedirectAction("https", null, null, null, null, 301)));
            Assert.That(table.Routes.Single(r => r.Path == "/mirror").DirectStatus, Is.EqualTo(500), "a filter that cannot be applied is not skipped");
        });
    }

    [Test]
    public void Translate_HttpsListener_CertificateForItsHostname()
    {
        var gateway = NewGateway("default", "gw", Https("tls", "secure.test", "cert"));
        var route = Route("default", "r", "gw", null, Rule(null, Backend("web-a")));

        var table = Translate(Inputs([gateway], [route]));

        Assert.That(table.Tls.Single().Hosts, Is.EqualTo(new[] { "secure.test" }));
        Assert.That(table.Routes.Single().Scheme, Is.EqualTo(ListenerScheme.Https));
    }

    [Test]
    public void Translate_GrpcRoute_MethodMatchesOnThePathOverH2c()
    {
        var gateway = NewGateway("default", "gw", Http("web"));
        var grpc = new GrpcRoute
        {
            ApiVersion = "gateway.networking.k8s.io/v1",
            Kind = "GRPCRoute",
            Metadata = new k8s.Models.V1ObjectMeta { NamespaceProperty = "default", Name = "g", Generation = 1 },
            Spec = new GrpcRouteSpec
            {
                ParentRefs = [new ParentReference { Name = "gw" }],
                Rules =
                [
                    new GrpcRouteRule
                    {
                        Matches =
                        [
                            new GrpcRouteMatch { Method = new GrpcMethodMatch { Service = "pkg.Echo", Method = "Say" } },
                            new GrpcRouteMatch { Method = new GrpcMethodMatch { Service = "pkg.Other" } },
                            new GrpcRouteMatch { Method = new GrpcMethodMatch { Method = "Ping" } },
                        ],
                        BackendRefs = [Backend("web-a")],
                    },
                ],
            },
        };
        var inputs = Inputs([gateway], []) with { GrpcRoutes = [grpc] };

        var table = Translate(inputs);
        var route = table.Routes.Single(r => r.PathKind == PathMatchKind.RegularExpression);

        Assert.Multiple(() =>
        {
            Assert.That(table.Routes.Select(r => $"{r.PathKind} {r.Path}"), Is.EquivalentTo(new[] { "Exact /pkg.Echo/Say", "Prefix /pkg.Other/", $"RegularExpression {route.Path}" }));
            Assert.That(route.Matches("h", "/any.Svc/Ping", "POST", _ => null, _ => null), Is.True);
            Assert.That(route.Matches("h", "/any.Svc/Pong", "POST", _ => null, _ => null), Is.False);
            Assert.That(table.Clusters.Single().HttpRequest?.Version, Is.EqualTo(System.Net.HttpVersion.Version20));
        });
    }

    [Test]
    public void Models_ReadFromTheWire_CamelCaseNames()
    {
        const string json = """
            {"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"r","namespace":"default"},
             "spec":{"parentRefs":[{"name":"gw","sectionName":"web"}],"hostnames":["a.test"],
              "rules":[{"matches":[{"path":{"type":"PathPrefix","value":"/x"},"queryParams":[{"name":"q","value":"1"}]}],
                        "filters":[{"type":"URLRewrite","urlRewrite":{"path":{"type":"ReplaceFullPath","replaceFullPath":"/y"}}}],
                        "backendRefs":[{"name":"web-a","port":80,"weight":3}]}]}}
            """;

        var route = KubernetesJson.Deserialize<HttpRoute>(json);

        Assert.Multiple(() =>
        {
            Assert.That(route.Spec.ParentRefs![0].SectionName, Is.EqualTo("web"));
            Assert.That(route.Spec.Rules![0].Matches![0].QueryParams![0].Value, Is.EqualTo("1"));
            Assert.That(route.Spec.Rules[0].Filters![0].UrlRewrite!.Path!.ReplaceFullPath, Is.EqualTo("/y"));
            Assert.That(route.Spec.Rules[0].BackendRefs![0].Weight, Is.EqualTo(3));
            Assert.That(KubernetesJson.Serialize(route), Does.Contain("\"parentRefs\":[{\"name\":\"gw\",\"sectionName\":\"web\"}]"));
        });
    }
}
