
namespace MiniKube.Addons.Dns;

/// <summary>
/// <see cref="IServiceDirectory"/> over the Service and EndpointSlice informers, as CoreDNS's
/// kubernetes plugin reads its caches (plugin/kubernetes/controller.go): three indexes on the
/// caches answer every lookup without a scan. Queries read whatever the caches hold at that moment.
/// </summary>
public sealed class InformerServiceDirectory : IServiceDirectory
{
    private const string ClusterIpIndex = "dns:clusterIP";
    private const string ServiceIndex = "dns:serviceName";
    private const string AddressIndex = "dns:address";

    private readonly ObjectCache<V1Service> _services;
    private readonly ObjectCache<V1EndpointSlice> _slices;

    public InformerServiceDirectory(Informer<V1Service> services, Informer<V1EndpointSlice> slices)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(slices);
        _services = services.Cache;
        _slices = slices.Cache;
        _services.AddIndex(ClusterIpIndex, service => service.Spec?.ClusterIPs ?? (service.Spec?.ClusterIP is { } ip ? [ip] : []));
        _slices.AddIndex(ServiceIndex, slice =>
            slice.Metadata.Labels?.TryGetValue(WellKnownLabels.ServiceName, out var name) == true ? [ObjectKeys.Of(slice.Namespace(), name)] : []);
        _slices.AddIndex(AddressIndex, slice => (slice.Endpoints ?? []).SelectMany(e => e.Addresses ?? []).Distinct(StringComparer.Ordinal));
    }

    public V1Service? Service(string namespaceName, string name) => _services.Get(namespaceName, name);

    public bool HasServices(string namespaceName) => _services.ByIndex(ObjectCache<V1Service>.NamespaceIndex, namespaceName).Count > 0;

    public IReadOnlyList<V1EndpointSlice> EndpointSlices(string namespaceName, string serviceName) =>
        _slices.ByIndex(ServiceIndex, ObjectKeys.Of(namespaceName, serviceName));

    public IReadOnlyList<V1Service> ServicesWithClusterIp(string ip) => _services.ByIndex(ClusterIpIndex, ip);

    public IReadOnlyList<V1EndpointSlice> EndpointSlicesWithAddress(string ip) => _slices.ByIndex(AddressIndex, ip);
}
