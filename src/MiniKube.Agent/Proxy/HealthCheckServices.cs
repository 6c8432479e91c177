namespace MiniKube.Agent.Proxy;

/// <summary>A Service whose node health check this node serves: its health-check node port and how many ready endpoints it has here (and its uid, for events about it).</summary>
public sealed record HealthCheckService(NamespacedName Service, int Port, int LocalEndpoints, string? Uid = null);

/// <summary>
/// Which Services need a health check on this node and what it reports (pkg/proxy/serviceport.go
/// HealthCheckNodePort, endpointschangetracker.go LocalReadyEndpoints): every LoadBalancer with
/// externalTrafficPolicy Local and a healthCheckNodePort, with the number of distinct addresses
/// among its IPv4 EndpointSlices' endpoints that are ready and on this node. Only ready ones
/// count: a node with nothing but terminating endpoints should be taken out of the load balancer.
/// </summary>
public static class HealthCheckServices
{
    public static IReadOnlyList<HealthCheckService> From(IEnumerable<V1Service> services, IEnumerable<V1EndpointSlice> slices, string nodeName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(slices);
        var local = slices
            .Where(s => s.AddressType == "IPv4" && s.Metadata?.Labels?.TryGetValue(ServicePorts.ServiceNameLabel, out _) == true)
            .SelectMany(s => (s.Endpoints ?? []).Select(e => (Service: new NamespacedName(s.Metadata.NamespaceProperty ?? "default", s.Metadata.Labels[ServicePorts.ServiceNameLabel]), Endpoint: e)))
            .Where(x => nodeName.Length > 0 && x.Endpoint.NodeName == nodeName && (x.Endpoint.Conditions?.Ready ?? true) && x.Endpoint.Addresses is [_, ..])
            .GroupBy(x => x.Service)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Endpoint.Addresses[0]).Distinct(StringComparer.Ordinal).Count());
        return [.. services
            .Where(s => s.Spec is { Type: "LoadBalancer", ExternalTrafficPolicy: "Local", HealthCheckNodePort: > 0 })
            .Select(s => (Name: new NamespacedName(s.Metadata.NamespaceProperty ?? "default", s.Metadata.Name), Port: s.Spec.HealthCheckNodePort!.Value, s.Metadata.Uid))
            .DistinctBy(x => x.Name)
            .Select(x => new HealthCheckService(x.Name, x.Port, local.GetValueOrDefault(x.Name), x.Uid))
            .OrderBy(h => h.Service.Namespace, StringComparer.Ordinal).ThenBy(h => h.Service.Name, StringComparer.Ordinal)];
    }
}
