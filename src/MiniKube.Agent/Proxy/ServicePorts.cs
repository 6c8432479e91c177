using System.Net;
using System.Net.Sockets;

namespace MiniKube.Agent.Proxy;

/// <summary>One port of one Service as the proxy routes it, with the endpoints traffic goes to.</summary>
/// <param name="Name">Upstream's ServicePortName, <c>namespace/service:port</c> (no <c>:port</c> for an unnamed port): rule comments and chain hashes.</param>
/// <param name="Protocol">"tcp" or "udp".</param>
/// <param name="NodePort">0 when the port has none.</param>
/// <param name="Endpoints">Where cluster traffic goes: every node's endpoints.</param>
internal sealed record ProxiedPort(string Name, string Protocol, string ClusterIp, int Port, int NodePort, IReadOnlyList<ProxyEndpoint> Endpoints)
{
    /// <summary>The IPv4 addresses of status.loadBalancer.ingress (a LoadBalancer Service's), where the port answers too.</summary>
    public IReadOnlyList<string> LoadBalancerIps { get; init; } = [];

    /// <summary>externalTrafficPolicy: Local — node-port and load-balancer traffic keeps its client IP and goes to <see cref="LocalEndpoints"/> only.</summary>
    public bool ExternalLocal { get; init; }

    /// <summary>This node's endpoints (chosen as <see cref="Endpoints"/> are, among this node's); filled only for <see cref="ExternalLocal"/>.</summary>
    public IReadOnlyList<ProxyEndpoint> LocalEndpoints { get; init; } = [];

    /// <summary>
    /// The IPv4 ranges allowed to reach <see cref="LoadBalancerIps"/> (spec.loadBalancerSourceRanges, else its
    /// annotation), as CIDR text; empty when every source is.
    /// </summary>
    public IReadOnlyList<string> SourceRanges { get; init; } = [];

    /// <summary>sessionAffinity ClientIP's timeout in seconds; 0 without affinity.</summary>
    public int AffinitySeconds { get; init; }

    /// <summary>True when traffic reaches the port from outside the cluster IP: a node port or a load-balancer IP.</summary>
    public bool HasExternalDestinations => NodePort > 0 || LoadBalancerIps.Count > 0;
}

/// <summary>Where one endpoint of a service port is reached: the pod IP and the slice's port number.</summary>
/// <param name="NodeName">The slice's nodeName for the endpoint, "" when unset: tells this node's endpoints apart.</param>
internal sealed record ProxyEndpoint(string Ip, int Port, string NodeName = "")
{
    public override string ToString() => $"{Ip}:{Port}";
}

/// <summary>
/// Turns Services and their EndpointSlices into <see cref="ProxiedPort"/>s, as upstream's
/// service and endpoint change trackers do (pkg/proxy/servicechangetracker.go,
/// endpointslicecache.go, topology.go CategorizeEndpoints): headless and ExternalName services
/// and non-IPv4 cluster IPs are skipped; only TCP and UDP are proxied; a service port's endpoints
/// are the slices' endpoints whose slice port has the same name and protocol, at that slice port
/// (so a named targetPort is already resolved); the ready ones, or, when none is ready, the
/// serving ones that are terminating — for externalTrafficPolicy Local the same choice among
/// this node's endpoints. LoadBalancer ingress IPs are taken from the status unless their ipMode
/// is Proxy (the load balancer then delivers to the node itself, as upstream), with the source
/// ranges that may reach them (<see cref="LoadBalancerSourceRanges"/>); ClientIP affinity's
/// timeout defaults to upstream's 10800 s.
/// </summary>
internal static class ServicePorts
{
    public const string ServiceNameLabel = WellKnownLabels.ServiceName;

    /// <summary>upstream's default sessionAffinityConfig.clientIP.timeoutSeconds (3 hours).</summary>
    public const int DefaultAffinitySeconds = 10800;

