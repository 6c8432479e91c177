using MiniKube.Client.Dynamic;

namespace MiniKube.Addons.Gateway;

// The Gateway API objects (gateway.networking.k8s.io, standard channel; ReferenceGrant v1beta1)
// as the data plane and the status writer read them: the fields of kubernetes-sigs/gateway-api
// apis/v1 (gateway_types.go, httproute_types.go, grpcroute_types.go, shared_types.go) that this
// controller acts on, named so that KubernetesJson's camelCase gives the wire names. Fields not
// listed are dropped on read; status is written through the status subresource, which ignores
// the rest of the object, so nothing of the user's is lost.

/// <summary>The type and metadata every Gateway API object has; <see cref="Group"/> is its API group.</summary>
public abstract class GatewayApiObject : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "gateway.networking.k8s.io";

    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>The object's <c>namespace/name</c> (or name when cluster-scoped).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Key => ObjectKeys.Of(Metadata.NamespaceProperty, Metadata.Name);
}

/// <summary>A GatewayClass (v1): which controller implements the Gateways naming it.</summary>
public sealed class GatewayClass : GatewayApiObject
{
    public GatewayClassSpec Spec { get; set; } = new();

    public ConditionsStatus? Status { get; set; }
}

public sealed class GatewayClassSpec
{
    public string ControllerName { get; set; } = "";

    public string? Description { get; set; }
}

/// <summary>A status that is only conditions (GatewayClass's).</summary>
public sealed class ConditionsStatus
{
    public List<V1Condition>? Conditions { get; set; }
}

/// <summary>A Gateway (v1): listeners on ports, each taking routes.</summary>
public sealed class Gateway : GatewayApiObject
{
    public GatewaySpec Spec { get; set; } = new();

    public GatewayStatus? Status { get; set; }
}

public sealed class GatewaySpec
{
    public string GatewayClassName { get; set; } = "";

    public List<Listener>? Listeners { get; set; }
}

public sealed class Listener
{
    public string Name { get; set; } = "";

    public string? Hostname { get; set; }

    public int Port { get; set; }

    public string Protocol { get; set; } = "";

    public GatewayTlsConfig? Tls { get; set; }

    public AllowedRoutes? AllowedRoutes { get; set; }
}

public sealed class GatewayTlsConfig
{
    /// <summary>Terminate (the default) or Passthrough.</summary>
    public string? Mode { get; set; }

    public List<ObjectReference>? CertificateRefs { get; set; }
}

public sealed class AllowedRoutes
{
    public RouteNamespaces? Namespaces { get; set; }

    public List<RouteGroupKind>? Kinds { get; set; }
}

public sealed class RouteNamespaces
{
    /// <summary>Same (the default), All or Selector.</summary>
    public string? From { get; set; }

    public V1LabelSelector? Selector { get; set; }
}

public sealed record RouteGroupKind
{
    public string? Group { get; set; }

    public string Kind { get; set; } = "";
}

/// <summary>A reference by group, kind, name and optional namespace (a certificate's Secret, a backend, a ReferenceGrant's target).</summary>
public sealed class ObjectReference
{
    public string? Group { get; set; }

    public string? Kind { get; set; }

    public string Name { get; set; } = "";

    public string? Namespace { get; set; }

    public int? Port { get; set; }

    /// <summary>A backendRef's share (default 1); 0 takes no traffic.</summary>
    public int? Weight { get; set; }
}

public sealed class GatewayStatus
{
    public List<GatewayStatusAddress>? Addresses { get; set; }

    public List<V1Condition>? Conditions { get; set; }

    public List<ListenerStatus>? Listeners { get; set; }
}

public sealed record GatewayStatusAddress
{
    public string? Type { get; set; }

    public string Value { get; set; } = "";
}

public sealed class ListenerStatus
{
    public string Name { get; set; } = "";

    public List<RouteGroupKind> SupportedKinds { get; set; } = [];

    public int AttachedRoutes { get; set; }

    public List<V1Condition> Conditions { get; set; } = [];
}

/// <summary>What HTTPRoute and GRPCRoute share: parents, hostnames and the status of each parent.</summary>
public abstract class RouteObject : GatewayApiObject
{
    public RouteStatus? Status { get; set; }

    /// <summary>The parents and hostnames of its spec.</summary>
    public abstract RouteCommonSpec CommonSpec();
}

public class RouteCommonSpec
{
    public List<ParentReference>? ParentRefs { get; set; }

    public List<string>? Hostnames { get; set; }
}

public sealed record ParentReference
{
    public string? Group { get; set; }

    public string? Kind { get; set; }

    public string? Namespace { get; set; }

    public string Name { get; set; } = "";

    public string? SectionName { get; set; }

    public int? Port { get; set; }
}

public sealed class RouteStatus
{
    public List<RouteParentStatus>? Parents { get; set; }
}

public sealed class RouteParentStatus
{
    public ParentReference ParentRef { get; set; } = new();

    public string ControllerName { get; set; } = "";

    public List<V1Condition>? Conditions { get; set; }
}

/// <summary>A route kind whose spec is <typeparamref name="TSpec"/>.</summary>
public abstract class RouteObject<TSpec> : RouteObject
    where TSpec : RouteCommonSpec, new()
{
    public TSpec Spec { get; set; } = new();

    public override RouteCommonSpec CommonSpec() => Spec;
}

