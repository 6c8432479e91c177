using MiniKube.Addons.Dns;

namespace MiniKube.Addons.Ingress;

/// <summary>
/// Routes from objects other than Ingresses (the Gateway API) that the same data plane serves:
/// <see cref="IngressController"/> runs the source beside its own informers, rebuilds when it
/// reports a change, and merges its table with the Ingresses'. A source watches its own kinds
/// and reads Services, EndpointSlices and Secrets through the controller's caches, so one
/// consistent read builds the whole table. Until its own caches are synced it contributes nothing.
/// </summary>
public interface IProxyTableSource
{
    /// <summary>Raised on any change of the source's objects, and once when its caches first hold their lists.</summary>
    event Action<string>? Changed;

    /// <summary>Runs the source's informers until cancelled.</summary>
    Task RunAsync(CancellationToken cancellationToken);

    ProxyTable Build(IServiceDirectory services, Func<string, string, V1Secret?> secrets);
}
