using System.Net;
using System.Net.Sockets;
using k8s.Models;

namespace MiniKube.Controllers.ServiceLb;

/// <summary>Why one node cannot serve a LoadBalancer Service: one of its ports is already taken there.</summary>
/// <param name="Node">The node.</param>
/// <param name="Port">The Service's port, e.g. "80/TCP".</param>
/// <param name="TakenBy">Who holds it, e.g. "Service default/web" or "hostPort of pod default/x".</param>
public sealed record PortConflict(string Node, string Port, string TakenBy)
{
    public override string ToString() => $"port {Port} on node {Node} is already used by {TakenBy}";
}

/// <summary>Where a LoadBalancer Service is served: its ingress IPs, in status order, and the nodes it was kept off.</summary>
public sealed record LoadBalancerPlacement(IReadOnlyList<string> IngressIps, IReadOnlyList<PortConflict> Conflicts);

/// <summary>
/// ServiceLB's placement rules (k3s pkg/cloudprovider/servicelb.go), as a pure function of the
/// caches. k3s runs a DaemonSet of klipper-lb pods per Service, each holding the Service's ports
/// as hostPorts, and advertises the nodes whose pod is ready; here the same outcome is computed
/// directly:
/// <list type="bullet">
/// <item>Eligible nodes are the Ready ones; once any node carries the <see cref="EnableLbLabel"/>
/// label (whatever its value), only those labelled <c>true</c>, and then, for a Service labelled
/// with <see cref="LbPoolLabel"/>, only nodes of the same pool (the DaemonSet's nodeSelector).</item>
/// <item>A node where one of the Service's ports is taken is left out, as the scheduler would
/// refuse the klipper pod there: a pod's hostPort on that node, any Service's nodePort (node ports
/// answer on every node), or the same port and protocol of another ServiceLB Service eligible on
/// the node that was created earlier (ties broken by namespace/name, so the outcome never
/// flaps).</item>
/// <item>With externalTrafficPolicy Local, only nodes with a ready pod endpoint of the Service
/// are advertised (k3s getStatus), since the others drop the traffic.</item>
/// <item>The IPs are the nodes' ExternalIPs when any advertised node has one, else their
/// InternalIPs (k3s podIPs), of the Service's IP families in spec.ipFamilies order, each family
/// sorted as text (sort.Strings), so the status is the same for the same nodes.</item>
/// </list>
/// </summary>
public static class LoadBalancerNodes
{
    /// <summary>k3s' node label: once any node has it, only nodes labelled "true" serve LoadBalancer Services.</summary>
    public const string EnableLbLabel = "svccontroller.k3s.cattle.io/enablelb";

    /// <summary>k3s' pool label, on Services and nodes: a Service of a pool is served by the nodes of that pool.</summary>
    public const string LbPoolLabel = "svccontroller.k3s.cattle.io/lbpool";

    /// <summary>True when ServiceLB serves <paramref name="service"/>: type LoadBalancer without a loadBalancerClass (k3s leaves classed Services to their own controller).</summary>
    public static bool IsServed(V1Service service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return service.Spec?.Type == "LoadBalancer" && string.IsNullOrEmpty(service.Spec.LoadBalancerClass);
    }

