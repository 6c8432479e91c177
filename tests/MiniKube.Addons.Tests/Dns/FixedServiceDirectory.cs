using k8s.Models;
using MiniKube.Addons.Dns;

namespace MiniKube.Addons.Tests.Dns;

/// <summary>A service directory over fixed lists, for resolver tests without informers.</summary>
internal sealed class FixedServiceDirectory(IReadOnlyList<V1Service> services, IReadOnlyList<V1EndpointSlice> slices) : IServiceDirectory
{
    public V1Service? Service(string namespaceName, string name) =>
        services.FirstOrDefault(s => s.Metadata.NamespaceProperty == namespaceName && s.Metadata.Name == name);

    public bool HasServices(string namespaceName) => services.Any(s => s.Metadata.NamespaceProperty == namespaceName);

    public IReadOnlyList<V1EndpointSlice> EndpointSlices(string namespaceName, string serviceName) =>
        [.. slices.Where(s => s.Metadata.NamespaceProperty == namespaceName && s.Metadata.Labels?["kubernetes.io/service-name"] == serviceName)];

    public IReadOnlyList<V1Service> ServicesWithClusterIp(string ip) => [.. services.Where(s => s.Spec.ClusterIPs?.Contains(ip) == true || s.Spec.ClusterIP == ip)];

    public IReadOnlyList<V1EndpointSlice> EndpointSlicesWithAddress(string ip) =>
        [.. slices.Where(s => s.Endpoints.Any(e => e.Addresses.Contains(ip)))];
}

/// <summary>Services and EndpointSlices as the API and the EndpointSlice controller make them.</summary>
internal static class DnsObjects
{
    public static V1Service ClusterIpService(string ns, string name, string ip, params V1ServicePort[] ports) => new()
    {
        Metadata = new V1ObjectMeta { NamespaceProperty = ns, Name = name },
        Spec = new V1ServiceSpec { Type = "ClusterIP", ClusterIP = ip, ClusterIPs = [ip], Ports = ports },
    };

    public static V1Service HeadlessService(string ns, string name, params V1ServicePort[] ports) => new()
    {
        Metadata = new V1ObjectMeta { NamespaceProperty = ns, Name = name },
        Spec = new V1ServiceSpec { Type = "ClusterIP", ClusterIP = "None", ClusterIPs = ["None"], Ports = ports },
    };

    public static V1Service ExternalNameService(string ns, string name, string target) => new()
    {
        Metadata = new V1ObjectMeta { NamespaceProperty = ns, Name = name },
        Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = target },
    };

    public static V1ServicePort Port(string name, int port, string protocol = "TCP") => new() { Name = name, Port = port, Protocol = protocol };

    public static V1EndpointSlice Slice(string ns, string service, IList<Discoveryv1EndpointPort> ports, params V1Endpoint[] endpoints) => new()
    {
        Metadata = new V1ObjectMeta { NamespaceProperty = ns, Name = service + "-abcde", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service } },
        AddressType = "IPv4",
        Endpoints = endpoints,
        Ports = ports,
    };

    public static V1Endpoint Endpoint(string ip, bool? ready = true, string? hostname = null) => new()
    {
        Addresses = [ip],
        Hostname = hostname,
        Conditions = new V1EndpointConditions { Ready = ready },
    };
}
