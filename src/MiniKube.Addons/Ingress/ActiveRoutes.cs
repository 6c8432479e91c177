using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Yarp.ReverseProxy.Model;

namespace MiniKube.Addons.Ingress;

/// <summary>
/// The routes the data plane serves, by YARP route id, read by <see cref="RouteSelectorPolicy"/>
/// for every request. The previous table stays readable until the next update, so a request that
/// meets YARP's endpoints from before a change (YARP applies its config a moment after the
/// table is swapped) still finds its route rather than a 404.
/// </summary>
public sealed class ActiveRoutes
{
    private volatile Tables _tables = new(new Dictionary<string, ProxyRoute>(), new Dictionary<string, ProxyRoute>());

    public void Update(IReadOnlyList<ProxyRoute> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        _tables = new Tables(routes.ToDictionary(r => r.Id, StringComparer.Ordinal), _tables.Current);
    }

    public ProxyRoute? Find(string id)
    {
        var tables = _tables;
        return tables.Current.TryGetValue(id, out var route) || tables.Previous.TryGetValue(id, out route) ? route : null;
    }

    private sealed record Tables(IReadOnlyDictionary<string, ProxyRoute> Current, IReadOnlyDictionary<string, ProxyRoute> Previous);
}

/// <summary>
/// Does the matching ASP.NET routing cannot do as the Ingress and Gateway API specs say: every
/// YARP route of ours has the catch-all path and (as a pre-filter) its host, and a unique
/// <c>Order</c> that is its rank in <see cref="RoutePrecedence"/>; this policy rejects each
/// candidate whose <see cref="ProxyRoute"/> does not match (case-sensitive paths, Exact without a
/// trailing slash, element-wise prefixes, regular expressions, wildcards, headers, query, method, the
/// listener's scheme), so the
/// endpoint selector picks the best-ranked route that really matches. Routes whose YARP config
/// carries <see cref="WholeHostKey"/> (<see cref="ProxyRoute.MatchesWholeHost"/>) need no check:
/// where a request can only meet such routes (the common Ingress rule: a host, path <c>/</c>), the
/// policy is left out of ASP.NET's matcher altogether and costs nothing per request. The mark is in
/// the route's config, not looked up in <see cref="ActiveRoutes"/>, so a route that changes kind
/// changes its config and YARP rebuilds its endpoints, and with them the matcher.
/// </summary>
public sealed class RouteSelectorPolicy(ActiveRoutes routes) : MatcherPolicy, IEndpointSelectorPolicy
{
    /// <summary>Route metadata key: present on routes every request of their host matches.</summary>
    public const string WholeHostKey = "mkube.io/whole-host";

    // After the built-in host and method policies.
    public override int Order => 10_000;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.Any(e => e.Metadata.GetMetadata<RouteModel>() is { } model && model.Config.Metadata?.ContainsKey(WholeHostKey) != true);
    }

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(candidates);
        var request = httpContext.Request;
        var host = HostPatterns.WithoutPort(request.Host.Value ?? "");
        var path = request.Path.Value is { Length: > 0 } value ? value : "/";
        // Made at most once per request, and only when a candidate matches on headers or query
        // (most routes do not); the query is parsed only then.
        (Func<string, string?> Header, Func<string, string?> Query)? lookups = null;
        for (var i = 0; i < candidates.Count; i++)
        {
            if (!candidates.IsValidCandidate(i) || candidates[i].Endpoint.Metadata.GetMetadata<RouteModel>() is not { } model)
            {
                continue;
            }
            var route = routes.Find(model.Config.RouteId);
            if (route is not null && (route.Headers.Count > 0 || route.Query.Count > 0))
            {
                lookups ??= Lookups(request);
            }
            var (header, query) = lookups ?? (NoValue, NoValue);
            if (route is null || !route.Matches(host, path, request.Method, header, query, request.IsHttps))
            {
                candidates.SetValidity(i, false);
            }
        }
        return Task.CompletedTask;
    }

    private static readonly Func<string, string?> NoValue = _ => null;

    // Its own method: a lambda capturing the request in ApplyAsync would allocate its closure on every call.
    private static (Func<string, string?>, Func<string, string?>) Lookups(HttpRequest request) =>
        (name => Single(request.Headers, name), name => Single(request.Query, name));

    // A header sent more than once is compared as its values joined, as HTTP folds them.
    private static string? Single(IHeaderDictionary headers, string name) =>
        headers.TryGetValue(name, out var values) ? values.ToString() : null;

    private static string? Single(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) ? values[0] : null;
}
