using System.Net.Sockets;

namespace MiniKube.Addons;

/// <summary>
/// The EndpointSlices a node-level add-on of the server (the cluster DNS, the ingress data plane)
/// keeps, one per node: one ready endpoint at the node IP, the add-on's ports, the service-name
/// label it is found by and its own managed-by value, so the EndpointSlice controller leaves it
/// alone. The three values travel together: they name where the add-on's slices live, what they
/// are found by and whose they are. A node's slice is named <c>&lt;service-name&gt;-&lt;node&gt;</c>.
/// </summary>
/// <param name="Namespace">Where the slices live.</param>
/// <param name="ServiceName">Their <c>kubernetes.io/service-name</c> label (a Service of that name need not exist).</param>
/// <param name="ManagedBy">Our value for <c>endpointslice.kubernetes.io/managed-by</c>.</param>
public sealed record NodeEndpointSlices(string Namespace, string ServiceName, string ManagedBy)
{
    /// <summary>The name of <paramref name="nodeName"/>'s slice.</summary>
    public string SliceName(string nodeName) => $"{ServiceName}-{nodeName}";

    public V1EndpointSlice Build(string nodeName, string nodeIp, IList<Discoveryv1EndpointPort> ports) => new()
    {
        ApiVersion = "discovery.k8s.io/v1",
        Kind = "EndpointSlice",
        Metadata = new V1ObjectMeta
        {
            Name = SliceName(nodeName),
            NamespaceProperty = Namespace,
            Labels = new Dictionary<string, string> { [WellKnownLabels.ServiceName] = ServiceName, [WellKnownLabels.EndpointSliceManagedBy] = ManagedBy },
        },
        AddressType = IPAddress.Parse(nodeIp).AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4",
        Endpoints = [new V1Endpoint { Addresses = [nodeIp], Conditions = new V1EndpointConditions { Ready = true, Serving = true, Terminating = false }, NodeName = nodeName }],
        Ports = ports,
    };

    /// <summary>Whether <paramref name="slice"/> is one of these: in <see cref="Namespace"/> and carrying our managed-by value.</summary>
    public bool Owns(V1EndpointSlice slice)
    {
        ArgumentNullException.ThrowIfNull(slice);
        return slice.Namespace() == Namespace
            && slice.Metadata.Labels?.TryGetValue(WellKnownLabels.EndpointSliceManagedBy, out var managedBy) == true && managedBy == ManagedBy;
    }

    /// <summary>Removes the node's slice made by <see cref="Build"/>; one already gone is fine.</summary>
    public async Task DeleteAsync(IKubernetes client, string nodeName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            await client.DiscoveryV1.DeleteNamespacedEndpointSliceAsync(SliceName(nodeName), Namespace, cancellationToken: cancellationToken);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Already gone.
        }
    }
}
