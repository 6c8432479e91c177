using k8s.Autorest;

namespace MiniKube.Addons.Dns;

/// <summary>
/// The API objects that make the cluster DNS reachable at the cluster DNS IP, as k3s' coredns
/// manifest does for its pods: the Service <c>kube-system/kube-dns</c> with that cluster IP and
/// ports dns/53/UDP and dns-tcp/53/TCP, without a selector, and an EndpointSlice per server
/// (<c>kube-dns-&lt;node&gt;</c>, ours by its managed-by label) whose endpoint is the server's node IP
/// and DNS port. The service proxy then sends the cluster DNS IP to the servers, as kube-proxy
/// does for CoreDNS's pods. <see cref="EnsureAsync"/> is idempotent: run it again to repair.
/// </summary>
public static class KubeDnsService
{
    public const string Namespace = "kube-system";
    public const string Name = "kube-dns";

    public static V1Service Service(string clusterIp) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta
        {
            Name = Name,
            NamespaceProperty = Namespace,
            // The labels k3s' coredns Service carries, which tools select it by.
            Labels = new Dictionary<string, string> { ["k8s-app"] = "kube-dns", ["kubernetes.io/cluster-service"] = "true", ["kubernetes.io/name"] = "CoreDNS" },
        },
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            ClusterIP = clusterIp,
            ClusterIPs = [clusterIp],
            Ports =
            [
                new V1ServicePort { Name = "dns", Port = 53, Protocol = "UDP", TargetPort = 53 },
                new V1ServicePort { Name = "dns-tcp", Port = 53, Protocol = "TCP", TargetPort = 53 },
            ],
        },
    };

    // The slices are found by the Service's own name, so the service proxy sends its cluster IP to
    // them; our managed-by value keeps the EndpointSlice controller away from them.
    private static readonly NodeEndpointSlices Slices = new(Namespace, ServiceName: Name, ManagedBy: "cluster-dns.mkube.io");

    public static V1EndpointSlice EndpointSlice(string nodeName, string nodeIp, int port) =>
        Slices.Build(nodeName, nodeIp,
        [
            new Discoveryv1EndpointPort { Name = "dns", Port = port, Protocol = "UDP" },
            new Discoveryv1EndpointPort { Name = "dns-tcp", Port = port, Protocol = "TCP" },
        ]);

    /// <summary>
    /// Creates the Service (or recreates it when its cluster IP is not <paramref name="clusterIp"/>,
    /// which cannot be changed in place) and creates or rewrites this server's EndpointSlice.
    /// </summary>
    public static async Task EnsureAsync(IKubernetes client, string clusterIp, string nodeName, string nodeIp, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var existing = await GetOrNullAsync(() => client.CoreV1.ReadNamespacedServiceAsync(Name, Namespace, cancellationToken: cancellationToken));
        if (existing is not null && existing.Spec?.ClusterIP != clusterIp)
        {
            await client.CoreV1.DeleteNamespacedServiceAsync(Name, Namespace, cancellationToken: cancellationToken);
            existing = null;
        }
        if (existing is null)
        {
            await CreateIgnoringConflictAsync(() => client.CoreV1.CreateNamespacedServiceAsync(Service(clusterIp), Namespace, cancellationToken: cancellationToken));
        }

        var slice = EndpointSlice(nodeName, nodeIp, port);
        var current = await GetOrNullAsync(() => client.DiscoveryV1.ReadNamespacedEndpointSliceAsync(slice.Metadata.Name, Namespace, cancellationToken: cancellationToken));
        if (current is null)
        {
            await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(slice, Namespace, cancellationToken: cancellationToken);
        }
        else if (!SameTarget(current, slice))
        {
            slice.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
            await client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(slice, slice.Metadata.Name, Namespace, cancellationToken: cancellationToken);
        }
    }

    /// <summary>Removes this server's EndpointSlice (a server that stops should not keep receiving DNS traffic); the Service stays for the others.</summary>
    public static Task RemoveEndpointAsync(IKubernetes client, string nodeName, CancellationToken cancellationToken) =>
        Slices.DeleteAsync(client, nodeName, cancellationToken);

    private static bool SameTarget(V1EndpointSlice current, V1EndpointSlice desired) =>
        current.AddressType == desired.AddressType
        && current.Metadata.Labels is { } labels && labels.TryGetValue(WellKnownLabels.ServiceName, out var service) && service == Name
        && current.Endpoints is [{ Addresses: [var address], Conditions.Ready: true }] && address == desired.Endpoints[0].Addresses[0]
        && current.Ports?.Count == 2 && current.Ports.All(p => p.Port == desired.Ports[0].Port);

    private static async Task<T?> GetOrNullAsync<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static async Task CreateIgnoringConflictAsync<T>(Func<Task<T>> create)
    {
        try
        {
            await create();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Another server made it first.
        }
    }
}
