using MiniKube.Addons.Dns;
using Yarp.ReverseProxy.Configuration;

namespace MiniKube.Addons.Ingress;

/// <summary>
/// Ingresses (networking.k8s.io/v1) to a <see cref="ProxyTable"/>: each rule's paths become
/// routes (an empty or missing host matches any host; <c>ImplementationSpecific</c> is read as
/// Prefix, as ingress-nginx and Traefik do without regex annotations), a defaultBackend becomes a
/// fallback route, every <c>spec.tls</c> entry offers its Secret for its hosts (or, with no
/// hosts, for the Ingress's rule hosts) and redirects those hosts from HTTP to HTTPS unless the
/// Ingress says <c>ssl-redirect: "false"</c> (ingress-nginx's and the generic annotation).
/// Backends that are not Services (<c>resource</c>) are not served.
/// </summary>
public static class IngressTranslator
{
    private static readonly string[] SslRedirectAnnotations = ["nginx.ingress.kubernetes.io/ssl-redirect", "ingress.kubernetes.io/ssl-redirect"];

    /// <summary>The table for <paramref name="ingresses"/> (all ours, see <see cref="MkubeIngressClass.Serves"/>), backends from <paramref name="services"/>, certificates from <paramref name="secrets"/>.</summary>
    public static ProxyTable Translate(IEnumerable<V1Ingress> ingresses, IServiceDirectory services, Func<string, string, V1Secret?> secrets)
    {
        ArgumentNullException.ThrowIfNull(ingresses);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(secrets);
        var routes = new List<ProxyRoute>();
        var clusters = new Dictionary<string, ClusterConfig>(StringComparer.Ordinal);
        var tls = new List<TlsEntry>();
        var redirects = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        // Oldest first: where two Ingresses offer a certificate for one host, the older one's is used.
        foreach (var ingress in ingresses.OrderBy(i => i.Metadata.CreationTimestamp ?? DateTime.MaxValue).ThenBy(i => i.Namespace(), StringComparer.Ordinal).ThenBy(i => i.Name(), StringComparer.Ordinal))
        {
            var ns = ingress.Namespace() ?? "default";
            var source = $"{ns}/{ingress.Name()}";
            var created = ingress.Metadata.CreationTimestamp is { } time ? new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)) : DateTimeOffset.MaxValue;
            string? ClusterFor(V1IngressBackend? backend)
            {
                if (backend?.Service is not { Name: { Length: > 0 } serviceName } service)
                {
                    return null;
                }
                var id = BackendClusters.Id(ns, serviceName, service.Port);
                if (!clusters.ContainsKey(id))
                {
                    clusters[id] = BackendClusters.Build(id, services, ns, serviceName, service.Port);
                }
                return id;
            }
            var rules = ingress.Spec?.Rules ?? [];
            for (var r = 0; r < rules.Count; r++)
            {
                var host = string.IsNullOrEmpty(rules[r].Host) ? null : rules[r].Host.ToLowerInvariant();
                var paths = rules[r].Http?.Paths ?? [];
                for (var p = 0; p < paths.Count; p++)
                {
                    if (ClusterFor(paths[p].Backend) is not { } cluster)
                    {
                        continue;
                    }
                    routes.Add(new ProxyRoute
                    {
                        Id = $"{source}/r{r}/p{p}",
                        Host = host,
                        PathKind = paths[p].PathType == "Exact" ? PathMatchKind.Exact : PathMatchKind.Prefix,
                        Path = string.IsNullOrEmpty(paths[p].Path) ? "/" : paths[p].Path,
                        ClusterId = cluster,
                        Created = created,
                        Source = source,
                        Index = (r * 1000) + p,
                    });
                }
            }
            if (ClusterFor(ingress.Spec?.DefaultBackend) is { } fallback)
            {
                routes.Add(new ProxyRoute { Id = $"{source}/default", ClusterId = fallback, Fallback = true, Created = created, Source = source });
            }
            var ruleHosts = rules.Select(r => r.Host).Where(h => !string.IsNullOrEmpty(h)).Select(h => h.ToLowerInvariant()).Distinct().ToList();
            var redirect = !SslRedirectAnnotations.Any(a => ingress.Metadata.Annotations?.TryGetValue(a, out var value) == true && value == "false");
            foreach (var entry in ingress.Spec?.Tls ?? [])
            {
                var hosts = entry.Hosts is { Count: > 0 } listed ? [.. listed.Select(h => h.ToLowerInvariant())] : ruleHosts;
                if (redirect)
                {
                    redirects.UnionWith(hosts);
                }
                if (!string.IsNullOrEmpty(entry.SecretName) && secrets(ns, entry.SecretName) is { } secret)
                {
                    tls.Add(new TlsEntry(hosts, secret));
                }
            }
        }
        routes.Sort(RoutePrecedence.Instance);
        return new ProxyTable(routes, [.. clusters.Values], tls, redirects);
    }
}
