using k8s.Models;
using MiniKube.Addons.Gateway;
using MiniKube.Addons.Ingress;
using static MiniKube.Addons.Tests.Gateway.GatewayObjects;

namespace MiniKube.Addons.Tests.Gateway;

public sealed class GatewayBindingTests
{
    [Test]
    public void Compute_Listeners_PortsProtocolsAndConflictsJudged()
    {
        var tcp = new Listener { Name = "tcp", Port = 9000, Protocol = "TCP" };
        var gateway = NewGateway("default", "gw", Http("web"), Http("odd", port: 8080), tcp, Http("dup"), Https("tls", "secure.test", "cert"), Https("missing", "other.test", "nope"));
        var binding = GatewayBinding.Compute(Inputs([gateway], []));
        ConditionState Condition(string listener, string type) => binding.Listeners.Single(l => l.Listener.Name == listener).Conditions.Single(c => c.Type == type);

        Assert.Multiple(() =>
        {
            Assert.That(Condition("odd", "Accepted"), Is.EqualTo(Condition("odd", "Accepted") with { Status = false, Reason = "PortUnavailable" }));
            Assert.That(Condition("tcp", "Accepted").Reason, Is.EqualTo("UnsupportedProtocol"));
            Assert.That(Condition("web", "Conflicted"), Is.EqualTo(Condition("web", "Conflicted") with { Status = true, Reason = "HostnameConflict" }), "two HTTP listeners on 80 without hostnames");
            Assert.That(Condition("tls", "Programmed").Status, Is.True);
            Assert.That(Condition("tls", "ResolvedRefs").Status, Is.True);
            Assert.That(Condition("missing", "ResolvedRefs").Reason, Is.EqualTo("InvalidCertificateRef"));
            Assert.That(binding.Listeners.Single(l => l.Listener.Name == "tls").SupportedKinds.Select(k => k.Kind), Is.EqualTo(new[] { "HTTPRoute", "GRPCRoute" }));
        });
    }

    [Test]
    public void Compute_OtherClass_NotOurs()
    {
        var gateway = NewGateway("default", "gw", Http("web"));
        gateway.Spec.GatewayClassName = "other";

        var binding = GatewayBinding.Compute(Inputs([gateway], [Route("default", "r", "gw", null, Rule(null, Backend("web-a")))]));

        Assert.That(binding.Gateways, Is.Empty);
        Assert.That(binding.Routes, Is.Empty, "a route naming only another controller's Gateway gets no status from us");
    }

