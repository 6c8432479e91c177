using k8s;
using Microsoft.Extensions.Logging;
using MiniKube.Addons.Gateway.Crds;

namespace MiniKube.Hosting;

/// <summary>
/// Serves the Gateway API (the ingress add-on's second API, <c>--disable ingress</c> leaves it
/// out): installs the standard-channel CRDs of <see cref="GatewayApiCrds.BundleVersion"/> through
/// the API at start, as the ingress data plane's user (bound to system:mkube:gateway-crds: get and
/// patch of these five CRDs), and is ready once every one is Established. Registered right after
/// the API server, so the controller manager and the ingress data plane, which start behind its
/// readiness, find the Gateway API served; a component that wants to say so explicitly awaits
/// <see cref="Established"/>. Every server runs it: the install is idempotent and leaves a CRD of
/// a newer bundle-version alone.
/// </summary>
internal sealed class GatewayCrdsComponent(IClusterAccess cluster, TimeProvider time, ILoggerFactory loggers) : IComponent
{
    private readonly TaskCompletionSource _established = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => "gateway-crds";

    /// <summary>Completes once the five CRDs are installed (or a newer release of them kept) and Established.</summary>
    public Task Established => _established.Task;

    public async Task RunAsync(ReadySignal ready, CancellationToken stoppingToken)
    {
        using (var client = new Kubernetes(cluster.ClientConfiguration(ComponentIdentity.GatewayCrds)))
        {
            await GatewayCrdInstaller.InstallAsync(client, loggers.CreateLogger<GatewayCrdsComponent>(), time, stoppingToken);
        }
        _established.TrySetResult();
        await NodeAddonRun.IdleAsync(ready, time, stoppingToken);
    }
}
