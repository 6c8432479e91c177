using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Webhooks;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// Resolves a webhook's Service to one of its ready endpoints, as kube-apiserver's endpoint
/// service resolver (apiserver pkg/util/proxy ResolveEndpoint, used with
/// --enable-aggregator-routing): the Service's port whose number is the one asked for, then an
/// address of the Endpoints subset port of the same name, at random. When the Service has no
/// Endpoints object its EndpointSlices are read instead. The API server has no cluster DNS and
/// need not reach ClusterIPs, so this is how service-backed webhooks (and CRD conversion
/// webhooks) are reached. Reads from the watch cache.
/// </summary>
public sealed class WebhookServiceResolver(CachedReads reads) : IServiceResolver
{
    private static readonly ResourceType Services = ResourceCatalog.Find("", "v1", "services")!;
    private static readonly ResourceType Endpoints = ResourceCatalog.Find("", "v1", "endpoints")!;
    private static readonly ResourceType EndpointSlices = ResourceCatalog.Find("discovery.k8s.io", "v1", "endpointslices")!;
    private static readonly string[] RoutableTypes = ["ClusterIP", "NodePort", "LoadBalancer"];

    public async Task<(string Host, int Port)> ResolveAsync(WebhookService service, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(service);
        var stored = await reads.GetAsync(Services, service.Namespace, service.Name, cancellationToken)
            ?? throw new ServiceResolutionException($"service \"{service.Name}\" not found");
        var svc = ObjectCodec.Decode(stored.Value, stored.ModRevision);
        var type = svc.Obj("spec").Str("type") ?? "ClusterIP";
        if (!RoutableTypes.Contains(type))
        {
            throw new ServiceResolutionException($"unsupported service type \"{type}\"");
        }
        var servicePort = svc.Obj("spec").Items("ports").Select(p => p.Item).FirstOrDefault(p => p.Int("port") == service.Port)
            ?? throw new ServiceResolutionException($"no service port {service.Port.ToString(CultureInfo.InvariantCulture)} found for service \"{service.Name}\"");
        var portName = servicePort.StrOrEmpty("name");
        var candidates = await EndpointsOfAsync(service, portName, cancellationToken) ?? await SliceEndpointsAsync(service, portName, cancellationToken);
        if (candidates.Count == 0)
        {
            throw new ServiceResolutionException($"no endpoints available for service \"{service.Name}\"");
        }
        return candidates[Random.Shared.Next(candidates.Count)];
    }

    // The Endpoints object's ready addresses on the subset port named like the service port; null when there is no Endpoints object.
    private async Task<List<(string, int)>?> EndpointsOfAsync(WebhookService service, string portName, CancellationToken cancellationToken)
    {
        if (await reads.GetAsync(Endpoints, service.Namespace, service.Name, cancellationToken) is not { } stored)
        {
            return null;
        }
        var endpoints = ObjectCodec.Decode(stored.Value, stored.ModRevision);
        var found = new List<(string, int)>();
        foreach (var (_, subset) in endpoints.Items("subsets"))
        {
            foreach (var (_, port) in subset.Items("ports"))
            {
                if (port.StrOrEmpty("name") != portName || port.Int("port") is not { } number)
                {
                    continue;
                }
                found.AddRange(subset.Items("addresses").Select(a => a.Item.StrOrEmpty("ip")).Where(ip => ip.Length > 0).Select(ip => (ip, (int)number)));
            }
        }
        return found;
    }

    private async Task<List<(string, int)>> SliceEndpointsAsync(WebhookService service, string portName, CancellationToken cancellationToken)
    {
        var found = new List<(string, int)>();
        foreach (var stored in await reads.ListAsync(EndpointSlices, service.Namespace, cancellationToken))
        {
            var slice = ObjectCodec.Decode(stored.Value, stored.ModRevision);
            if (slice.Obj("metadata").Obj("labels").Str("kubernetes.io/service-name") != service.Name)
            {
                continue;
            }
            var port = slice.Items("ports").Select(p => p.Item).FirstOrDefault(p => p.StrOrEmpty("name") == portName);
            if (port?.Int("port") is not { } number)
            {
                continue;
            }
            foreach (var (_, endpoint) in slice.Items("endpoints"))
            {
                if (endpoint.Obj("conditions").Bool("ready") is false || endpoint.Arr("addresses") is not [JsonValue first, ..])
                {
                    continue;
                }
                found.Add((first.ToString(), (int)number));
            }
        }
        return found;
    }
}