/// <summary>A route spec with rules of <typeparamref name="TRule"/>.</summary>
public class RouteSpec<TRule> : RouteCommonSpec
{
    public List<TRule>? Rules { get; set; }
}

/// <summary>What every route rule has: matches of <typeparamref name="TMatch"/>, filters, backends.</summary>
public class RouteRule<TMatch>
{
    public List<TMatch>? Matches { get; set; }

    public List<HttpRouteFilter>? Filters { get; set; }

    public List<ObjectReference>? BackendRefs { get; set; }
}

/// <summary>An HTTPRoute (v1).</summary>
public sealed class HttpRoute : RouteObject<HttpRouteSpec>;

public sealed class HttpRouteSpec : RouteSpec<HttpRouteRule>;

public sealed class HttpRouteRule : RouteRule<HttpRouteMatch>;

public sealed class HttpRouteMatch
{
    public HttpPathMatch? Path { get; set; }

    public List<HttpValueMatch>? Headers { get; set; }

    public List<HttpValueMatch>? QueryParams { get; set; }

    public string? Method { get; set; }
}

public sealed class HttpPathMatch
{
    /// <summary>Exact, PathPrefix (the default) or RegularExpression.</summary>
    public string? Type { get; set; }

    public string? Value { get; set; }
}

/// <summary>A header or query parameter match: Exact (the default) or RegularExpression.</summary>
public sealed class HttpValueMatch
{
    public string? Type { get; set; }

    public string Name { get; set; } = "";

    public string Value { get; set; } = "";
}

public sealed class HttpRouteFilter
{
    public string Type { get; set; } = "";

    public HeaderFilter? RequestHeaderModifier { get; set; }

    public HeaderFilter? ResponseHeaderModifier { get; set; }

    public RequestRedirectFilter? RequestRedirect { get; set; }

    public UrlRewriteFilter? UrlRewrite { get; set; }
}

public sealed class HeaderFilter
{
    public List<HttpHeader>? Set { get; set; }

    public List<HttpHeader>? Add { get; set; }

    public List<string>? Remove { get; set; }
}

public sealed class HttpHeader
{
    public string Name { get; set; } = "";

    public string Value { get; set; } = "";
}

public sealed class RequestRedirectFilter
{
    public string? Scheme { get; set; }

    public string? Hostname { get; set; }

    public HttpPathModifier? Path { get; set; }

    public int? Port { get; set; }

    public int? StatusCode { get; set; }
}

public sealed class UrlRewriteFilter
{
    public string? Hostname { get; set; }

    public HttpPathModifier? Path { get; set; }
}

public sealed class HttpPathModifier
{
    /// <summary>ReplaceFullPath or ReplacePrefixMatch.</summary>
    public string Type { get; set; } = "";

    public string? ReplaceFullPath { get; set; }

    public string? ReplacePrefixMatch { get; set; }
}

/// <summary>A GRPCRoute (v1).</summary>
public sealed class GrpcRoute : RouteObject<GrpcRouteSpec>;

public sealed class GrpcRouteSpec : RouteSpec<GrpcRouteRule>;

public sealed class GrpcRouteRule : RouteRule<GrpcRouteMatch>;

public sealed class GrpcRouteMatch
{
    public GrpcMethodMatch? Method { get; set; }

    public List<HttpValueMatch>? Headers { get; set; }
}

public sealed class GrpcMethodMatch
{
    /// <summary>Exact (the default) or RegularExpression.</summary>
    public string? Type { get; set; }

    public string? Service { get; set; }

    public string? Method { get; set; }
}

/// <summary>A ReferenceGrant (v1beta1): lets objects of the <c>from</c> kinds and namespaces refer to the <c>to</c> kinds in its own namespace.</summary>
public sealed class ReferenceGrant : GatewayApiObject
{
    public ReferenceGrantSpec Spec { get; set; } = new();
}

public sealed class ReferenceGrantSpec
{
    public List<ReferenceGrantFrom>? From { get; set; }

    public List<ReferenceGrantTo>? To { get; set; }
}

/// <summary>What a ReferenceGrant lets be referenced: a kind, and one object of it only when a name is given.</summary>
public sealed class ReferenceGrantTo
{
    public string? Group { get; set; }

    public string Kind { get; set; } = "";

    public string? Name { get; set; }
}

public sealed class ReferenceGrantFrom
{
    public string Group { get; set; } = "";

    public string Kind { get; set; } = "";

    public string Namespace { get; set; } = "";
}

/// <summary>Where each kind is listed and watched (every namespace).</summary>
public static class GatewayApiPaths
{
    public const string GatewayClasses = "apis/gateway.networking.k8s.io/v1/gatewayclasses";
    public const string Gateways = "apis/gateway.networking.k8s.io/v1/gateways";
    public const string HttpRoutes = "apis/gateway.networking.k8s.io/v1/httproutes";
    public const string GrpcRoutes = "apis/gateway.networking.k8s.io/v1/grpcroutes";
    public const string ReferenceGrants = "apis/gateway.networking.k8s.io/v1beta1/referencegrants";

    public static IListWatch<T> ListWatch<T>(IKubernetes client, string path)
        where T : GatewayApiObject => new RawListWatch<T>(new RawApi(client), path);
}