    /// <summary>Where <paramref name="service"/> is served, given every Service, Node, Pod and the Service's EndpointSlices.</summary>
    public static LoadBalancerPlacement Place(V1Service service, IReadOnlyCollection<V1Service> services, IReadOnlyCollection<V1Node> nodes, IReadOnlyCollection<V1Pod> pods, IEnumerable<V1EndpointSlice> slices)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(slices);
        var selectorOn = nodes.Any(n => n.Metadata.Labels?.ContainsKey(EnableLbLabel) == true);
        var conflicts = new List<PortConflict>();
        var chosen = new List<V1Node>();
        var localNodes = IsLocal(service) ? NodesWithReadyEndpoints(slices) : null;
        foreach (var node in Eligible(service, nodes, selectorOn).OrderBy(n => n.Metadata.Name, StringComparer.Ordinal))
        {
            var found = ConflictsOn(node, service, services, nodes, pods, selectorOn).ToList();
            conflicts.AddRange(found);
            if (found.Count == 0 && (localNodes is null || localNodes.Contains(node.Metadata.Name)))
            {
                chosen.Add(node);
            }
        }
        return new LoadBalancerPlacement(IngressIps(service, chosen), conflicts);
    }

    /// <summary>The value of label <paramref name="key"/>, or null.</summary>
    internal static string? Label(V1ObjectMeta metadata, string key) =>
        metadata?.Labels is { } labels && labels.TryGetValue(key, out var value) ? value : null;

    private static bool IsLocal(V1Service service) => service.Spec?.ExternalTrafficPolicy == "Local";

    private static IEnumerable<V1Node> Eligible(V1Service service, IEnumerable<V1Node> nodes, bool selectorOn)
    {
        var pool = Label(service.Metadata, LbPoolLabel);
        return nodes.Where(node =>
        {
            if (node.Metadata.DeletionTimestamp is not null || node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") != true)
            {
                return false;
            }
            if (!selectorOn)
            {
                return true;
            }
            return Label(node.Metadata, EnableLbLabel) == "true"
                && (string.IsNullOrEmpty(pool) || Label(node.Metadata, LbPoolLabel) == pool);
        });
    }

    private static IEnumerable<PortConflict> ConflictsOn(V1Node node, V1Service service, IReadOnlyCollection<V1Service> services, IReadOnlyCollection<V1Node> nodes, IReadOnlyCollection<V1Pod> pods, bool selectorOn)
    {
        var name = node.Metadata.Name;
        foreach (var port in service.Spec.Ports ?? [])
        {
            var protocol = port.Protocol ?? "TCP";
            var text = $"{port.Port}/{protocol}";
            var pod = pods.FirstOrDefault(p => p.Spec?.NodeName == name && p.Status?.Phase is not ("Succeeded" or "Failed") && HostPorts(p).Contains((port.Port, protocol)));
            if (pod is not null)
            {
                yield return new PortConflict(name, text, $"hostPort of pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}");
                continue;
            }
            var other = services.Where(s => !SameObject(s, service)).FirstOrDefault(s =>
                (s.Spec?.Ports ?? []).Any(p => p.NodePort == port.Port && (p.Protocol ?? "TCP") == protocol && s.Spec?.Type is "NodePort" or "LoadBalancer"));
            if (other is not null)
            {
                yield return new PortConflict(name, text, $"a node port of Service {other.Metadata.NamespaceProperty}/{other.Metadata.Name}");
                continue;
            }
            var earlier = services
                .Where(s => !SameObject(s, service) && IsServed(s) && ComesFirst(s, service))
                .Where(s => (s.Spec.Ports ?? []).Any(p => p.Port == port.Port && (p.Protocol ?? "TCP") == protocol))
                .FirstOrDefault(s => Eligible(s, nodes, selectorOn).Any(n => n.Metadata.Name == name));
            if (earlier is not null)
            {
                yield return new PortConflict(name, text, $"LoadBalancer Service {earlier.Metadata.NamespaceProperty}/{earlier.Metadata.Name}");
            }
        }
    }

    private static IEnumerable<(int Port, string Protocol)> HostPorts(V1Pod pod) =>
        (pod.Spec.Containers ?? []).Concat(pod.Spec.InitContainers ?? [])
            .SelectMany(c => c.Ports ?? [])
            .Where(p => p.HostPort is > 0)
            .Select(p => (p.HostPort!.Value, p.Protocol ?? "TCP"));

    private static bool SameObject(V1Service a, V1Service b) =>
        a.Metadata.NamespaceProperty == b.Metadata.NamespaceProperty && a.Metadata.Name == b.Metadata.Name;

    /// <summary>The older Service holds a contested port; at the same second, the one first by namespace/name.</summary>
    private static bool ComesFirst(V1Service a, V1Service b)
    {
        var byAge = Nullable.Compare(a.Metadata.CreationTimestamp, b.Metadata.CreationTimestamp);
        if (byAge != 0)
        {
            return byAge < 0;
        }
        var byNamespace = string.CompareOrdinal(a.Metadata.NamespaceProperty, b.Metadata.NamespaceProperty);
        return byNamespace != 0 ? byNamespace < 0 : string.CompareOrdinal(a.Metadata.Name, b.Metadata.Name) < 0;
    }

    private static HashSet<string> NodesWithReadyEndpoints(IEnumerable<V1EndpointSlice> slices) =>
        [.. slices.SelectMany(s => s.Endpoints ?? [])
            .Where(e => e.TargetRef?.Kind == "Pod" && e.Conditions?.Ready == true && !string.IsNullOrEmpty(e.NodeName))
            .Select(e => e.NodeName)];

    private static List<string> IngressIps(V1Service service, List<V1Node> chosen)
    {
        var addresses = chosen.SelectMany(n => n.Status?.Addresses ?? []).ToList();
        var type = addresses.Any(a => a.Type == "ExternalIP") ? "ExternalIP" : "InternalIP";
        var ips = addresses.Where(a => a.Type == type).Select(a => a.Address).Distinct(StringComparer.Ordinal).ToList();
        var families = service.Spec.IpFamilies is { Count: > 0 } listed ? listed : ["IPv4"];
        return [.. families.SelectMany(family => ips.Where(ip => FamilyOf(ip) == family).Order(StringComparer.Ordinal))];
    }

    private static string? FamilyOf(string ip) =>
        IPAddress.TryParse(ip, out var address) ? address.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4" : null;
}
