using MiniKube.Addons.Dns;
using MiniKube.Addons.Ingress;

namespace MiniKube.Addons.Gateway;

/// <summary>The ports the data plane listens on: a listener is served when its port is the well-known port of its protocol (80, 443) or the configured one.</summary>
public sealed record GatewayPorts(int Http, int Https)
{
    public static GatewayPorts Default { get; } = new(80, 443);

    /// <summary>Whether a listener of <paramref name="protocol"/> on <paramref name="port"/> can be served, and on which listener.</summary>
    public ListenerScheme? Serves(string protocol, int port) => protocol switch
    {
        "HTTP" when port == 80 || port == Http => ListenerScheme.Http,
        "HTTPS" when port == 443 || port == Https => ListenerScheme.Https,
        _ => null,
    };
}

/// <summary>Everything the Gateway API's meaning depends on, read from the caches in one go.</summary>
public sealed record GatewayInputs
{
    public IReadOnlyList<GatewayClass> Classes { get; init; } = [];

    public IReadOnlyList<Gateway> Gateways { get; init; } = [];

    public IReadOnlyList<HttpRoute> HttpRoutes { get; init; } = [];

    public IReadOnlyList<GrpcRoute> GrpcRoutes { get; init; } = [];

    public IReadOnlyList<ReferenceGrant> Grants { get; init; } = [];

    /// <summary>A namespace by name (for allowedRoutes selectors); null when unknown.</summary>
    public Func<string, V1Namespace?> Namespaces { get; init; } = _ => null;

    public Func<string, string, V1Secret?> Secrets { get; init; } = (_, _) => null;

    public required IServiceDirectory Services { get; init; }

    public GatewayPorts Ports { get; init; } = GatewayPorts.Default;
}

/// <summary>A condition as the status will carry it (the time and generation are added when written).</summary>
public sealed record ConditionState(string Type, bool Status, string Reason, string Message);

/// <summary>One listener of one of our Gateways as judged: its conditions, the route kinds it takes, whether it is served, and what it serves with.</summary>
public sealed class ListenerState
{
    public required Gateway Gateway { get; init; }

    public required Listener Listener { get; init; }

    public ListenerScheme? Scheme { get; init; }

    public List<RouteGroupKind> SupportedKinds { get; } = [];

    public List<ConditionState> Conditions { get; } = [];

    /// <summary>The certificates of an HTTPS listener whose references resolved.</summary>
    public List<V1Secret> Certificates { get; } = [];

    public int AttachedRoutes { get; set; }

    /// <summary>Accepted, references resolved, no conflict: the data plane serves it.</summary>
    public bool Ready => Scheme is not null && Conditions.All(c => c.Type == GatewayConditions.Conflicted ? !c.Status : c.Status);
}

/// <summary>A route's standing with one parent it names: its conditions and the listeners (with the hostnames each serves it for) it attached to.</summary>
public sealed class ParentState
{
    public required ParentReference Ref { get; init; }

    public required ConditionState Accepted { get; init; }

    public required ConditionState ResolvedRefs { get; init; }

    public List<(ListenerState Listener, IReadOnlyList<string?> Hostnames)> Attached { get; } = [];
}

/// <summary>A route (HTTPRoute or GRPCRoute) with the parents of ours it names.</summary>
public sealed record RouteState(RouteObject Route, IReadOnlyList<ParentState> Parents);

/// <summary>
/// What the Gateway API objects mean for this controller, computed in one pure pass that both the
/// data plane (<see cref="GatewayTranslator"/>) and the status writer (<see cref="GatewayStatusBuilder"/>)
/// use, so that what is served and what status says never disagree. Ours are the GatewayClasses
/// whose controllerName is <see cref="MkubeGatewayClass.ControllerName"/> and the Gateways naming
/// them. Mirrors the rules of kubernetes-sigs/gateway-api apis/v1 (gateway_types.go: listener
/// conditions, allowedRoutes; shared_types.go: parentRef attachment, hostnames; referencegrant
/// semantics) as its conformance suite reads them.
/// </summary>
public sealed class GatewayBinding
{
    private static readonly RouteGroupKind[] DefaultKinds =
    [
        new() { Group = GatewayApiObject.Group, Kind = "HTTPRoute" },
        new() { Group = GatewayApiObject.Group, Kind = "GRPCRoute" },
    ];

    private GatewayBinding(IReadOnlyList<GatewayClass> classes, IReadOnlyList<Gateway> gateways, IReadOnlyList<ListenerState> listeners, IReadOnlyList<RouteState> routes)
    {
        Classes = classes;
        Gateways = gateways;
        Listeners = listeners;
        Routes = routes;
    }

