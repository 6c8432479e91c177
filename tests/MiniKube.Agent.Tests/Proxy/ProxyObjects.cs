using k8s.Models;

namespace MiniKube.Agent.Tests.Proxy;

/// <summary>Services and EndpointSlices shaped as the API server and the endpointslice controller write them.</summary>
internal static class ProxyObjects
{
    public static V1Service Service(string name, string clusterIp, params V1ServicePort[] ports) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new V1ServiceSpec { Type = "ClusterIP", ClusterIP = clusterIp, Ports = ports },
    };

    public static V1Service NodePortService(string name, string clusterIp, params V1ServicePort[] ports)
    {
        var service = Service(name, clusterIp, ports);
        service.Spec.Type = "NodePort";
        return service;
    }

    /// <summary>A LoadBalancer Service whose status lists <paramref name="ingress"/>, as the service-lb controller writes it.</summary>
    public static V1Service LoadBalancerService(string name, string clusterIp, string[] ingress, params V1ServicePort[] ports)
    {
        var service = Service(name, clusterIp, ports);
        service.Spec.Type = "LoadBalancer";
        service.Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus { Ingress = [.. ingress.Select(ip => new V1LoadBalancerIngress { Ip = ip })] } };
        return service;
    }

    public static V1ServicePort Port(string? name, int port, int? nodePort = null, string protocol = "TCP") =>
        new() { Name = name, Port = port, NodePort = nodePort, Protocol = protocol, TargetPort = port };

    public static V1EndpointSlice Slice(string service, string? portName, int port, params string[] readyIps) =>
        Slice(service, [new Discoveryv1EndpointPort { Name = portName, Port = port, Protocol = "TCP" }], [.. readyIps.Select(ip => Endpoint(ip, ready: true))]);

    public static V1EndpointSlice Slice(string service, IList<Discoveryv1EndpointPort> ports, IList<V1Endpoint> endpoints) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = service + "-" + Guid.NewGuid().ToString("N")[..5],
            NamespaceProperty = "default",
            Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service },
        },
        AddressType = "IPv4",
        Ports = ports,
        Endpoints = endpoints,
    };

    public static V1Endpoint Endpoint(string ip, bool ready, bool serving = false, bool terminating = false, string? node = null) => new()
    {
        Addresses = [ip],
        NodeName = node,
        Conditions = new V1EndpointConditions { Ready = ready, Serving = ready || serving, Terminating = terminating },
    };
}
