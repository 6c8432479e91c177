using System.Net.Sockets;

namespace MiniKube.Addons;

/// <summary>
/// The EndpointSlice a node-level add-on of the server (the cluster DNS, the ingress data plane)
/// keeps for its node: one ready endpoint at the node IP, the add-on's ports, the service-name
/// label it is found by and its own managed-by value, so the EndpointSlice controller leaves it alone.
/// </summary>
public static class NodeEndpointSlices
{
    public static V1EndpointSlice Build(string namespaceName, string serviceName, string managedBy, string nodeName, string nodeIp, IList<Discoveryv1EndpointPort> ports) => new()
    {
        ApiVersion = "discovery.k8s.io/v1",
        Kind = "EndpointSlice",
        Metadata = new V1ObjectMeta
        {
            Name = $"{serviceName}-{nodeName}",
            NamespaceProperty = namespaceName,
            Labels = new Dictionary<string, string> { [WellKnownLabels.ServiceName] = serviceName, [WellKnownLabels.EndpointSliceManagedBy] = managedBy },
        },
        AddressType = IPAddress.Parse(nodeIp).AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4",
        Endpoints = [new V1Endpoint { Addresses = [nodeIp], Conditions = new V1EndpointConditions { Ready = true, Serving = true, Terminating = false }, NodeName = nodeName }],
        Ports = ports,
    };

    /// <summary>Removes the node's slice made by <see cref="Build"/>; one already gone is fine.</summary>
    public static async Task DeleteAsync(IKubernetes client, string namespaceName, string serviceName, string nodeName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            await client.DiscoveryV1.DeleteNamespacedEndpointSliceAsync($"{serviceName}-{nodeName}", namespaceName, cancellationToken: cancellationToken);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Already gone.
        }
    }
}
