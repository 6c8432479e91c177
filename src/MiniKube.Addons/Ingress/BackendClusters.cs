using System.Net.Sockets;
using MiniKube.Addons.Dns;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace MiniKube.Addons.Ingress;

/// <summary>
/// A Service port as a YARP cluster: one destination per ready endpoint of its EndpointSlices
/// (conditions.ready unset counts as ready, as kube-proxy reads it), at the slice port carrying
/// the Service port's name; an ExternalName Service is its one name. The Service port's
/// appProtocol picks how to talk to it: <c>kubernetes.io/h2c</c>, <c>h2c</c> or <c>grpc</c> mean
/// HTTP/2 without TLS (prior knowledge, what gRPC servers speak), <c>https</c> means TLS (the
/// backend's certificate is not checked: ingress-nginx's backend-protocol HTTPS does not either).
/// Passive health marks an endpoint that refuses connections unhealthy for a while, and YARP's
/// default power-of-two-choices balances over the rest. A Service or port that does not exist is
/// a cluster with no destinations: YARP answers 503, as ingress-nginx does.
/// </summary>
public static class BackendClusters
{
    /// <summary>How long an endpoint that failed stays out of rotation before it is tried again.</summary>
    public static TimeSpan ReactivationPeriod { get; } = TimeSpan.FromSeconds(10);

    public static string Id(string namespaceName, string service, V1ServiceBackendPort? port) =>
        $"{namespaceName}/{service}:{(port?.Number is { } number ? number.ToString(System.Globalization.CultureInfo.InvariantCulture) : port?.Name)}";

    public static ClusterConfig Build(string id, IServiceDirectory services, string namespaceName, string serviceName, V1ServiceBackendPort? port)
    {
        var (destinations, protocol) = Destinations(services, namespaceName, serviceName, port);
        return Cluster(id, destinations, protocol);
    }

    /// <summary>The destinations of one Service port (keyed <c>host:port</c>) and how to speak to them; none when the Service or port does not exist.</summary>
    internal static (Dictionary<string, DestinationConfig> Destinations, BackendProtocol Protocol) Destinations(IServiceDirectory services, string namespaceName, string serviceName, V1ServiceBackendPort? port)
    {
        ArgumentNullException.ThrowIfNull(services);
        var service = services.Service(namespaceName, serviceName);
        var servicePort = service?.Spec?.Ports?.FirstOrDefault(p => port?.Number is { } number ? p.Port == number : p.Name == port?.Name);
        var destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal);
        var protocol = Protocol(servicePort?.AppProtocol);
        if (service is not null && servicePort is not null)
        {
            var scheme = protocol == BackendProtocol.Https ? "https" : "http";
            if (service.Spec.Type == "ExternalName" && !string.IsNullOrEmpty(service.Spec.ExternalName))
            {
                var target = servicePort.TargetPort?.Value is { } value && int.TryParse(value, out var number) ? number : servicePort.Port;
                destinations[service.Spec.ExternalName] = new DestinationConfig { Address = $"{scheme}://{service.Spec.ExternalName}:{target}" };
            }
            foreach (var slice in services.EndpointSlices(namespaceName, serviceName))
            {
                var slicePort = slice.Ports?.FirstOrDefault(p => (p.Name ?? "") == (servicePort.Name ?? "") && (p.Protocol ?? "TCP") == "TCP");
                if (slicePort?.Port is not { } targetPort)
                {
                    continue;
                }
                foreach (var address in (slice.Endpoints ?? []).Where(e => e.Conditions?.Ready != false).SelectMany(e => e.Addresses ?? []))
                {
                    var host = IPAddress.TryParse(address, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address;
                    destinations[$"{host}:{targetPort}"] = new DestinationConfig { Address = $"{scheme}://{host}:{targetPort}" };
                }
            }
        }
        return (destinations, protocol);
    }

    /// <summary>A cluster of <paramref name="destinations"/> with passive health, spoken to as <paramref name="protocol"/> says; <paramref name="loadBalancingPolicy"/> null: YARP's default.</summary>
    internal static ClusterConfig Cluster(string id, IReadOnlyDictionary<string, DestinationConfig> destinations, BackendProtocol protocol, string? loadBalancingPolicy = null) => new()
    {
        ClusterId = id,
        Destinations = destinations,
        LoadBalancingPolicy = loadBalancingPolicy,
        HealthCheck = new HealthCheckConfig { Passive = new PassiveHealthCheckConfig { Enabled = true, ReactivationPeriod = ReactivationPeriod } },
        HttpClient = protocol == BackendProtocol.Https ? new HttpClientConfig { DangerousAcceptAnyServerCertificate = true } : null,
        HttpRequest = protocol == BackendProtocol.H2c
            ? new ForwarderRequestConfig { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact }
            : null,
    };

    internal static BackendProtocol Protocol(string? appProtocol) => appProtocol?.ToLowerInvariant() switch
    {
        "kubernetes.io/h2c" or "h2c" or "grpc" => BackendProtocol.H2c,
        "https" or "kubernetes.io/wss" => BackendProtocol.Https,
        _ => BackendProtocol.Http,
    };
}

/// <summary>How the proxy speaks to a backend.</summary>
internal enum BackendProtocol
{
    Http,
    H2c,
    Https,
}
