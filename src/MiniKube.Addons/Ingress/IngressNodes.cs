using k8s.Autorest;

namespace MiniKube.Addons.Ingress;

/// <summary>
/// Where the data plane listens, published through the API so the status writer (which runs in
/// whichever server leads) knows every node's address without talking to the others: each data
/// plane keeps an EndpointSlice <c>kube-system/mkube-ingress-&lt;node&gt;</c> (service-name label
/// <see cref="ServiceName"/>, no Service behind it; ours by its managed-by label, so the
/// EndpointSlice controller leaves it alone) holding its node IP and the http/https ports, as
/// k3s' Traefik is found through its LoadBalancer Service. A data plane that stops removes its slice.
/// </summary>
public static class IngressNodes
{
    public const string Namespace = "kube-system";

    /// <summary>The <c>kubernetes.io/service-name</c> of the slices.</summary>
    public const string ServiceName = "mkube-ingress";

    /// <summary>Our value for <c>endpointslice.kubernetes.io/managed-by</c>.</summary>
    public const string ManagedBy = "ingress.mkube.io";

    public static V1EndpointSlice EndpointSlice(string nodeName, string nodeIp, int httpPort, int httpsPort) =>
        NodeEndpointSlices.Build(Namespace, ServiceName, ManagedBy, nodeName, nodeIp,
        [
            new Discoveryv1EndpointPort { Name = "http", Port = httpPort, Protocol = "TCP" },
            new Discoveryv1EndpointPort { Name = "https", Port = httpsPort, Protocol = "TCP" },
        ]);

    /// <summary>Whether <paramref name="slice"/> is a data plane's publication.</summary>
    public static bool IsPublication(V1EndpointSlice slice)
    {
        ArgumentNullException.ThrowIfNull(slice);
        return slice.Namespace() == Namespace
            && slice.Metadata.Labels?.TryGetValue(WellKnownLabels.EndpointSliceManagedBy, out var managedBy) == true && managedBy == ManagedBy;
    }

    /// <summary>Creates or rewrites this node's slice.</summary>
    public static async Task PublishAsync(IKubernetes client, string nodeName, string nodeIp, int httpPort, int httpsPort, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var slice = EndpointSlice(nodeName, nodeIp, httpPort, httpsPort);
        try
        {
            await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(slice, Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            var current = await client.DiscoveryV1.ReadNamespacedEndpointSliceAsync(slice.Metadata.Name, Namespace, cancellationToken: cancellationToken);
            slice.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
            await client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(slice, slice.Metadata.Name, Namespace, cancellationToken: cancellationToken);
        }
    }

    /// <summary>Removes this node's slice (gone already is fine).</summary>
    public static Task WithdrawAsync(IKubernetes client, string nodeName, CancellationToken cancellationToken) =>
        NodeEndpointSlices.DeleteAsync(client, Namespace, ServiceName, nodeName, cancellationToken);
}