    /// <summary>Our GatewayClasses.</summary>
    public IReadOnlyList<GatewayClass> Classes { get; }

    /// <summary>Our Gateways (not being deleted), oldest first.</summary>
    public IReadOnlyList<Gateway> Gateways { get; }

    public IReadOnlyList<ListenerState> Listeners { get; }

    /// <summary>Routes naming at least one of our Gateways, oldest first.</summary>
    public IReadOnlyList<RouteState> Routes { get; }

    public static GatewayBinding Compute(GatewayInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var classes = inputs.Classes.Where(c => c.Spec.ControllerName == MkubeGatewayClass.ControllerName && c.Metadata.DeletionTimestamp is null).ToList();
        var classNames = classes.Select(c => c.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        var gateways = Oldest(inputs.Gateways.Where(g => classNames.Contains(g.Spec.GatewayClassName) && g.Metadata.DeletionTimestamp is null)).ToList();
        var grants = new ReferenceGrants(inputs.Grants);
        var listeners = gateways.SelectMany(g => JudgeListeners(g, inputs, grants)).ToList();
        var byGateway = listeners.ToLookup(l => l.Gateway.Key, StringComparer.Ordinal);
        var routes = new List<RouteState>();
        foreach (var route in Oldest(inputs.HttpRoutes.Cast<RouteObject>().Concat(inputs.GrpcRoutes).Where(r => r.Metadata.DeletionTimestamp is null)))
        {
            var resolved = ResolveBackends(route, inputs, grants);
            var parents = new List<ParentState>();
            foreach (var parent in route.CommonSpec().ParentRefs ?? [])
            {
                var key = ObjectKeys.Of(parent.Namespace ?? route.Metadata.NamespaceProperty, parent.Name);
                if ((parent.Group ?? GatewayApiObject.Group) != GatewayApiObject.Group || (parent.Kind ?? "Gateway") != "Gateway" || !byGateway.Contains(key))
                {
                    // Not a parent of ours: its controller writes that status.
                    continue;
                }
                parents.Add(Attach(route, parent, byGateway[key].ToList(), inputs, resolved));
            }
            if (parents.Count > 0)
            {
                routes.Add(new RouteState(route, parents));
            }
        }
        return new GatewayBinding(classes, gateways, listeners, routes);
    }

    /// <summary>The hostnames a route serves on a listener (null: any host): the intersection of the listener's hostname and the route's, the more specific of each matching pair. Empty: none match.</summary>
    public static IReadOnlyList<string?> Hostnames(string? listener, IReadOnlyList<string>? route)
    {
        var listenerHost = string.IsNullOrEmpty(listener) ? null : listener.ToLowerInvariant();
        var routeHosts = (route ?? []).Where(h => !string.IsNullOrEmpty(h)).Select(h => h.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
        if (routeHosts.Count == 0)
        {
            return [listenerHost];
        }
        if (listenerHost is null)
        {
            return routeHosts;
        }
        var result = new List<string?>();
        foreach (var host in routeHosts)
        {
            if (host == listenerHost || (HostPatterns.IsWildcard(listenerHost) && HostPatterns.Matches(listenerHost, host.TrimStart('*', '.'), anyDepth: true)))
            {
                result.Add(host);
            }
            else if (HostPatterns.IsWildcard(host) && HostPatterns.Matches(host, listenerHost.TrimStart('*', '.'), anyDepth: true))
            {
                result.Add(listenerHost);
            }
        }
        return [.. result.Distinct()];
    }

    private static IEnumerable<T> Oldest<T>(IEnumerable<T> objects)
        where T : GatewayApiObject =>
        objects.OrderBy(o => o.Metadata.CreationTimestamp ?? DateTime.MaxValue).ThenBy(o => o.Key, StringComparer.Ordinal);

    private static List<ListenerState> JudgeListeners(Gateway gateway, GatewayInputs inputs, ReferenceGrants grants)
    {
        var listeners = gateway.Spec.Listeners ?? [];
        var states = new List<ListenerState>();
        foreach (var listener in listeners)
        {
            var supported = listener.Protocol is "HTTP" or "HTTPS";
            var scheme = supported ? inputs.Ports.Serves(listener.Protocol, listener.Port) : null;
            var state = new ListenerState { Gateway = gateway, Listener = listener, Scheme = scheme };
            var invalidKinds = false;
            if (listener.AllowedRoutes?.Kinds is { Count: > 0 } kinds)
            {
                foreach (var kind in kinds)
                {
                    var normalized = new RouteGroupKind { Group = kind.Group ?? GatewayApiObject.Group, Kind = kind.Kind };
                    if (DefaultKinds.Contains(normalized))
                    {
                        state.SupportedKinds.Add(normalized);
                    }
                    else
                    {
                        invalidKinds = true;
                    }
                }
            }
            else if (supported)
            {
                state.SupportedKinds.AddRange(DefaultKinds);
            }
            var conflict = Conflict(listener, listeners);
            state.Conditions.Add(conflict is null
                ? new ConditionState(GatewayConditions.Conflicted, false, "NoConflicts", "No conflicts")
                : new ConditionState(GatewayConditions.Conflicted, true, conflict, $"Another listener on port {listener.Port} has the same {(conflict == "ProtocolConflict" ? "port with another protocol" : "hostname")}"));
            state.Conditions.Add(!supported
                ? new ConditionState(GatewayConditions.Accepted, false, "UnsupportedProtocol", $"Protocol {listener.Protocol} is not supported; mkube serves HTTP and HTTPS")
                : scheme is null
                    ? new ConditionState(GatewayConditions.Accepted, false, "PortUnavailable", $"mkube serves {listener.Protocol} on port {(listener.Protocol == "HTTP" ? Join(80, inputs.Ports.Http) : Join(443, inputs.Ports.Https))} only")
                    : new ConditionState(GatewayConditions.Accepted, true, "Accepted", "Listener accepted"));
            var refs = invalidKinds
                ? new ConditionState(GatewayConditions.ResolvedRefs, false, "InvalidRouteKinds", "Only HTTPRoute and GRPCRoute (gateway.networking.k8s.io) are supported")
                : listener.Protocol == "HTTPS" ? ResolveCertificates(state, inputs, grants) : null;
            state.Conditions.Add(refs ?? new ConditionState(GatewayConditions.ResolvedRefs, true, "ResolvedRefs", "References resolved"));
            state.Conditions.Add(state.Ready
                ? new ConditionState(GatewayConditions.Programmed, true, "Programmed", "Listener programmed")
                : new ConditionState(GatewayConditions.Programmed, false, "Invalid", "Listener is not served; see its other conditions"));
            states.Add(state);
        }
        return states;
    }

    private static string Join(int wellKnown, int configured) =>
        wellKnown == configured ? wellKnown.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{wellKnown} or {configured}";

    // Listeners on one port must agree on the protocol, and those of one protocol must differ in hostname (gateway_types.go, Conflicted).
    private static string? Conflict(Listener listener, IReadOnlyList<Listener> all)
    {
        var samePort = all.Where(l => !ReferenceEquals(l, listener) && l.Port == listener.Port).ToList();
        if (samePort.Any(l => l.Protocol != listener.Protocol))
        {
            return "ProtocolConflict";
        }
        return samePort.Any(l => string.Equals(l.Hostname ?? "", listener.Hostname ?? "", StringComparison.OrdinalIgnoreCase)) ? "HostnameConflict" : null;
    }

    private static ConditionState? ResolveCertificates(ListenerState state, GatewayInputs inputs, ReferenceGrants grants)
    {
        var gatewayNamespace = state.Gateway.Metadata.NamespaceProperty;
        if (state.Listener.Tls?.Mode is { } mode && mode != "Terminate")
        {
            return new ConditionState(GatewayConditions.ResolvedRefs, false, "InvalidCertificateRef", $"TLS mode {mode} is not supported on HTTPS");
        }
        var references = state.Listener.Tls?.CertificateRefs ?? [];
        if (references.Count == 0)
        {
            return new ConditionState(GatewayConditions.ResolvedRefs, false, "InvalidCertificateRef", "An HTTPS listener needs a certificateRef");
        }
        foreach (var reference in references)
        {
            var ns = reference.Namespace ?? gatewayNamespace;
            if ((reference.Group ?? "") != "" || (reference.Kind ?? "Secret") != "Secret")
            {
                return new ConditionState(GatewayConditions.ResolvedRefs, false, "InvalidCertificateRef", $"certificateRef {reference.Name} is not a core Secret");
            }
            if (ns != gatewayNamespace && !grants.Permits(ns, GatewayApiObject.Group, "Gateway", gatewayNamespace, "", "Secret", reference.Name))
            {
                return new ConditionState(GatewayConditions.ResolvedRefs, false, "RefNotPermitted", $"No ReferenceGrant in {ns} lets Gateways of {gatewayNamespace} use Secret {reference.Name}");
            }
            if (inputs.Secrets(ns, reference.Name) is not { } secret || secret.Data?.ContainsKey("tls.crt") != true || secret.Data?.ContainsKey("tls.key") != true)
            {
                return new ConditionState(GatewayConditions.ResolvedRefs, false, "InvalidCertificateRef", $"Secret {ns}/{reference.Name} does not exist or has no tls.crt and tls.key");
            }
            state.Certificates.Add(secret);
        }
        return null;
    }

    private static ConditionState ResolveBackends(RouteObject route, GatewayInputs inputs, ReferenceGrants grants)
    {
        foreach (var reference in RouteRules.BackendRefs(route))
        {
            if (BackendProblem(route, reference, inputs, grants) is { } problem)
            {
                return problem;
            }
        }
        return new ConditionState(GatewayConditions.ResolvedRefs, true, "ResolvedRefs", "References resolved");
    }

    /// <summary>Why a backendRef of <paramref name="route"/> cannot be used, or null when it can.</summary>
    internal static ConditionState? BackendProblem(RouteObject route, ObjectReference reference, GatewayInputs inputs, ReferenceGrants grants)
    {
        var routeNamespace = route.Metadata.NamespaceProperty;
        var ns = reference.Namespace ?? routeNamespace;
        if ((reference.Group ?? "") != "" || (reference.Kind ?? "Service") != "Service")
        {
            return new ConditionState(GatewayConditions.ResolvedRefs, false, "InvalidKind", $"backendRef {reference.Name}: only core Services are supported");
        }
        if (ns != routeNamespace && !grants.Permits(ns, GatewayApiObject.Group, route.Kind, routeNamespace, "", "Service", reference.Name))
        {
            return new ConditionState(GatewayConditions.ResolvedRefs, false, "RefNotPermitted", $"No ReferenceGrant in {ns} lets {route.Kind}s of {routeNamespace} use Service {reference.Name}");
        }
        if (inputs.Services.Service(ns, reference.Name) is null)
        {
            return new ConditionState(GatewayConditions.ResolvedRefs, false, "BackendNotFound", $"Service {ns}/{reference.Name} not found");
        }
        return null;
    }

    private static ParentState Attach(RouteObject route, ParentReference parent, List<ListenerState> listeners, GatewayInputs inputs, ConditionState resolved)
    {
        ParentState Result(bool accepted, string reason, string message) =>
            new() { Ref = parent, Accepted = new ConditionState(GatewayConditions.Accepted, accepted, reason, message), ResolvedRefs = resolved };
        var named = listeners.Where(l => (parent.SectionName is null || l.Listener.Name == parent.SectionName) && (parent.Port is null || l.Listener.Port == parent.Port)).ToList();
        if (named.Count == 0)
        {
            return Result(false, "NoMatchingParent", "No listener matches the parentRef's sectionName and port");
        }
        var allowed = named.Where(l => Allows(l, route, inputs)).ToList();
        if (allowed.Count == 0)
        {
            return Result(false, "NotAllowedByListeners", "No listener of the parent allows this route's namespace and kind");
        }
        var result = Result(true, "Accepted", "Route accepted");
        foreach (var listener in allowed)
        {
            var hostnames = Hostnames(listener.Listener.Hostname, route.CommonSpec().Hostnames);
            if (hostnames.Count > 0)
            {
                result.Attached.Add((listener, hostnames));
            }
        }
        if (result.Attached.Count == 0)
        {
            return Result(false, "NoMatchingListenerHostname", "No listener hostname matches the route's hostnames");
        }
        foreach (var (listener, _) in result.Attached)
        {
            listener.AttachedRoutes++;
        }
        return result;
    }

    private static bool SelectorMatches(V1LabelSelector selector, V1Namespace ns)
    {
        try
        {
            return LabelSelector.From(selector).Matches(ns);
        }
        catch (InvalidSelectorException)
        {
            // An invalid selector selects nothing.
            return false;
        }
    }

    private static bool Allows(ListenerState listener, RouteObject route, GatewayInputs inputs)
    {
        if (!listener.SupportedKinds.Any(k => k.Kind == route.Kind))
        {
            return false;
        }
        var routeNamespace = route.Metadata.NamespaceProperty;
        var from = listener.Listener.AllowedRoutes?.Namespaces;
        return (from?.From ?? "Same") switch
        {
            "All" => true,
            "Selector" => from?.Selector is { } selector && inputs.Namespaces(routeNamespace) is { } ns && SelectorMatches(selector, ns),
            _ => routeNamespace == listener.Gateway.Metadata.NamespaceProperty,
        };
    }
}

/// <summary>The condition types of the Gateway API (gateway_types.go, shared_types.go).</summary>
public static class GatewayConditions
{
    public const string Accepted = "Accepted";
    public const string Programmed = "Programmed";
    public const string ResolvedRefs = "ResolvedRefs";
    public const string Conflicted = "Conflicted";
    public const string SupportedVersion = "SupportedVersion";
}