    [Test]
    public void Compute_Attachment_NamespacesHostnamesAndSections()
    {
        var gateway = NewGateway("infra", "gw", Http("same", "*.example.com"), Http("all", "all.test", from: "All"), Http("picked", "picked.test", from: "Selector"));
        gateway.Spec.Listeners![2].AllowedRoutes!.Namespaces!.Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["team"] = "a" } };
        var team = new V1Namespace { Metadata = new V1ObjectMeta { Name = "default", Labels = new Dictionary<string, string> { ["team"] = "a" } } };
        var routes = new[]
        {
            RouteTo("wild", ["foo.bar.example.com", "elsewhere.test"], section: "same", routeNamespace: "infra"),
            RouteTo("foreign", null, section: "same"),
            RouteTo("anywhere", null, section: "all"),
            RouteTo("nohost", ["x.test"], section: "all"),
            RouteTo("selected", null, section: "picked"),
            RouteTo("nosection", null, section: "missing"),
        };
        var binding = GatewayBinding.Compute(Inputs([gateway], routes, namespaces: [team]));
        ParentState Parent(string route) => binding.Routes.Single(r => r.Route.Metadata.Name == route).Parents.Single();

        Assert.Multiple(() =>
        {
            Assert.That(Parent("wild").Accepted.Status, Is.True);
            Assert.That(Parent("wild").Attached.Single().Hostnames, Is.EqualTo(new[] { "foo.bar.example.com" }), "a Gateway wildcard covers several labels");
            Assert.That(Parent("foreign").Accepted.Reason, Is.EqualTo("NotAllowedByListeners"));
            Assert.That(Parent("anywhere").Attached.Single().Hostnames, Is.EqualTo(new[] { "all.test" }));
            Assert.That(Parent("nohost").Accepted.Reason, Is.EqualTo("NoMatchingListenerHostname"));
            Assert.That(Parent("selected").Accepted.Status, Is.True);
            Assert.That(Parent("nosection").Accepted.Reason, Is.EqualTo("NoMatchingParent"));
            Assert.That(binding.Listeners.Select(l => l.AttachedRoutes), Is.EqualTo(new[] { 1, 1, 1 }));
        });
    }

    [Test]
    public void Compute_BackendRefs_KindsGrantsAndExistenceChecked()
    {
        var gateway = NewGateway("default", "gw", Http("web"));
        var invalidKind = Backend("web-a");
        invalidKind.Kind = "ConfigMap";
        var routes = new[]
        {
            Route("default", "ok", "gw", null, Rule(null, Backend("web-a"))),
            Route("default", "missing", "gw", null, Rule(null, Backend("nope"))),
            Route("default", "kind", "gw", null, Rule(null, invalidKind)),
            Route("default", "cross", "gw", null, Rule(null, Backend("web-c", ns: "other"))),
        };

        var denied = GatewayBinding.Compute(Inputs([gateway], routes));
        var granted = GatewayBinding.Compute(Inputs([gateway], routes, [Grant("other", "HTTPRoute", "default", "Service")]));
        string Reason(GatewayBinding binding, string route) => binding.Routes.Single(r => r.Route.Metadata.Name == route).Parents.Single().ResolvedRefs.Reason;

        Assert.Multiple(() =>
        {
            Assert.That(Reason(denied, "ok"), Is.EqualTo("ResolvedRefs"));
            Assert.That(Reason(denied, "missing"), Is.EqualTo("BackendNotFound"));
            Assert.That(Reason(denied, "kind"), Is.EqualTo("InvalidKind"));
            Assert.That(Reason(denied, "cross"), Is.EqualTo("RefNotPermitted"));
            Assert.That(Reason(granted, "cross"), Is.EqualTo("ResolvedRefs"));
        });
    }

    [TestCase("*.example.com", new[] { "a.example.com" }, new[] { "a.example.com" })]
    [TestCase("a.example.com", new[] { "*.example.com" }, new[] { "a.example.com" })]
    [TestCase("*.example.com", new[] { "*.a.example.com", "example.com" }, new[] { "*.a.example.com" })]
    [TestCase(null, new[] { "x.test" }, new[] { "x.test" })]
    [TestCase("x.test", new[] { "y.test" }, new string[0])]
    public void Hostnames_Intersected_MoreSpecificKept(string? listener, string[] route, string[] expected) =>
        Assert.That(GatewayBinding.Hostnames(listener, route), Is.EqualTo(expected));

    [Test]
    public void Ports_ConfiguredOrWellKnown_Served()
    {
        var ports = new GatewayPorts(8080, 8443);

        Assert.Multiple(() =>
        {
            Assert.That(ports.Serves("HTTP", 80), Is.EqualTo(ListenerScheme.Http));
            Assert.That(ports.Serves("HTTP", 8080), Is.EqualTo(ListenerScheme.Http));
            Assert.That(ports.Serves("HTTPS", 8443), Is.EqualTo(ListenerScheme.Https));
            Assert.That(ports.Serves("HTTP", 443), Is.Null, "plain HTTP on the TLS port");
            Assert.That(ports.Serves("HTTP", 9090), Is.Null);
        });
    }

    private static HttpRoute RouteTo(string name, IReadOnlyList<string>? hostnames, string section, string routeNamespace = "default")
    {
        var route = Route(routeNamespace, name, "gw", hostnames, Rule(null, Backend("web-a")));
        route.Spec.ParentRefs![0].Namespace = "infra";
        route.Spec.ParentRefs[0].SectionName = section;
        return route;
    }
}