    /// <summary>Every proxied port of <paramref name="services"/>, in a stable order (namespace, name, port order).</summary>
    /// <param name="nodeName">This node: its endpoints serve externalTrafficPolicy Local traffic.</param>
    public static IReadOnlyList<ProxiedPort> From(IEnumerable<V1Service> services, IEnumerable<V1EndpointSlice> slices, string nodeName = "")
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(slices);
        var slicesByService = slices
            .Where(s => s.Metadata?.Labels?.TryGetValue(ServiceNameLabel, out _) == true)
            .ToLookup(s => (s.Metadata.NamespaceProperty ?? "default") + "/" + s.Metadata.Labels[ServiceNameLabel], StringComparer.Ordinal);
        return [.. services
            .OrderBy(s => s.Metadata.NamespaceProperty, StringComparer.Ordinal)
            .ThenBy(s => s.Metadata.Name, StringComparer.Ordinal)
            .SelectMany(s => From(s, slicesByService[(s.Metadata.NamespaceProperty ?? "default") + "/" + s.Metadata.Name], nodeName))];
    }

    /// <summary>The proxied ports of one service, given the EndpointSlices labelled with its name.</summary>
    public static IEnumerable<ProxiedPort> From(V1Service service, IEnumerable<V1EndpointSlice> slices, string nodeName = "")
    {
        ArgumentNullException.ThrowIfNull(service);
        var spec = service.Spec;
        if (spec is null || spec.Type == "ExternalName" || !IsIPv4(spec.ClusterIP))
        {
            yield break; // headless ("None"), not yet allocated, or an IPv6 cluster IP: nothing for iptables (IPv4) to do
        }
        var ipv4Slices = slices.Where(s => s.AddressType == "IPv4").ToList();
        var exposesNodePorts = spec.Type is "NodePort" or "LoadBalancer";
        var local = exposesNodePorts && spec.ExternalTrafficPolicy == "Local";
        var affinity = spec.SessionAffinity == "ClientIP" ? spec.SessionAffinityConfig?.ClientIP?.TimeoutSeconds ?? DefaultAffinitySeconds : 0;
        IReadOnlyList<string> loadBalancerIps = spec.Type == "LoadBalancer"
            ? [.. (service.Status?.LoadBalancer?.Ingress ?? []).Where(i => i.IpMode != "Proxy" && IsIPv4(i.Ip)).Select(i => i.Ip).Distinct(StringComparer.Ordinal)]
            : [];
        // Only this family's ranges count; with none left every source is allowed (upstream filters by family the same way).
        IReadOnlyList<string> sourceRanges = spec.Type == "LoadBalancer"
            ? [.. (LoadBalancerSourceRanges.Of(service) ?? []).Where(r => r.BaseAddress.AddressFamily == AddressFamily.InterNetwork).Select(r => r.ToString())]
            : [];
        foreach (var port in spec.Ports ?? [])
        {
            var protocol = (port.Protocol ?? "TCP").ToUpperInvariant();
            if (protocol is not ("TCP" or "UDP"))
            {
                continue;
            }
            var name = $"{service.Metadata.NamespaceProperty ?? "default"}/{service.Metadata.Name}{(string.IsNullOrEmpty(port.Name) ? "" : ":" + port.Name)}";
            var endpoints = EndpointsOf(port.Name, protocol, ipv4Slices);
            yield return new ProxiedPort(
                name,
                protocol.ToLowerInvariant(),
                spec.ClusterIP,
                port.Port,
                exposesNodePorts ? port.NodePort ?? 0 : 0,
                Choose(endpoints, _ => true))
            {
                LoadBalancerIps = loadBalancerIps,
                SourceRanges = sourceRanges,
                ExternalLocal = local,
                LocalEndpoints = local ? Choose(endpoints, e => e.NodeName == nodeName && nodeName.Length > 0) : [],
                AffinitySeconds = affinity,
            };
        }
    }

    /// <summary>Among the endpoints <paramref name="which"/> takes, the ready ones, or else the serving terminating ones (topology.go).</summary>
    private static List<ProxyEndpoint> Choose((SortedSet<ProxyEndpoint> Ready, SortedSet<ProxyEndpoint> ServingTerminating) endpoints, Func<ProxyEndpoint, bool> which)
    {
        List<ProxyEndpoint> ready = [.. endpoints.Ready.Where(which)];
        return ready.Count > 0 ? ready : [.. endpoints.ServingTerminating.Where(which)];
    }

    private static (SortedSet<ProxyEndpoint> Ready, SortedSet<ProxyEndpoint> ServingTerminating) EndpointsOf(string? portName, string protocol, List<V1EndpointSlice> slices)
    {
        var ready = new SortedSet<ProxyEndpoint>(EndpointOrder.Instance);
        var servingTerminating = new SortedSet<ProxyEndpoint>(EndpointOrder.Instance);
        foreach (var slice in slices)
        {
            var slicePort = slice.Ports?.FirstOrDefault(p =>
                string.Equals(p.Name ?? "", portName ?? "", StringComparison.Ordinal)
                && string.Equals(p.Protocol ?? "TCP", protocol, StringComparison.OrdinalIgnoreCase));
            if (slicePort?.Port is not { } number || number <= 0)
            {
                continue;
            }
            foreach (var endpoint in slice.Endpoints ?? [])
            {
                if (endpoint.Addresses is not [var address, ..] || !IsIPv4(address))
                {
                    continue; // upstream, too, routes to the first address only
                }
                // Unset conditions mean "unknown", which consumers read as ready/serving (discovery/v1 EndpointConditions).
                var isReady = endpoint.Conditions?.Ready ?? true;
                var isServing = endpoint.Conditions?.Serving ?? isReady;
                var isTerminating = endpoint.Conditions?.Terminating ?? false;
                var found = new ProxyEndpoint(address, number, endpoint.NodeName ?? "");
                if (isReady)
                {
                    ready.Add(found);
                }
                else if (isServing && isTerminating)
                {
                    servingTerminating.Add(found);
                }
            }
        }
        return (ready, servingTerminating);
    }

    private static bool IsIPv4(string? address) =>
        address is not null && IPAddress.TryParse(address, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork;

    /// <summary>By IP (numerically), then port, so the rules come out the same for the same endpoints.</summary>
    private sealed class EndpointOrder : IComparer<ProxyEndpoint>
    {
        public static readonly EndpointOrder Instance = new();

        public int Compare(ProxyEndpoint? x, ProxyEndpoint? y)
        {
            if (x is null || y is null)
            {
                return x is null ? (y is null ? 0 : -1) : 1;
            }
            var byIp = Key(x.Ip).CompareTo(Key(y.Ip));
            return byIp != 0 ? byIp : x.Port.CompareTo(y.Port);
        }

        private static uint Key(string ip)
        {
            var bytes = IPAddress.Parse(ip).GetAddressBytes();
            return ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
        }
    }
}
