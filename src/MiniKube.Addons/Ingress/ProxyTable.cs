using Yarp.ReverseProxy.Configuration;

namespace MiniKube.Addons.Ingress;

/// <summary>A TLS certificate the data plane offers, by SNI, for <see cref="Hosts"/> (exact or <c>*.</c> wildcard): the Secret's <c>tls.crt</c> and <c>tls.key</c>.</summary>
public sealed record TlsEntry(IReadOnlyList<string> Hosts, V1Secret Secret);

/// <summary>
/// Everything the data plane serves, computed from the API objects in one go: routes in
/// precedence order (the first that matches wins), the clusters they name, the certificates, and
/// the hosts whose plain-HTTP requests are redirected to HTTPS. Immutable: a change builds a new
/// table and the data plane swaps it in whole.
/// </summary>
public sealed record ProxyTable(IReadOnlyList<ProxyRoute> Routes, IReadOnlyList<ClusterConfig> Clusters, IReadOnlyList<TlsEntry> Tls, IReadOnlySet<string> RedirectHosts)
{
    public static ProxyTable Empty { get; } = new([], [], [], new HashSet<string>());

    /// <summary>One table serving both: routes ranked together by <see cref="RoutePrecedence"/>, this table's certificates before <paramref name="other"/>'s. Cluster ids must not collide.</summary>
    public ProxyTable Merge(ProxyTable other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var routes = Routes.Concat(other.Routes).ToList();
        routes.Sort(RoutePrecedence.Instance);
        return new ProxyTable(routes, [.. Clusters, .. other.Clusters], [.. Tls, .. other.Tls], new HashSet<string>(RedirectHosts.Concat(other.RedirectHosts), StringComparer.OrdinalIgnoreCase));
    }
}
