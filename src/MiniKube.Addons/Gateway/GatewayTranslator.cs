using MiniKube.Addons.Ingress;
using Yarp.ReverseProxy.Configuration;

namespace MiniKube.Addons.Gateway;

/// <summary>
/// The Gateway API to a <see cref="ProxyTable"/>, from a <see cref="GatewayBinding"/>: each
/// route attached to a served listener gives, per hostname it serves there and per match of each
/// rule, a <see cref="ProxyRoute"/> limited to that listener's scheme (Gateway wildcards cover any
/// number of labels); <see cref="RoutePrecedence"/> ranks them with the Ingress routes as the
/// HTTPRoute spec's precedence says. Each rule is one cluster under <see cref="WeightedBackends"/>
/// (a backendRef that cannot be used takes its share as 500s; a rule with no backend at all is a
/// 500). Filters: RequestHeaderModifier and ResponseHeaderModifier and URLRewrite are YARP
/// transforms, RequestRedirect an answer of the data plane; any other filter type makes the rule
/// answer 500, since a filter must not be skipped. HTTPS listeners offer their certificates for
/// their hostname (or, with none, for any name nothing else covers).
/// </summary>
public static class GatewayTranslator
{
    public static ProxyTable Translate(GatewayBinding binding, GatewayInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(binding);
        ArgumentNullException.ThrowIfNull(inputs);
        var routes = new Dictionary<string, ProxyRoute>(StringComparer.Ordinal);
        var clusters = new Dictionary<string, ClusterConfig>(StringComparer.Ordinal);
        var grants = new ReferenceGrants(inputs.Grants);
        foreach (var state in binding.Routes)
        {
            var route = state.Route;
            var source = $"{route.Metadata.NamespaceProperty}/{route.Metadata.Name}";
            var created = route.Metadata.CreationTimestamp is { } time ? new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)) : DateTimeOffset.MaxValue;
            var rules = RouteRules.Of(route);
            foreach (var parent in state.Parents.Where(p => p.Accepted.Status))
            {
                foreach (var (listener, hostnames) in parent.Attached.Where(a => a.Listener.Ready))
                {
                    foreach (var rule in rules)
                    {
                        var action = Action(route, rule, inputs, grants, clusters);
                        for (var m = 0; m < rule.Matches.Count; m++)
                        {
                            var match = rule.Matches[m];
                            foreach (var host in hostnames)
                            {
                                var id = $"gw/{route.Kind}/{source}/{listener.Gateway.Key}/{listener.Listener.Name}/{host ?? "*"}/r{rule.Index}/m{m}";
                                routes.TryAdd(id, new ProxyRoute
                                {
                                    Id = id,
                                    Host = host,
                                    WildcardAnyDepth = true,
                                    Scheme = listener.Scheme!.Value,
                                    ListenerPort = listener.Listener.Port,
                                    PathKind = match.PathKind,
                                    Path = match.Path,
                                    Method = match.Method,
                                    Headers = match.Headers,
                                    Query = match.Query,
                                    ClusterId = action.ClusterId,
                                    Redirect = action.Redirect,
                                    DirectStatus = action.Status,
                                    Transforms = Transforms(rule.Filters, match),
                                    Created = created,
                                    Source = source,
                                    Index = (rule.Index * 1000) + m,
                                });
                            }
                        }
                    }
                }
            }
        }
        var tls = binding.Listeners.Where(l => l.Ready && l.Scheme == ListenerScheme.Https)
            .SelectMany(l => l.Certificates.Select(secret => new TlsEntry([string.IsNullOrEmpty(l.Listener.Hostname) ? TlsCertificates.AnyName : l.Listener.Hostname.ToLowerInvariant()], secret)))
            .ToList();
        var sorted = routes.Values.ToList();
        sorted.Sort(RoutePrecedence.Instance);
        return new ProxyTable(sorted, [.. clusters.Values], tls, new HashSet<string>());
    }

    private sealed record RuleAction(string ClusterId, RedirectAction? Redirect, int? Status);

    private static RuleAction Action(RouteObject route, RuleView rule, GatewayInputs inputs, ReferenceGrants grants, Dictionary<string, ClusterConfig> clusters)
    {
        if (rule.Filters.Any(f => f.Type is not ("RequestHeaderModifier" or "ResponseHeaderModifier" or "RequestRedirect" or "URLRewrite")))
        {
            return new RuleAction("", null, 500);
        }
        if (rule.Filters.FirstOrDefault(f => f.Type == "RequestRedirect")?.RequestRedirect is { } redirect)
        {
            return new RuleAction("", new RedirectAction(
                redirect.Scheme,
                redirect.Hostname,
                redirect.Port,
                redirect.Path?.Type == "ReplaceFullPath" ? redirect.Path.ReplaceFullPath ?? "/" : null,
                redirect.Path?.Type == "ReplacePrefixMatch" ? redirect.Path.ReplacePrefixMatch ?? "/" : null,
                redirect.StatusCode ?? 302), null);
        }
        var id = $"gw:{route.Kind}/{route.Metadata.NamespaceProperty}/{route.Metadata.Name}/r{rule.Index}";
        if (!clusters.ContainsKey(id))
        {
            var backends = new List<WeightedBackend>();
            var protocol = rule.Grpc ? BackendProtocol.H2c : (BackendProtocol?)null;
            for (var b = 0; b < rule.BackendRefs.Count; b++)
            {
                var reference = rule.BackendRefs[b];
                var weight = reference.Weight ?? 1;
                if (GatewayBinding.BackendProblem(route, reference, inputs, grants) is not null || reference.Port is null)
                {
                    backends.Add(new WeightedBackend($"b{b}", weight, new Dictionary<string, DestinationConfig>(), 500));
                    continue;
                }
                var (destinations, backendProtocol) = BackendClusters.Destinations(
                    inputs.Services, reference.Namespace ?? route.Metadata.NamespaceProperty, reference.Name, new V1ServiceBackendPort { Number = reference.Port });
                protocol ??= backendProtocol;
                backends.Add(new WeightedBackend($"b{b}", weight, destinations));
            }
            if (!backends.Any(b => b.Weight > 0))
            {
                // No backend, or all of weight 0: nothing may receive the traffic.
                return new RuleAction("", null, 500);
            }
            clusters[id] = WeightedBackends.Cluster(id, backends, protocol ?? BackendProtocol.Http);
        }
        return new RuleAction(id, null, null);
    }

    /// <summary>The YARP transforms of a rule's header and rewrite filters, in the filters' order.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Transforms(IReadOnlyList<HttpRouteFilter> filters, MatchView match)
    {
        ArgumentNullException.ThrowIfNull(filters);
        ArgumentNullException.ThrowIfNull(match);
        var transforms = new List<IReadOnlyDictionary<string, string>>();
        foreach (var filter in filters)
        {
            switch (filter.Type)
            {
                case "RequestHeaderModifier" when filter.RequestHeaderModifier is { } headers:
                    Headers(transforms, headers, "RequestHeader", "RequestHeaderRemove", null);
                    break;
                case "ResponseHeaderModifier" when filter.ResponseHeaderModifier is { } headers:
                    // Always: on error answers from the backend too.
                    Headers(transforms, headers, "ResponseHeader", "ResponseHeaderRemove", "Always");
                    break;
                case "URLRewrite" when filter.UrlRewrite is { } rewrite:
                    if (!string.IsNullOrEmpty(rewrite.Hostname))
                    {
                        transforms.Add(new Dictionary<string, string> { ["RequestHeader"] = "Host", ["Set"] = rewrite.Hostname });
                    }
                    if (rewrite.Path is { Type: "ReplaceFullPath" } full)
                    {
                        transforms.Add(new Dictionary<string, string> { ["PathSet"] = full.ReplaceFullPath ?? "/" });
                    }
                    else if (rewrite.Path is { Type: "ReplacePrefixMatch" } prefix && match.PathKind == PathMatchKind.Prefix)
                    {
                        transforms.Add(new Dictionary<string, string> { [PathRewrite.Key] = match.Path, [PathRewrite.WithKey] = prefix.ReplacePrefixMatch ?? "/" });
                    }
                    break;
            }
        }
        return transforms;
    }

    private static void Headers(List<IReadOnlyDictionary<string, string>> transforms, HeaderFilter filter, string header, string remove, string? when)
    {
        Dictionary<string, string> With(Dictionary<string, string> transform)
        {
            if (when is not null)
            {
                transform["When"] = when;
            }
            return transform;
        }
        foreach (var set in filter.Set ?? [])
        {
            transforms.Add(With(new() { [header] = set.Name, ["Set"] = set.Value }));
        }
        foreach (var add in filter.Add ?? [])
        {
            transforms.Add(With(new() { [header] = add.Name, ["Append"] = add.Value }));
        }
        foreach (var name in filter.Remove ?? [])
        {
            transforms.Add(With(new() { [remove] = name }));
        }
    }
}
