using Regex = System.Text.RegularExpressions.Regex;
using MiniKube.Addons.Ingress;

namespace MiniKube.Addons.Gateway;

/// <summary>One match of a rule in the data plane's terms.</summary>
public sealed record MatchView(PathMatchKind PathKind, string Path, string? Method, IReadOnlyList<ValueMatch> Headers, IReadOnlyList<ValueMatch> Query);

/// <summary>One rule of an HTTPRoute or GRPCRoute in the data plane's terms (a rule without matches has one that takes everything).</summary>
public sealed record RuleView(int Index, IReadOnlyList<MatchView> Matches, IReadOnlyList<HttpRouteFilter> Filters, IReadOnlyList<ObjectReference> BackendRefs, bool Grpc);

/// <summary>
/// HTTPRoute and GRPCRoute rules as one shape. HTTPRoute: path Exact, PathPrefix (the default,
/// element-wise) or RegularExpression; headers and query parameters Exact or RegularExpression;
/// method. GRPCRoute (grpcroute_types.go): a method match is a match on the path
/// <c>/service/method</c> — both given Exact: that path; only the service: every method of it;
/// only the method: any service; RegularExpression: each part a pattern for its path segment.
/// </summary>
public static class RouteRules
{
    private static readonly MatchView Everything = new(PathMatchKind.Prefix, "/", null, [], []);

    public static IReadOnlyList<RuleView> Of(RouteObject route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return route switch
        {
            HttpRoute http => [.. (http.Spec.Rules ?? []).Select((rule, i) => new RuleView(i, Matches(rule.Matches?.Select(Http)), rule.Filters ?? [], rule.BackendRefs ?? [], Grpc: false))],
            GrpcRoute grpc => [.. (grpc.Spec.Rules ?? []).Select((rule, i) => new RuleView(i, Matches(rule.Matches?.Select(Grpc)), rule.Filters ?? [], rule.BackendRefs ?? [], Grpc: true))],
            _ => [],
        };
    }

    public static IEnumerable<ObjectReference> BackendRefs(RouteObject route) => Of(route).SelectMany(r => r.BackendRefs);

    private static List<MatchView> Matches(IEnumerable<MatchView>? matches) => matches?.ToList() is { Count: > 0 } list ? list : [Everything];

    private static MatchView Http(HttpRouteMatch match)
    {
        var kind = match.Path?.Type switch
        {
            "Exact" => PathMatchKind.Exact,
            "RegularExpression" => PathMatchKind.RegularExpression,
            _ => PathMatchKind.Prefix,
        };
        return new MatchView(kind, match.Path?.Value is { Length: > 0 } path ? path : "/", match.Method, Values(match.Headers), Values(match.QueryParams));
    }

    private static MatchView Grpc(GrpcRouteMatch match)
    {
        var headers = Values(match.Headers);
        var service = match.Method?.Service;
        var method = match.Method?.Method;
        if (string.IsNullOrEmpty(service) && string.IsNullOrEmpty(method))
        {
            return Everything with { Headers = headers };
        }
        if (match.Method?.Type == "RegularExpression")
        {
            return new MatchView(PathMatchKind.RegularExpression, $"/(?:{Or(service)})/(?:{Or(method)})", null, headers, []);
        }
        if (string.IsNullOrEmpty(method))
        {
            return new MatchView(PathMatchKind.Prefix, $"/{service}/", null, headers, []);
        }
        return string.IsNullOrEmpty(service)
            ? new MatchView(PathMatchKind.RegularExpression, $"/[^/]+/{Regex.Escape(method)}", null, headers, [])
            : new MatchView(PathMatchKind.Exact, $"/{service}/{method}", null, headers, []);
    }

    private static string Or(string? pattern) => string.IsNullOrEmpty(pattern) ? "[^/]+" : pattern;

    private static IReadOnlyList<ValueMatch> Values(List<HttpValueMatch>? matches) =>
        [.. (matches ?? []).Select(m => new ValueMatch(m.Name, m.Value, m.Type == "RegularExpression"))];
}
