namespace MiniKube.Addons.Ingress;

/// <summary>
/// Which of several matching routes wins, as the Ingress spec and the ingress conformance suite
/// (kubernetes-sigs/ingress-controller-conformance, features host_rules and path_rules) and the
/// Gateway API's HTTPRoute rule precedence expect: an exact host over a wildcard (a longer wildcard
/// first) over none; then an Exact path over a Prefix, the longest prefix first; then a method
/// match, more header matches, more query matches; then the oldest object, then namespace/name
/// and the position within the object. Default backends come last. A total order, so the table
/// is the same however the objects arrived.
/// </summary>
public sealed class RoutePrecedence : IComparer<ProxyRoute>
{
    public static RoutePrecedence Instance { get; } = new();

    public int Compare(ProxyRoute? x, ProxyRoute? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }
        if (x is null || y is null)
        {
            return x is null ? 1 : -1;
        }
        int result;
        if ((result = x.Fallback.CompareTo(y.Fallback)) != 0
            || (result = HostRank(x.Host).CompareTo(HostRank(y.Host))) != 0
            || (result = (y.Host?.Length ?? 0).CompareTo(x.Host?.Length ?? 0)) != 0
            || (result = x.PathKind.CompareTo(y.PathKind)) != 0
            || (result = PathLength(y).CompareTo(PathLength(x))) != 0
            || (result = (y.Method is not null).CompareTo(x.Method is not null)) != 0
            || (result = y.Headers.Count.CompareTo(x.Headers.Count)) != 0
            || (result = y.Query.Count.CompareTo(x.Query.Count)) != 0
            || (result = x.Created.CompareTo(y.Created)) != 0
            || (result = string.CompareOrdinal(x.Source, y.Source)) != 0
            || (result = x.Index.CompareTo(y.Index)) != 0)
        {
            return result;
        }
        return string.CompareOrdinal(x.Id, y.Id);
    }

    private static int HostRank(string? host) => host is null ? 2 : HostPatterns.IsWildcard(host) ? 1 : 0;

    // "/foo/" and "/foo" are the same prefix.
    private static int PathLength(ProxyRoute route) => route.PathKind == PathMatchKind.Prefix ? route.Path.TrimEnd('/').Length : route.Path.Length;
}
