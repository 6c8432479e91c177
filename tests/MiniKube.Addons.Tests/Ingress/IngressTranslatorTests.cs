using k8s.Models;
using MiniKube.Addons.Ingress;
using MiniKube.Addons.Tests.Dns;
using static MiniKube.Addons.Tests.Dns.DnsObjects;
using static MiniKube.Addons.Tests.Ingress.IngressObjects;

namespace MiniKube.Addons.Tests.Ingress;

public sealed class IngressTranslatorTests
{
    private static readonly FixedServiceDirectory Services = new(
        [
            ClusterIpService("default", "web", "10.43.0.20", Port("http", 80)),
            ClusterIpService("default", "grpc", "10.43.0.21", new V1ServicePort { Name = "grpc", Port = 9000, AppProtocol = "kubernetes.io/h2c" }),
        ],
        [
            Slice("default", "web", [new Discoveryv1EndpointPort { Name = "http", Port = 8080, Protocol = "TCP" }], Endpoint("10.42.0.5"), Endpoint("10.42.0.6", ready: false), Endpoint("10.42.0.7", ready: null)),
            Slice("default", "grpc", [new Discoveryv1EndpointPort { Name = "grpc", Port = 9000, Protocol = "TCP" }], Endpoint("fd00::5")),
        ]);

    [Test]
    public void Translate_RulesAndDefaultBackend_RoutesInPrecedenceOrder()
    {
        var ingress = NewIngress("default", "site",
            Rule(null, Path("/", "Prefix", "web", 80)),
            Rule("*.example.com", Path("/", "ImplementationSpecific", "web", 80)),
            Rule("www.example.com", Path("/api", "Prefix", "web", 80), Path("/api/v1", "Exact", "web", 80)));
        ingress.Spec.DefaultBackend = Backend("web", 80);

        var table = IngressTranslator.Translate([ingress], Services, (_, _) => null);

        Assert.Multiple(() =>
        {
            Assert.That(table.Routes.Select(r => (r.Host, r.PathKind, r.Path, r.Fallback)), Is.EqualTo(new (string?, PathMatchKind, string, bool)[]
            {
                ("www.example.com", PathMatchKind.Exact, "/api/v1", false),
                ("www.example.com", PathMatchKind.Prefix, "/api", false),
                ("*.example.com", PathMatchKind.Prefix, "/", false),
                (null, PathMatchKind.Prefix, "/", false),
                (null, PathMatchKind.Prefix, "/", true),
            }));
            Assert.That(table.Clusters.Select(c => c.ClusterId), Is.EqualTo(new[] { "default/web:80" }), "one cluster per Service port");
        });
    }

    [Test]
    public void Translate_Backends_ReadyEndpointsAtTheSlicePort_AndH2cForAppProtocol()
    {
        var ingress = NewIngress("default", "site", Rule("a.test", Path("/", "Prefix", "web", 80), Path("/grpc", "Prefix", "grpc", 9000)));

        var table = IngressTranslator.Translate([ingress], Services, (_, _) => null);

        var web = table.Clusters.Single(c => c.ClusterId == "default/web:80");
        var grpc = table.Clusters.Single(c => c.ClusterId == "default/grpc:9000");
        Assert.Multiple(() =>
        {
            Assert.That(web.Destinations!.Values.Select(d => d.Address), Is.EquivalentTo(new[] { "http://10.42.0.5:8080", "http://10.42.0.7:8080" }), "not-ready endpoints are left out; unset counts as ready");
            Assert.That(web.HealthCheck?.Passive?.Enabled, Is.True);
            Assert.That(grpc.Destinations!.Values.Select(d => d.Address), Is.EqualTo(new[] { "http://[fd00::5]:9000" }));
            Assert.That(grpc.HttpRequest?.Version, Is.EqualTo(System.Net.HttpVersion.Version20));
            Assert.That(grpc.HttpRequest?.VersionPolicy, Is.EqualTo(HttpVersionPolicy.RequestVersionExact));
        });
    }

    [Test]
    public void Translate_MissingService_ClusterWithoutDestinations()
    {
        var table = IngressTranslator.Translate([NewIngress("default", "site", Rule("a.test", Path("/", "Prefix", "nope", 80)))], Services, (_, _) => null);

        Assert.That(table.Clusters.Single().Destinations, Is.Empty);
    }

    [Test]
    public void Translate_Tls_CertificatesAndRedirectHosts_UnlessAnnotatedOff()
    {
        var secret = TlsSecret("default", "a-cert", "a.test");
        var secure = NewIngress("default", "secure", Rule("a.test", Path("/", "Prefix", "web", 80)), Rule("b.test", Path("/", "Prefix", "web", 80)));
        secure.Spec.Tls = [new V1IngressTLS { Hosts = ["A.test"], SecretName = "a-cert" }, new V1IngressTLS { SecretName = "missing" }];
        var optOut = NewIngress("default", "plain", Rule("c.test", Path("/", "Prefix", "web", 80)));
        optOut.Spec.Tls = [new V1IngressTLS { Hosts = ["c.test"], SecretName = "a-cert" }];
        optOut.Metadata.Annotations = new Dictionary<string, string> { ["nginx.ingress.kubernetes.io/ssl-redirect"] = "false" };

        var table = IngressTranslator.Translate([secure, optOut], Services, (ns, name) => ns == "default" && name == "a-cert" ? secret : null);

        Assert.Multiple(() =>
        {
            Assert.That(table.RedirectHosts, Is.EquivalentTo(new[] { "a.test", "b.test" }), "a tls entry without hosts covers the Ingress's rule hosts");
            Assert.That(table.Tls.Select(t => string.Join(",", t.Hosts)), Is.EquivalentTo(new[] { "a.test", "c.test" }), "the Secret that is missing offers nothing");
        });
    }
}
