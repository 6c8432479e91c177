
namespace MiniKube.Addons.Dns;

/// <summary>
/// What the cluster DNS reads about Services and their endpoints. The server's implementation is
/// <see cref="InformerServiceDirectory"/> (informer caches); tests give fixed lists. Objects
/// returned are shared: never mutate them.
/// </summary>
public interface IServiceDirectory
{
    V1Service? Service(string namespaceName, string name);

    /// <summary>Whether any Service lives in the namespace (so <c>&lt;ns&gt;.svc.&lt;zone&gt;</c> exists as a name).</summary>
    bool HasServices(string namespaceName);

    /// <summary>The EndpointSlices labelled <c>kubernetes.io/service-name=&lt;name&gt;</c> in the namespace.</summary>
    IReadOnlyList<V1EndpointSlice> EndpointSlices(string namespaceName, string serviceName);

    /// <summary>The Services with this cluster IP (normally one).</summary>
    IReadOnlyList<V1Service> ServicesWithClusterIp(string ip);

    /// <summary>The EndpointSlices with an endpoint at this address.</summary>
    IReadOnlyList<V1EndpointSlice> EndpointSlicesWithAddress(string ip);
}
