using k8s.Autorest;

namespace MiniKube.Addons.Ingress;

/// <summary>
/// Where the data plane listens, published through the API so the status writer (which runs in
/// whichever server leads) knows every node's address without talking to the others: each data
/// plane keeps an EndpointSlice <c>kube-system/mkube-ingress-&lt;node&gt;</c> (service-name label
/// <c>mkube-ingress</c>, no Service behind it; ours by its managed-by label <c>ingress.mkube.io</c>,
/// so the EndpointSlice controller leaves it alone) holding its node IP and the http/https ports, as
/// k3s' Traefik is found through its LoadBalancer Service. A data plane that stops removes its slice.
/// Each node's data plane may write only its own (<see cref="IngressNodeIdentity"/>).
/// </summary>
public static class IngressNodes
{
    /// <summary>Where the slices live, the service-name label they are found by and our managed-by value.</summary>
    public static readonly NodeEndpointSlices Slices = new(IngressNodeIdentity.SliceNamespace, IngressNodeIdentity.SliceServiceName, IngressNodeIdentity.SliceManagedBy);

    public static V1EndpointSlice EndpointSlice(string nodeName, string nodeIp, int httpPort, int httpsPort) =>
        Slices.Build(nodeName, nodeIp,
        [
            new Discoveryv1EndpointPort { Name = "http", Port = httpPort, Protocol = "TCP" },
            new Discoveryv1EndpointPort { Name = "https", Port = httpsPort, Protocol = "TCP" },
        ]);

    /// <summary>Whether <paramref name="slice"/> is a data plane's publication.</summary>
    public static bool IsPublication(V1EndpointSlice slice) => Slices.Owns(slice);

    /// <summary>The published data planes' node IPs, sorted: the addresses of every Ingress and Gateway of ours.</summary>
    public static IReadOnlyList<string> Addresses(Informer<V1EndpointSlice> slices)
    {
        ArgumentNullException.ThrowIfNull(slices);
        return [.. slices.Cache.ListNamespace(Slices.Namespace)
            .Where(IsPublication)
            .SelectMany(s => s.Endpoints ?? [])
            .SelectMany(e => e.Addresses ?? [])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>Creates or rewrites this node's slice.</summary>
    public static async Task PublishAsync(IKubernetes client, string nodeName, string nodeIp, int httpPort, int httpsPort, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var slice = EndpointSlice(nodeName, nodeIp, httpPort, httpsPort);
        try
        {
            await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(slice, Slices.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            var current = await client.DiscoveryV1.ReadNamespacedEndpointSliceAsync(slice.Metadata.Name, Slices.Namespace, cancellationToken: cancellationToken);
            slice.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
            await client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(slice, slice.Metadata.Name, Slices.Namespace, cancellationToken: cancellationToken);
        }
    }

    /// <summary>Removes this node's slice (gone already is fine).</summary>
    public static Task WithdrawAsync(IKubernetes client, string nodeName, CancellationToken cancellationToken) =>
        Slices.DeleteAsync(client, nodeName, cancellationToken);
}
