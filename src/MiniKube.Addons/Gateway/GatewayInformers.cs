using MiniKube.Addons.Dns;

namespace MiniKube.Addons.Gateway;

/// <summary>
/// The informers of the Gateway API kinds (and Namespaces, for allowedRoutes selectors) on one
/// <see cref="SharedInformers"/>, listing with that factory's client, and the
/// <see cref="GatewayInputs"/> they hold at a moment. Shared by the data plane and the status
/// writer, so both read the same objects the same way.
/// </summary>
public sealed class GatewayInformers
{
    public GatewayInformers(SharedInformers informers)
    {
        ArgumentNullException.ThrowIfNull(informers);
        Classes = informers.For((client, _, _) => GatewayApiPaths.ListWatch<GatewayClass>(client, GatewayApiPaths.GatewayClasses));
        Gateways = informers.For((client, _, _) => GatewayApiPaths.ListWatch<Gateway>(client, GatewayApiPaths.Gateways));
        HttpRoutes = informers.For((client, _, _) => GatewayApiPaths.ListWatch<HttpRoute>(client, GatewayApiPaths.HttpRoutes));
        GrpcRoutes = informers.For((client, _, _) => GatewayApiPaths.ListWatch<GrpcRoute>(client, GatewayApiPaths.GrpcRoutes));
        Grants = informers.For((client, _, _) => GatewayApiPaths.ListWatch<ReferenceGrant>(client, GatewayApiPaths.ReferenceGrants));
        Namespaces = informers.Namespaces;
    }

    public Informer<GatewayClass> Classes { get; }

    public Informer<Gateway> Gateways { get; }

    public Informer<HttpRoute> HttpRoutes { get; }

    public Informer<GrpcRoute> GrpcRoutes { get; }

    public Informer<ReferenceGrant> Grants { get; }

    public Informer<V1Namespace> Namespaces { get; }

    /// <summary>Calls <paramref name="changed"/> (with the object's key) on any change of any of them.</summary>
    public void OnChange(Action<string> changed)
    {
        Classes.Changed += changed;
        Gateways.Changed += changed;
        HttpRoutes.Changed += changed;
        GrpcRoutes.Changed += changed;
        Grants.Changed += changed;
        Namespaces.Changed += changed;
    }

    public GatewayInputs Inputs(IServiceDirectory services, Func<string, string, V1Secret?> secrets, GatewayPorts ports) => new()
    {
        Classes = [.. Classes.List()],
        Gateways = [.. Gateways.List()],
        HttpRoutes = [.. HttpRoutes.List()],
        GrpcRoutes = [.. GrpcRoutes.List()],
        Grants = [.. Grants.List()],
        Namespaces = name => Namespaces.Get(ObjectKeys.Of(null, name)),
        Secrets = secrets,
        Services = services,
        Ports = ports,
    };
}
