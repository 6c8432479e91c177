using System.Text.Json.Nodes;

namespace MiniKube.Addons.Gateway.Crds;

/// <summary>
/// The Gateway API bundle this server serves: the standard channel of upstream release
/// <see cref="BundleVersion"/> — GatewayClass, Gateway and HTTPRoute (v1, and v1beta1 still
/// served), GRPCRoute (v1) and ReferenceGrant (v1beta1) — as CustomResourceDefinitions carrying
/// upstream's bundle annotations, so tools that read them (and users comparing releases) see
/// the release they would have installed by hand. The definitions are written here, in C#
/// (see <see cref="Schema"/>), not copied from upstream's YAML.
/// </summary>
public static class GatewayApiCrds
{
    /// <summary>The upstream release mirrored: its standard channel's kinds, versions, schemas, defaults and validation rules.</summary>
    public const string BundleVersion = "v1.3.0";

    /// <summary>The release channel: only the standard channel is served.</summary>
    public const string Channel = "standard";

    /// <summary>The CustomResourceDefinition objects (apiextensions.k8s.io/v1), freshly built on each call.</summary>
    public static IReadOnlyList<JsonObject> Build() => [.. Definitions.Select(d => d.ToCrd())];

    /// <summary>Upstream's annotation naming the release a CRD came from.</summary>
    public const string BundleVersionAnnotation = "gateway.networking.k8s.io/bundle-version";

    /// <summary>Upstream's annotation naming the release channel of a CRD.</summary>
    public const string ChannelAnnotation = "gateway.networking.k8s.io/channel";

    /// <summary>The API group: <c>gateway.networking.k8s.io</c>.</summary>
    public const string Group = SharedTypes.Group;

    // The kinds of the bundle with upstream's names, served versions (storage first) and printer columns.
    internal static IReadOnlyList<CrdDefinition> Definitions { get; } =
    [
        new("GatewayClass", "gatewayclasses", Namespaced: false, ["v1", "v1beta1"], ["gc"],
            [
                ("Controller", "string", ".spec.controllerName", 0),
                ("Accepted", "string", ".status.conditions[?(@.type==\"Accepted\")].status", 0),
                CrdDefinition.Age,
                ("Description", "string", ".spec.description", 1),
            ],
            StatusSubresource: true, GatewayClassCrd.Spec, GatewayClassCrd.Status),
        new("Gateway", "gateways", Namespaced: true, ["v1", "v1beta1"], ["gtw"],
            [
                ("Class", "string", ".spec.gatewayClassName", 0),
                ("Address", "string", ".status.addresses[*].value", 0),
                ("Programmed", "string", ".status.conditions[?(@.type==\"Programmed\")].status", 0),
                CrdDefinition.Age,
            ],
            StatusSubresource: true, GatewayCrd.Spec, GatewayCrd.Status),
        new("HTTPRoute", "httproutes", Namespaced: true, ["v1", "v1beta1"], [], [Hostnames, CrdDefinition.Age],
            StatusSubresource: true, HttpRouteCrd.Spec, SharedTypes.RouteStatus),
        new("GRPCRoute", "grpcroutes", Namespaced: true, ["v1"], [], [Hostnames, CrdDefinition.Age],
            StatusSubresource: true, GrpcRouteCrd.Spec, SharedTypes.RouteStatus),
        new("ReferenceGrant", "referencegrants", Namespaced: true, ["v1beta1"], ["refgrant"], [CrdDefinition.Age],
            StatusSubresource: false, ReferenceGrantCrd.Spec, Status: null),
    ];

    private static (string, string, string, int) Hostnames => ("Hostnames", "string", ".spec.hostnames", 0);

    /// <summary>The CRDs' names (<c>gatewayclasses.gateway.networking.k8s.io</c>, …), in install order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Definitions.Select(d => d.Name)];

    /// <summary>The server-side apply field manager the installer writes as.</summary>
    public const string FieldManager = "mkube-gateway-crds";
}
