using k8s.Models;
using MiniKube.Addons.Gateway;
using MiniKube.Addons.Tests.Dns;
using GatewayObject = MiniKube.Addons.Gateway.Gateway;

namespace MiniKube.Addons.Tests.Gateway;

/// <summary>Gateway API objects as a user writes them, and inputs over fixed lists.</summary>
internal static class GatewayObjects
{
    private static readonly DateTime Created = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static GatewayClass Class(string name = "mkube", string controller = MkubeGatewayClass.ControllerName) => new()
    {
        ApiVersion = "gateway.networking.k8s.io/v1",
        Kind = "GatewayClass",
        Metadata = new V1ObjectMeta { Name = name, Generation = 1 },
        Spec = new GatewayClassSpec { ControllerName = controller },
    };

    public static GatewayObject NewGateway(string ns, string name, params Listener[] listeners) => new()
    {
        ApiVersion = "gateway.networking.k8s.io/v1",
        Kind = "Gateway",
        Metadata = new V1ObjectMeta { NamespaceProperty = ns, Name = name, Generation = 1, CreationTimestamp = Created },
        Spec = new GatewaySpec { GatewayClassName = "mkube", Listeners = [.. listeners] },
    };

    public static Listener Http(string name, string? hostname = null, int port = 80, string? from = null) => new()
    {
        Name = name,
        Hostname = hostname,
        Port = port,
        Protocol = "HTTP",
        AllowedRoutes = from is null ? null : new AllowedRoutes { Namespaces = new RouteNamespaces { From = from } },
    };

    public static Listener Https(string name, string? hostname, string secret, string? secretNamespace = null) => new()
    {
        Name = name,
        Hostname = hostname,
        Port = 443,
        Protocol = "HTTPS",
        Tls = new GatewayTlsConfig { CertificateRefs = [new ObjectReference { Name = secret, Namespace = secretNamespace }] },
    };

    public static HttpRoute Route(string ns, string name, string gateway, IReadOnlyList<string>? hostnames, params HttpRouteRule[] rules) => new()
    {
        ApiVersion = "gateway.networking.k8s.io/v1",
        Kind = "HTTPRoute",
        Metadata = new V1ObjectMeta { NamespaceProperty = ns, Name = name, Generation = 1, CreationTimestamp = Created },
        Spec = new HttpRouteSpec
        {
            ParentRefs = [new ParentReference { Name = gateway }],
            Hostnames = hostnames?.ToList(),
            Rules = [.. rules],
        },
    };

    public static HttpRouteRule Rule(HttpRouteMatch? match, params ObjectReference[] backends) => new()
    {
        Matches = match is null ? null : [match],
        BackendRefs = [.. backends],
    };

    public static HttpRouteMatch Prefix(string path) => new() { Path = new HttpPathMatch { Type = "PathPrefix", Value = path } };

    public static ObjectReference Backend(string name, int? weight = null, string? ns = null) => new() { Name = name, Port = 80, Weight = weight, Namespace = ns };

    public static ReferenceGrant Grant(string ns, string fromKind, string fromNamespace, string toKind) => new()
    {
        ApiVersion = "gateway.networking.k8s.io/v1beta1",
        Kind = "ReferenceGrant",
        Metadata = new V1ObjectMeta { NamespaceProperty = ns, Name = "grant", CreationTimestamp = Created },
        Spec = new ReferenceGrantSpec
        {
            From = [new ReferenceGrantFrom { Group = "gateway.networking.k8s.io", Kind = fromKind, Namespace = fromNamespace }],
            To = [new ReferenceGrantTo { Group = "", Kind = toKind }],
        },
    };

    public static V1Service Service(string ns, string name) => new()
    {
        Metadata = new V1ObjectMeta { NamespaceProperty = ns, Name = name },
        Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = 80 }] },
    };

    public static V1EndpointSlice Slice(string ns, string service, string address) => new()
    {
        Metadata = new V1ObjectMeta { NamespaceProperty = ns, Name = service + "-" + address, Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service } },
        AddressType = "IPv4",
        Endpoints = [new V1Endpoint { Addresses = [address], Conditions = new V1EndpointConditions { Ready = true } }],
        Ports = [new Discoveryv1EndpointPort { Name = "http", Port = 8080, Protocol = "TCP" }],
    };

    /// <summary>Inputs with the class <c>mkube</c>, Services web-a (10.0.0.1) and web-b (10.0.0.2) in default and other/web-c (10.0.0.3).</summary>
    public static GatewayInputs Inputs(IEnumerable<GatewayObject> gateways, IEnumerable<HttpRoute> routes, IEnumerable<ReferenceGrant>? grants = null, IEnumerable<V1Namespace>? namespaces = null) => new()
    {
        Classes = [Class(), Class("other", "example.com/other")],
        Gateways = [.. gateways],
        HttpRoutes = [.. routes],
        Grants = [.. grants ?? []],
        Namespaces = name => namespaces?.FirstOrDefault(n => n.Metadata.Name == name),
        Secrets = (ns, name) => name == "cert" ? Ingress.IngressObjects.TlsSecret(ns, name, "secure.test") : null,
        Services = new FixedServiceDirectory(
            [Service("default", "web-a"), Service("default", "web-b"), Service("other", "web-c")],
            [Slice("default", "web-a", "10.0.0.1"), Slice("default", "web-b", "10.0.0.2"), Slice("other", "web-c", "10.0.0.3")]),
    };
}
